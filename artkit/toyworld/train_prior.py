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
        --init stage8/toyprior.safetensors --out stage9/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 14 --steps 2000 --lr 5e-4 --sigma-mean 1.0 --eval-every 500 \
        --favour circle star --favour-share 0.33 --init stage9/toyprior.safetensors --out stage10/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 15 --steps 2000 --lr 5e-4 --sigma-mean 1.0 --eval-every 500 \
        --text robust shapes --init stage10/toyprior.safetensors --out stage11/toyprior.safetensors
    python -m artkit.toyworld.train_prior --seed 16 --steps 2000 --lr 5e-4 --sigma-mean 1.0 --eval-every 500 \
        --init stage11/toyprior.safetensors

The shipped weights are those twelve stages. The later ones weight the noise levels towards the high ones,
where only the caption tells scenes apart, so that the denoiser learns to read it; the third gives it x and y
input channels (``--coords``), the fourth a map of the caption at its coarsest level (``--layout``), which
is what taught it where the caption puts things, and the fifth a finer map through a hidden layer
(``--fine-layout``), which with the sixth to eighth taught it some outlines (rings, squares, crosses). The
ninth goes back to high noise: below noise 3 a plain field shows through the noise, so stages centred lower
forgot the caption's background; at 6 and above only the caption names it. ``--plain-share`` makes a share
of the scenes plain fields captioned by their colour alone ("a blue background"); a stage with it after the
ninth was tried and not shipped (docs/toyworld-research.md, nineteenth session). The shipped tenth sees the
two shapes it drew worst, circles and stars, more often (``--favour``). The eleventh is conditioned on the
caption's embedding by the ``shapes`` toyclip beside the robust one's (``--text robust shapes``): the robust
toyclip's text tower puts captions that differ only in shape almost on top of each other (a circle and a
square at cosine 0.997), so the denoiser could hardly tell which outline a caption asked for. The twelfth
trains the eleventh further on the usual scenes (guided, it draws stars with five points where the eleventh
drew some as crosses).
Each grown part (and each new toyclip's inputs) starts at zero, so a stage starts from what the one before it
computed.

Each step renders a batch of captioned scenes at 64 px, area-downsamples them to 32 px (as guidance sees
the picture), noises them at log-normal noise levels (EDM: mean -1.2, deviation 1.2) and learns to
predict the clean scene, weighted as EDM weights it (``--sigma-mean`` moves the levels' centre). A caption
is dropped (zeros) 15% of the time, so the same model gives the unconditional estimate that classifier-free
guidance needs. Captions are embedded by the text towers of the shipped toyclips ``--text`` names (the robust
one alone until the eleventh stage), which stay frozen. Writes the
weights (safetensors, float16) and ``toyprior_report.json`` beside them.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from artkit.toyworld.captions import describe
from artkit.toyworld.prior import (
    SIGMA_DATA,
    SIZE,
    TEXT_MODELS,
    WEIGHTS_PATH,
    Denoiser,
    caption_embeddings,
    from_config,
    read_weights,
    save,
)
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, sample_scene
from artkit.toyworld.toyclip import SHIPPED_WEIGHTS
from artkit.toyworld.training import training_parser
from artkit.toyworld.vocab import COLOUR_NAMES, SHAPES

EVAL_SEED = 123_458
DROP_CAPTION = 0.15


class CaptionEmbeddings:
    """:func:`~artkit.toyworld.prior.caption_embeddings` by the toyclips ``text``, computed once per caption."""

    def __init__(self, text: tuple[str, ...] = TEXT_MODELS) -> None:
        self.text = text
        self._cache: dict[str, Tensor] = {}

    def __call__(self, captions: list[str]) -> Tensor:
        new = sorted({c for c in captions if c not in self._cache})
        if new:
            for caption, row in zip(new, caption_embeddings(new, self.text), strict=True):
                self._cache[caption] = row
        return torch.stack([self._cache[c] for c in captions])


def batch(
    rng: random.Random, n: int, seed: int, plain_share: float = 0.0, favour: Favour | None = None
) -> tuple[Tensor, list[str]]:
    """``n`` scenes at 32 px in [-1, 1] and their captions; about ``plain_share`` of them plain fields.

    ``favour`` redraws the shapes of a share of the scenes from a few shapes, so that those are seen more often.
    """
    scenes = [_plain_scene(rng) if plain_share and rng.random() < plain_share else sample_scene(rng) for _ in range(n)]
    if favour:
        scenes = [favour.apply(scene, rng) for scene in scenes]
    images = F.avg_pool2d(render(scenes, size=2 * SIZE, seed=seed), 2)
    return images * 2 - 1, [describe(s, rng) for s in scenes]


@dataclass(frozen=True)
class Favour:
    """Shapes a training stage sees more often: each scene, with probability ``share``, has its objects' shapes
    redrawn from ``shapes``.

    Example:
        >>> from artkit.toyworld.scene import ToyObject
        >>> scene = Scene("red", (ToyObject("square", "blue", "left", "big"),))
        >>> Favour(("star",), 1.0).apply(scene, random.Random(0)).objects[0].shape
        'star'
    """

    shapes: tuple[str, ...]
    share: float

    def apply(self, scene: Scene, rng: random.Random) -> Scene:
        if not scene.objects or rng.random() >= self.share:
            return scene
        return replace(scene, objects=tuple(replace(o, shape=rng.choice(self.shapes)) for o in scene.objects))


def _plain_scene(rng: random.Random) -> Scene:
    return Scene(rng.choice(COLOUR_NAMES))


@torch.no_grad()
def set_text_statistics(
    model: Denoiser, embed: CaptionEmbeddings, rng: random.Random, n: int = 4096, start: int = 0
) -> None:
    """Stores the mean and deviation of caption embeddings in ``model``, which standardises by them; ``start``
    leaves the dimensions before it as they are (those of the toyclips a widened model was trained with)."""
    captions = [describe(sample_scene(rng), rng) for _ in range(n)]
    texts = torch.cat([embed(captions[i : i + 512]) for i in range(0, n, 512)])[:, start:]
    model.text_mean[start:].copy_(texts.mean(0))
    model.text_std[start:].copy_(texts.std(0).clamp(min=1e-3))


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
    if args.init:
        model = continued(args.init)
        model = grown(model, coords=args.coords, layout=args.layout, fine_layout=args.fine_layout)
        known = model.config["text_dim"]
        model = with_text(model, tuple(args.text)) if args.text else model
    else:
        text = tuple(args.text or TEXT_MODELS)
        model = Denoiser(coords=args.coords, layout=args.layout, fine_layout=args.fine_layout, text=text)
        known = 0
    embed = CaptionEmbeddings(model.text)
    if known < model.config["text_dim"]:
        set_text_statistics(model, embed, random.Random(args.seed + 1), start=known)
    favour = Favour(tuple(args.favour), args.favour_share) if args.favour else None
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=args.steps, pct_start=0.05)
    history, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        seed = args.seed * 1_000_003 + step
        clean, captions = batch(rng, args.batch_size, seed, args.plain_share, favour)
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
    return widened(model, config)


def with_text(model: Denoiser, text: tuple[str, ...]) -> Denoiser:
    """``model`` conditioned on the caption embeddings of the toyclips ``text`` (those it has, then more),
    computing what it did: every weight that reads the new embeddings starts at zero for them.

    Example:
        >>> with_text(Denoiser(), ("robust", "shapes")).config["text_dim"]
        256
    """
    if text[: len(model.text)] != model.text:
        raise ValueError(f"--text must start with the toyclips the model has: {' '.join(model.text)}")
    if text == model.text:
        return model
    return widened(model, {**model.config, "text": list(text)})


def widened(model: Denoiser, config: dict) -> Denoiser:
    """A denoiser of ``config`` (``model``'s, with parts or inputs added) that computes what ``model`` did.

    ``model``'s weights are kept; a weight with more inputs (the stem's x and y channels, a new toyclip's
    embedding) gets zeros for them, a new part keeps its fresh weights (each ends in a map that starts at zero),
    and the statistics of a new toyclip's embeddings are left for training to set.
    """
    wider = from_config(config)
    state = model.state_dict()
    for key, new in wider.state_dict().items():
        old = state.get(key)
        if old is None:
            state[key] = new
        elif key in ("text_mean", "text_std") and old.shape != new.shape:
            state[key] = torch.cat([old, new[len(old) :]])
        elif old.shape != new.shape:
            extra = new.shape[1] - old.shape[1]
            state[key] = torch.cat([old, old.new_zeros(old.shape[0], extra, *old.shape[2:])], dim=1)
    wider.load_state_dict(state)
    return wider.train()


def write(model: Denoiser, args: argparse.Namespace, history: list[dict]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save(model, args.out, {"seed": str(args.seed)})
    report = {
        "command": f"python -m artkit.toyworld.train_prior --seed {args.seed} --steps {args.steps} "
        f"--batch-size {args.batch_size} --lr {args.lr} --sigma-mean {args.sigma_mean} "
        f"--eval-every {args.eval_every}"
        + (f" --plain-share {args.plain_share}" if args.plain_share else "")
        + (f" --favour {' '.join(args.favour)} --favour-share {args.favour_share}" if args.favour else "")
        + (f" --init {args.init}" if args.init else "")
        + (" --coords" if args.coords else "")
        + (" --layout" if args.layout else "")
        + (" --fine-layout" if args.fine_layout else "")
        + (f" --text {' '.join(args.text)}" if args.text else ""),
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
    parser.add_argument("--favour", nargs="+", choices=SHAPES, help="shapes to show more often")
    parser.add_argument(
        "--favour-share", type=float, default=0.33, help="share of scenes whose shapes are redrawn from --favour"
    )
    parser.add_argument(
        "--text", nargs="+", choices=list(SHIPPED_WEIGHTS), help="the toyclips whose caption embeddings condition it"
    )
    parser.add_argument("--coords", action="store_true", help="give the denoiser x and y input channels")
    parser.add_argument("--layout", action="store_true", help="give the denoiser a caption map at its coarsest level")
    parser.add_argument("--fine-layout", action="store_true", help="and one at 16 px, through a hidden layer")
    return parser


def main() -> None:
    train(parser().parse_args())


if __name__ == "__main__":
    main()
