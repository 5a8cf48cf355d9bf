"""Seconds per step of the vector generator: 256 strokes at 224x224, forward and backward, on the CPU.

python benchmarks/vector_raster.py [--strokes 256] [--size 224] [--steps 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import artkit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=256)
    parser.add_argument("--shapes", type=int, default=0)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    from artkit_plugins.generators.vector import VectorGenerator

    torch.manual_seed(0)
    config = VectorGenerator.Config(strokes=args.strokes, shapes=args.shapes)
    generator = VectorGenerator(config, artkit.RunInfo(size=(args.size, args.size)))
    optimizer = torch.optim.Adam(generator.parameters(), lr=0.01)
    target = torch.rand(1, 3, args.size, args.size)
    times = []
    for step in range(args.steps + 2):
        start = time.perf_counter()
        loss = (generator() - target).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step >= 2:
            times.append(time.perf_counter() - start)
    result = {"strokes": args.strokes, "shapes": args.shapes, "size": args.size, "threads": torch.get_num_threads(),
              "s_per_step": round(statistics.median(times), 4)}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
