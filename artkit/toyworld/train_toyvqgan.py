"""Trains toyvqgan: a small VQGAN (f8, 128 codes of 16 dimensions) on toy-world renders.

    python -m artkit.toyworld.train_toyvqgan --seed 2 --steps 1500

It trains on 32x32 renders (4x4 latents; the model is convolutional, so it then decodes latents of
any size: a 128x128 run uses 16x16).
It learns reconstruction (L1 + L2) with taming's vector quantiser (codebook and commitment losses);
unused codes are restarted from encoder outputs every 50 steps so the codebook stays in use. There is
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
EVAL_SEED = 123_457


def batch(rng: random.Random, n: int, seed: int, size: int = 64) -> torch.Tensor:
    return render([sample_scene(rng) for _ in range(n)], size=size, seed=seed)


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
def evaluate(model: VQGAN, size: int, n: int = 256) -> dict[str, float]:
    model.eval()
    images = batch(random.Random(EVAL_SEED), n, seed=EVAL_SEED, size=size)
    _, _, indices = step_loss(model, images)
    from artkit.models.vqgan import quantize

    recon = model.decode(quantize(model.encode(images), model.codebook)).clamp(0, 1)
    model.train()
    mse = F.mse_loss(recon, images).item()
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
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    used = torch.zeros(TOY_CONFIG["n_embed"], dtype=torch.bool)
    history, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        images = batch(rng, args.batch_size, seed=args.seed * 1_000_003 + step, size=args.size)
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
                **evaluate(model, args.size),
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
        f"--batch-size {args.batch_size} --lr {args.lr} --size {args.size}",
        "config": TOY_CONFIG,
        "parameters": sum(p.numel() for p in model.parameters()),
        "held_out": history[-1],
        "history": history,
    }
    args.out.with_name("toyvqgan_report.json").write_text(json.dumps(report, indent=1) + "\n")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.train_toyvqgan``."""
    parser = training_parser(__doc__.splitlines()[0], seed=2, steps=1500, batch_size=32, lr=2e-3, out=WEIGHTS_PATH)
    parser.add_argument("--size", type=int, default=32, help="side of the training renders")
    return parser


def main() -> None:
    train(parser().parse_args())


if __name__ == "__main__":
    main()
