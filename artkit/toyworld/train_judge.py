"""Trains the judge: ``python -m artkit.toyworld.train_judge --seed 1``.

Deterministic given the seed on one machine. Writes ``judge.safetensors`` and ``judge_report.json``
with the judge's accuracy on clean held-out renders (colour, shape, position, background).
"""

from __future__ import annotations

import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

from artkit.toyworld import judge
from artkit.toyworld.data import _box_blur
from artkit.toyworld.render import render
from artkit.toyworld.scene import sample_scene
from artkit.toyworld.training import training_parser

EVAL_SEED = 20_011


def judge_loss(out: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> torch.Tensor:
    return (
        F.cross_entropy(out["background"], target["background"])
        + 4 * F.binary_cross_entropy_with_logits(out["colours"], target["colours"])
        + F.cross_entropy(out["shapes"].flatten(0, 1), target["shapes"].flatten(), ignore_index=-1)
        + F.cross_entropy(out["cells"].flatten(0, 1), target["cells"].flatten(), ignore_index=-1)
    )


def degrade(images: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Blur and noise, so the judge reads soft, imperfect pictures as well as crisp ones."""
    b = images.shape[0]
    blurred = torch.where(torch.rand(b, 1, 1, 1, generator=gen) < 0.4, _box_blur(images), images)
    sigma = torch.rand(b, 1, 1, 1, generator=gen) * 0.1
    return (blurred + sigma * torch.randn(images.shape, generator=gen)).clamp(0, 1)


@torch.no_grad()
def accuracy(net: judge.JudgeNet, n: int = 600, seed: int = EVAL_SEED) -> dict[str, float]:
    """Per-attribute accuracy of the judge on clean renders of single- and two-object scenes."""
    was_training = net.training
    net.eval()
    rng = random.Random(seed)
    scenes = [sample_scene(rng) for _ in range(n)]
    readings = judge.read(render(scenes, size=64, seed=seed), net)
    hits = {"colour": 0, "shape": 0, "position": 0, "background": 0}
    total = 0
    for scene, reading in zip(scenes, readings, strict=True):
        hits["background"] += reading.background == scene.background
        top = reading.object_colours(len(scene.objects))
        for obj in scene.objects:
            total += 1
            hits["colour"] += obj.colour in top
            hits["shape"] += reading.shape_of(obj.colour) == obj.shape
            hits["position"] += reading.position_of(obj.colour) == obj.position
    net.train(was_training)
    return {k: round(v / (n if k == "background" else total), 4) for k, v in hits.items()}


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng, gen = random.Random(args.seed), torch.Generator().manual_seed(args.seed)
    net = judge.JudgeNet()
    optimizer = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.steps)
    curve, start = [], time.time()
    for step in range(args.steps):
        scenes = [sample_scene(rng) for _ in range(args.batch_size)]
        images = degrade(render(scenes, size=64, generator=gen), gen)
        loss = judge_loss(net(images), judge.targets(scenes))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            point = {"step": step + 1, "minutes": round((time.time() - start) / 60, 2), "loss": round(loss.item(), 4)}
            point.update(accuracy(net))
            curve.append(point)
            print(json.dumps(point), flush=True)
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(args.out))
    report = {
        "seed": args.seed,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "clean_accuracy": curve[-1],
        "curve": curve,
    }
    args.out.with_name("judge_report.json").write_text(json.dumps(report, indent=2) + "\n")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.train_judge``."""
    parser = training_parser(
        __doc__, seed=1, steps=1500, batch_size=128, lr=3e-3, out=judge.WEIGHTS_PATH, eval_every=250
    )
    parser.add_argument("command", choices=["train"], nargs="?", default="train")
    return parser


def main() -> None:
    train(parser().parse_args())


if __name__ == "__main__":
    main()
