#!/usr/bin/env bash
# The GPU figures of docs/performance.md, in one run (about 5 minutes on an H200, weights not needed).
#   bash benchmarks/gpu_check.sh > gpu.jsonl
set -euo pipefail
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"
# the standard comparison: artkit (bf16 autocast, bf16 weights) against the classic fp32 loop
artkit bench --device cuda --steps 20 --json
# the same models in fp32: what the step itself gains
artkit bench --device cuda --steps 20 --json --set autocast=none --set generator.precision=fp32 --set "perceptors[0].precision=fp32"
# torch.compile, and with CUDA graphs (warm-up 1 step pays the compilation)
artkit bench --device cuda --steps 20 --json --set compile=default
artkit bench --device cuda --steps 20 --json --set compile=reduce-overhead
# the offline presets
artkit bench quickstart fft-quickstart vqgan-quickstart vector-quickstart --device cuda --steps 20 --json
python benchmarks/vector_raster.py --steps 20
