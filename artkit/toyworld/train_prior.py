"""Trains toyprior: the caption-conditioned denoiser of 32x32 toy-world scenes (see ``prior.py``).

    python -m artkit.toyworld.train_prior --seed 4 --steps 2000 --out stage1/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 5 --steps 1000 --lr 1e-3 --sigma-mean 0.0 \
        --init stage1/toyprior.safetensors --out stage2/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 6 --steps 1500 --lr 1e-3 --sigma-mean 0.5 --coords \
        --init stage2/toyprior.safetensors --out stage3/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 7 --steps 2000 --lr 1e-3 --sigma-mean 1.0 --coords --layout \
        --init stage3/toyprior.safetensors --out stage4/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 8 --steps 2000 --lr 1e-3 --sigma-mean 0.5 --fine-layout \
        --init stage4/toyprior.safetensors --out stage5/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 9 --steps 2000 --lr 5e-4 --sigma-mean 0.5 \
        --init stage5/toyprior.safetensors --out stage6/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 10 --steps 3000 --lr 5e-4 --sigma-mean 0.5 --eval-every 250 \
        --init stage6/toyprior.safetensors --out stage7/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 11 --steps 3000 --lr 5e-4 --sigma-mean 0.5 --eval-every 250 \
        --init stage7/toyprior.safetensors --out stage8/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 12 --steps 2000 --lr 5e-4 --sigma-mean 1.5 --eval-every 250 \
        --init stage8/toyprior.safetensors

The shipped weights are those nine stages. The later ones weight the noise levels towards the high ones,
where only the caption tells scenes apart, so that the denoiser learns to read it; the third gives it x and y
input channels (``--coords``), the fourth a map of the caption at its coarsest level (``--layout``), which
is what taught it where the caption puts things, and the fifth a finer map through a hidden layer
(``--fine-layout``), which with the sixth to eighth taught it some outlines (rings, squares, crosses). The
ninth goes back to high noise: below noise 3 a plain field shows through the noise, so stages centred lower
forgot the caption's background; at 6 and above only the caption names it. ``--plain-share`` makes a share
of the scenes plain fields captioned by their colour alone ("a blue background"); a tenth stage with it was
tried and not shipped (docs/toyworld-research.md, nineteenth session).
Each grown part starts at zero, so a stage starts from what the one before it computed.

Each step renders a batch of captioned scenes at 64 px, area-downsamples them to 32 px (as guidance sees
the picture), noises them at log-normal noise levels (EDM: mean -1.2, deviation 1.2) and learns to
predict the clean scene, weighted as EDM weights it (``--sigma-mean`` moves the levels' centre). A caption
is dropped (zeros) 15% of the time, so the same model gives the unconditional estimate that classifier-free
guidance needs. Captions are embedded by the shipped toyclip's text tower, which stays frozen. Writes the
weights (safetensors, float16) and ``toyprior_report.json`` beside them.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from artkit.toyworld.captions import describe
from artkit.toyworld.prior import (
    SIGMA_DATA,
    SIZE,
    WEIGHTS_PATH,
    Denoiser,
    caption_embeddings,
    from_config,
    read_weights,
    save,
)
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, sample_scene
from artkit.toyworld.training import training_parser
from artkit.toyworld.vocab import COLOUR_NAMES

EVAL_SEED = 123_458
DROP_CAPTION = 0.15


class CaptionEmbeddings:
    """:func:`~artkit.toyworld.prior.caption_embeddings`, computed once per caption."""

    def __init__(self) -> None:
        self._cache: dict[str, Tensor] = {}

    def __call__(self, captions: list[str]) -> Tensor:
        new = sorted({c for c in captions if c not in self._cache})
        if new:
            for caption, row in zip(new, caption_embeddings(new), strict=True):
                self._cache[caption] = row
        return torch.stack([self._cache[c] for c in captions])


def batch(rng: random.Random, n: int, seed: int, plain_share: float = 0.0) -> tuple[Tensor, list[str]]:
    """``n`` scenes at 32 px in [-1, 1] and their captions; about ``plain_share`` of them plain fields."""
    scenes = [_plain_scene(rng) if plain_share and rng.random() < plain_share else sample_scene(rng) for _ in range(n)]
    images = F.avg_pool2d(render(scenes, size=2 * SIZE, seed=seed), 2)
    return images * 2 - 1, [describe(s, rng) for s in scenes]


def _plain_scene(rng: random.Random) -> Scene:
    return Scene(rng.choice(COLOUR_NAMES))


@torch.no_grad()
def set_text_statistics(model: Denoiser, embed: CaptionEmbeddings, rng: random.Random, n: int = 4096) -> None:
    """Stores the mean and deviation of caption embeddings in ``model``, which standardises by them."""
    captions = [describe(sample_scene(rng), rng) for _ in range(n)]
    texts = torch.cat([embed(captions[i : i + 512]) for i in range(0, n, 512)])
    model.text_mean.copy_(texts.mean(0))
    model.text_std.copy_(texts.std(0).clamp(min=1e-3))


def denoising_loss(
    model: Denoiser, clean: Tensor, text: Tensor, gen: torch.Generator, sigma_mean: float = -1.2
) -> Tensor:
    """EDM's weighted denoising loss at log-normal noise levels (log-mean ``sigma_mean``, deviation 1.2)."""
    sigma = torch.exp(sigma_mean + 1.2 * torch.randn(len(clean), generator=gen))
    noisy = clean + sigma[:, None, None, None] * torch.randn(clean.shape, generator=gen)
    weight = (sigma**2 + SIGMA_DATA**2) / (sigma * SIGMA_DATA) ** 2
    return (weight[:, None, None, None] * (model(noisy, sigma, text) - clean) ** 2).mean()


