"""Peak memory and time of the standard comparison under artkit's memory options.

    python benchmarks/memory_options.py [--device cpu|cuda] [--steps 2] [--size 256]

Each variant runs in its own process (peak RSS never goes down within one), so the figures do not mix.
On CPU the figure is the process's peak RSS, models included; on CUDA, the peak allocated memory.
The variants score the same 32 cutouts per step: `cut_batches: 4` in batches of 8. `models only`
is the process with the models built and no step taken.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

VARIANTS = {
    "default": [],
    "cut_batches=4": ["cut_batches=4", "augmentations[0].cutn=8"],
    "checkpoint_decoder": ["generator.checkpoint_decoder=true"],
    "both": ["cut_batches=4", "augmentations[0].cutn=8", "generator.checkpoint_decoder=true"],
}

CHILD = """
import json, sys
from artkit.bench import STANDARD, bench_preset, build, peak_memory_mb
device, steps, size, sets = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
overrides = [f"size={size}x{size}", *sets]
if steps == 0:  # the models and the process, no step
    with build(STANDARD, device, overrides) as run:
        print(json.dumps({"s_per_step": 0.0, "peak_memory_mb": round(peak_memory_mb(run.info.device))}))
else:
    result = bench_preset(STANDARD, device, steps=steps, overrides=overrides)
    print(json.dumps({"s_per_step": round(result.artkit_s_per_step, 3), "peak_memory_mb": round(result.peak_memory_mb)}))
"""


def measure(device: str, steps: int, size: int, sets: list[str]) -> dict[str, float]:
    args = [sys.executable, "-c", CHILD, device, str(steps), str(size), json.dumps(sets)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"variant {sets} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    print(f"{'variant':<20} {'s/step':>8} {'peak MB':>9}")
    models = measure(args.device, 0, args.size, [])
    print(f"{'models only':<20} {'-':>8} {models['peak_memory_mb']:>9}", flush=True)
    for name, sets in VARIANTS.items():
        row = measure(args.device, args.steps, args.size, sets)
        print(f"{name:<20} {row['s_per_step']:>8} {row['peak_memory_mb']:>9}", flush=True)


if __name__ == "__main__":
    main()
