"""What the toy world's training scripts share: the command-line options every one of them takes."""

from __future__ import annotations

import argparse
from pathlib import Path


def training_parser(
    description: str, *, seed: int, steps: int, batch_size: int, lr: float, out: Path, eval_every: int = 100
) -> argparse.ArgumentParser:
    """A parser with ``--seed --steps --batch-size --lr --threads --eval-every --out`` and these defaults.

    Example:
        >>> args = training_parser("demo", seed=1, steps=10, batch_size=4, lr=1e-3, out=Path("w.st")).parse_args([])
        >>> args.seed, args.batch_size, args.threads
        (1, 4, 2)
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--eval-every", type=int, default=eval_every, help="steps between held-out evaluations")
    parser.add_argument("--out", type=Path, default=out, help="where to write the weights")
    return parser