@torch.no_grad()
def evaluate(model: Denoiser, embed: CaptionEmbeddings, n: int = 128) -> dict[str, float]:
    """Mean squared error of the clean estimate on held-out scenes, per noise level."""
    model.eval()
    clean, captions = batch(random.Random(EVAL_SEED), n, seed=EVAL_SEED)
    text, gen = embed(captions), torch.Generator().manual_seed(EVAL_SEED)
    noise = torch.randn(clean.shape, generator=gen)
    result = {}
    for sigma in (0.1, 0.4, 1.0, 3.0):
        s = torch.full((n,), sigma)
        result[f"mse_at_{sigma}"] = round(F.mse_loss(model(clean + sigma * noise, s, text), clean).item(), 5)
        blind = F.mse_loss(model(clean + sigma * noise, s, torch.zeros_like(text)), clean).item()
        result[f"mse_at_{sigma}_no_caption"] = round(blind, 5)
    model.train()
    return result


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng, gen = random.Random(args.seed), torch.Generator().manual_seed(args.seed)
    embed = CaptionEmbeddings()
    if args.init:
        model = continued(args.init)
        model = grown(model, coords=args.coords, layout=args.layout, fine_layout=args.fine_layout)
    else:
        model = Denoiser(coords=args.coords, layout=args.layout, fine_layout=args.fine_layout)
        set_text_statistics(model, embed, random.Random(args.seed + 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=args.steps, pct_start=0.05)
    history, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        clean, captions = batch(rng, args.batch_size, seed=args.seed * 1_000_003 + step, plain_share=args.plain_share)
        keep = (torch.rand(len(captions), generator=gen) >= DROP_CAPTION).float()[:, None]
        loss = denoising_loss(model, clean, embed(captions) * keep, gen, args.sigma_mean)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % args.eval_every == 0 or step == args.steps:
            point = {"step": step, "minutes": round((time.perf_counter() - start) / 60, 2), **evaluate(model, embed)}
            history.append(point)
            print(json.dumps(point), flush=True)
            write(model, args, history)


GROWN_PARTS = ("coords", "layout", "fine_layout")


def continued(init: Path) -> Denoiser:
    """The model at ``init``, ready to train on, built as the shipped stages were.

    A fresh model of its shape is drawn from torch's seeded generator first, then given the weights: those
    draws come before the initial weights of any part the stage grows, so they are part of what the recorded
    commands reproduce (:func:`~artkit.toyworld.prior.load` itself leaves the generator alone).
    """
    config, state = read_weights(init)
    model = from_config(config)
    model.load_state_dict(state)
    return model.train()


def grown(model: Denoiser, **parts: bool) -> Denoiser:
    """``model`` with the parts asked for (``coords``, ``layout``, ``fine_layout``) added, computing what it did.

    Example:
        >>> grown(Denoiser(), coords=True).config["coords"]
        True
    """
    config = dict(model.config)
    for name, wanted in parts.items():
        config[name] = bool(wanted or config.get(name, False))
    if all(config[name] == model.config.get(name, False) for name in GROWN_PARTS):
        return model
    bigger = from_config(config)
    state = model.state_dict()
    stem = state["stem.weight"]
    if stem.shape[1] < bigger.stem.weight.shape[1]:
        state["stem.weight"] = torch.cat([stem, torch.zeros(stem.shape[0], 2, *stem.shape[2:])], dim=1)
    state.update({k: v for k, v in bigger.state_dict().items() if k not in state})
    bigger.load_state_dict(state)
    return bigger.train()


def write(model: Denoiser, args: argparse.Namespace, history: list[dict]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save(model, args.out, {"seed": str(args.seed)})
    report = {
        "command": f"python -m artkit.toyworld.train_prior --seed {args.seed} --steps {args.steps} "
        f"--batch-size {args.batch_size} --lr {args.lr} --sigma-mean {args.sigma_mean} "
        f"--eval-every {args.eval_every}"
        + (f" --plain-share {args.plain_share}" if args.plain_share else "")
        + (f" --init {args.init}" if args.init else "")
        + (" --coords" if args.coords else "")
        + (" --layout" if args.layout else "")
        + (" --fine-layout" if args.fine_layout else ""),
        "parameters": sum(p.numel() for p in model.parameters()),
        "held_out": history[-1],
        "history": history,
    }
    args.out.with_name(f"{args.out.stem}_report.json").write_text(json.dumps(report, indent=1) + "\n")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.train_prior``."""
    parser = training_parser(__doc__.splitlines()[0], seed=4, steps=1500, batch_size=48, lr=2e-3, out=WEIGHTS_PATH)
    parser.add_argument("--sigma-mean", type=float, default=-1.2, help="log-mean of the training noise levels")
    parser.add_argument("--init", type=Path, help="start from these weights (a second stage)")
    parser.add_argument(
        "--plain-share", type=float, default=0.0, help="share of scenes that are a plain field, captioned by it alone"
    )
    parser.add_argument("--coords", action="store_true", help="give the denoiser x and y input channels")
    parser.add_argument("--layout", action="store_true", help="give the denoiser a caption map at its coarsest level")
    parser.add_argument("--fine-layout", action="store_true", help="and one at 16 px, through a hidden layer")
    return parser


def main() -> None:
    train(parser().parse_args())


if __name__ == "__main__":
    main()
