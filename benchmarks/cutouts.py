"""Milliseconds per forward and backward of the cutouts augmentation, on the CPU.

python benchmarks/cutouts.py [--cutn 16] [--cut-size 64] [--image 128] [--whole 0.5] [--min-size 0.6] [--steps 20]
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
    parser.add_argument("--cutn", type=int, default=16)
    parser.add_argument("--cut-size", type=int, default=64, help="side of each cut (the perceptor's input)")
    parser.add_argument("--image", type=int, default=128, help="side of the image the cuts are taken from")
    parser.add_argument("--whole", type=float, default=0.5, help="share of cuts that show the whole image")
    parser.add_argument("--min-size", type=float, default=0.6)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    from artkit_plugins.augmentations.cutouts import Cutouts

    torch.manual_seed(0)
    config = Cutouts.Config(cutn=args.cutn, whole=args.whole, min_size=args.min_size, max_size=1.0)
    cutouts = Cutouts(config, artkit.RunInfo(size=(args.image, args.image)))
    start_image = torch.rand(1, 3, args.image, args.image)
    times = []
    for step in range(args.steps + 2):
        image = start_image.clone().requires_grad_(True)
        start = time.perf_counter()
        cutouts(image, args.cut_size).square().sum().backward()
        if step >= 2:
            times.append(time.perf_counter() - start)
    result = {"cutn": args.cutn, "cut_size": args.cut_size, "image": args.image, "whole": args.whole,
              "threads": torch.get_num_threads(), "ms_per_step": round(statistics.median(times) * 1000, 2)}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
