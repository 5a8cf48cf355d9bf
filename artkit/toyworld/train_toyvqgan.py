"""Trains toyvqgan: a small VQGAN (f8, 128 codes of 16 dimensions) on toy-world renders.

    python -m artkit.toyworld.train_toyvqgan --out stage1/toyvqgan.safetensors
    python -m artkit.toyworld.train_toyvqgan --seed 4 --steps 1000 --lr 5e-4 --init stage1/toyvqgan.safetensors

(the shipped weights: the second stage settles the first at a lower learning rate). It trains on ``--size``
crops (64x64, 8x8 latents) of renders ``--render-size`` pixels wide (128x128, the offline presets' size).
The model is convolutional, so it decodes latents of any size, but it draws well only at the scale it was
trained at: trained on whole 32x32 renders it could not draw a plain field at 128x128. It learns
reconstruction (L1 + L2) with taming's vector quantiser (codebook and commitment losses); unused codes are
restarted from encoder outputs every 50 steps of the first 80% so the codebook stays in use. There is
no adversarial (GAN) loss: on flat toy scenes it is not needed for sharp edges. Writes the weights
(safetensors, fp16) and ``toyvqgan_report.json`` beside them.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from artkit.models.vqgan import TOY_CONFIG, VQGAN
from artkit.toyworld.render import render
from artkit.toyworld.scene import sample_scene
from artkit.toyworld.training import training_parser

WEIGHTS_PATH = Path(__file__).parent / "weights" / "toyvqgan.safetensors"
REPORT_NAME = "toyvqgan_report.json"
EVAL_SEED = 123_457


def batch(rng: random.Random, n: int, seed: int, size: int = 64, render_size: int | None = None) -> torch.Tensor:
    """``n`` renders ``render_size`` wide (default ``size``), each cropped at random to ``size``."""
    images = render([sample_scene(rng) for _ in range(n)], size=render_size or size, seed=seed)
    return random_crops(images, size, torch.Generator().manual_seed(seed))


def random_crops(images: torch.Tensor, size: int, generator: torch.Generator) -> torch.Tensor:
    """One square crop of side ``size`` at a random place in each image (B, C, H, W).

    Example:
        >>> random_crops(torch.zeros(2, 3, 8, 8), 4, torch.Generator().manual_seed(0)).shape
        torch.Size([2, 3, 4, 4])
    """
    room = images.shape[-1] - size + 1
    corners = torch.randint(room, (len(images), 2), generator=generator).tolist()
    return torch.stack([image[:, y : y + size, x : x + size] for image, (y, x) in zip(images, corners, strict=True)])


def step_loss(model: VQGAN, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    latents = model.encode(images)
    quantised, codebook_loss, (_, _, indices) = model.quantize(latents)
    recon = model.decode(quantised)
    loss = (recon - images).abs().mean() + F.mse_loss(recon, images) + codebook_loss
    return loss, latents, indices


@torch.no_grad()
def restart_dead_codes(model: VQGAN, latents: torch.Tensor, used: torch.Tensor) -> int:
    dead = (~used).nonzero().flatten()
    if len(dead):
        pool = latents.movedim(1, -1).reshape(-1, latents.shape[1])
        pick = pool[torch.randint(len(pool), (len(dead),))]
        model.quantize.embedding.weight[dead] = pick + 0.01 * torch.randn_like(pick)
    return len(dead)


@torch.no_grad()
def evaluate(model: VQGAN, size: int, n: int | None = None) -> dict[str, float]:
    """Reconstruction of ``n`` held-out whole renders ``size`` wide (default: 256 at 32, 64 at 128):
    MSE, PSNR and the codes they use. Leaves ``model`` in the mode it found it in."""
    n = n or 8192 // size
    training = model.training
    model.eval()
    images = batch(random.Random(EVAL_SEED), n, seed=EVAL_SEED, size=size)
    quantised, _, (_, _, indices) = model.quantize(model.encode(images))
    mse = F.mse_loss(model.decode(quantised).clamp(0, 1), images).item()
    model.train(training)
    return {
        "mse": round(mse, 5),
        "psnr_db": round(10 * torch.log10(torch.tensor(1 / mse)).item(), 2),
        "codes_used": int(torch.unique(indices).numel()),
    }


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    model = VQGAN(TOY_CONFIG)
    if args.init:
        from safetensors.torch import load_file

        model.load_state_dict({k: v.float() for k, v in load_file(str(args.init)).items()})
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    used = torch.zeros(TOY_CONFIG["n_embed"], dtype=torch.bool)
    history, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        images = batch(rng, args.batch_size, args.seed * 1_000_003 + step, args.size, args.render_size)
        loss, latents, indices = step_loss(model, images)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        used[indices.flatten()] = True
        if step % 50 == 0 and step <= args.steps * 0.8:
            restart_dead_codes(model, latents.detach(), used)
            used[:] = False
        if step % args.eval_every == 0 or step == args.steps:
            point = {
                "step": step,
                "minutes": round((time.perf_counter() - start) / 60, 2),
                **evaluate(model, args.render_size),
            }
            history.append(point)
            print(json.dumps(point), flush=True)
    save(model, args, history)


def save(model: VQGAN, args: argparse.Namespace, history: list[dict]) -> None:
    from safetensors.torch import save_file

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(args.out), metadata={"config": json.dumps(TOY_CONFIG), "seed": str(args.seed)})
    report = {
        "command": f"python -m artkit.toyworld.train_toyvqgan --seed {args.seed} --steps {args.steps} "
        f"--batch-size {args.batch_size} --lr {args.lr} --size {args.size} --render-size {args.render_size}"
        + (f" --init {args.init}" if args.init else ""),
        "config": TOY_CONFIG,
        "parameters": sum(p.numel() for p in model.parameters()),
        "held_out": history[-1],
        "history": history,
    }
    previous = args.init.with_name(REPORT_NAME) if args.init else None
    if previous is not None and previous.is_file():
        report["previous_stage"] = json.loads(previous.read_text())
    args.out.with_name(REPORT_NAME).write_text(json.dumps(report, indent=1) + "\n")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.train_toyvqgan``."""
    parser = training_parser(
        __doc__.splitlines()[0], seed=3, steps=3000, batch_size=16, lr=2e-3, out=WEIGHTS_PATH, eval_every=250
    )
    parser.add_argument("--size", type=int, default=64, help="side of the training images")
    parser.add_argument(
        "--render-size", type=int, default=128, help="render this wide and crop `--size` (as wide: whole renders)"
    )
    parser.add_argument("--init", type=Path, default=None, help="start from these weights")
    return parser


def main() -> None:
    command = parser()
    args = command.parse_args()
    if args.render_size < args.size:
        command.error(f"--render-size ({args.render_size}) must be at least --size ({args.size}): crops of a render")
    train(args)


if __name__ == "__main__":
    main()
