"""Trains toyclip on the toy world: ``python -m artkit.toyworld.train_toyclip --seed 0``.

Deterministic given the seed on one machine (CPU, fixed thread count). Writes the weights as
safetensors and a report beside them (``NAME_report.json`` for ``--out NAME.safetensors``) with the
zero-shot accuracy curve; a further stage (``--init``) keeps the report of the stage before it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import torch

from artkit.toyworld import toyclip
from artkit.toyworld.adversarial import freeze_batchnorm, guided_images, text_to_image_loss
from artkit.toyworld.data import BackgroundPrior, make_batch
from artkit.toyworld.evaluate import image_margins, zero_shot_report
from artkit.toyworld.robust import NORMS, perturbed
from artkit.toyworld.training import training_parser
from artkit.toyworld.vocab import COLOUR_NAMES


def same_caption(captions: list[str]) -> torch.Tensor:
    """(N, N) matrix, 1 where two captions are equal: such pairs are positives of each other."""
    ids = {c: i for i, c in enumerate(dict.fromkeys(captions))}
    labels = torch.tensor([ids[c] for c in captions])
    return (labels[:, None] == labels[None, :]).float()


def contrastive_loss(
    image_emb: torch.Tensor, text_emb: torch.Tensor, scale: torch.Tensor, captions: list[str], negatives: torch.Tensor
) -> torch.Tensor:
    """Symmetric InfoNCE where every pair with the same caption counts as a positive.

    ``negatives`` (M, D) are extra captions that are false of their images (one attribute changed):
    the image-to-text direction must rank them below the true captions.
    """
    image_emb = torch.nn.functional.normalize(image_emb, dim=-1)
    text_emb = torch.nn.functional.normalize(text_emb, dim=-1)
    negatives = torch.nn.functional.normalize(negatives, dim=-1)
    logits = scale.exp() * image_emb @ text_emb.T
    target = same_caption(captions)
    target = target / target.sum(dim=1, keepdim=True)
    with_negatives = torch.cat([logits, scale.exp() * image_emb @ negatives.T], dim=1)
    target_i = torch.cat([target, torch.zeros(len(captions), negatives.shape[0])], dim=1)
    loss_i = -(target_i * with_negatives.log_softmax(dim=1)).sum(dim=1).mean()
    loss_t = -(target * logits.log_softmax(dim=0)).sum(dim=0).mean()
    return (loss_i + loss_t) / 2


TWIN_SCALE = 20.0  # the twin loss's logit scale: it keeps pushing until a margin of about 0.2, not 0.05


def twin_loss(
    text_emb: torch.Tensor, image_emb: torch.Tensor, twin_emb: torch.Tensor, differs: torch.Tensor
) -> torch.Tensor:
    """Each caption must prefer its own image to the image's shape twin (cross-entropy over the two).

    This trains the side guidance uses: the caption is fixed and the picture changes. The contrastive loss
    rarely meets a batch image that differs from another only in shape, so without it the image-side shape
    margin stays small (see docs/toyworld-research.md).
    """
    text_emb = torch.nn.functional.normalize(text_emb, dim=-1)
    own = (text_emb * torch.nn.functional.normalize(image_emb, dim=-1)).sum(dim=-1)
    twin = (text_emb * torch.nn.functional.normalize(twin_emb, dim=-1)).sum(dim=-1)
    loss = torch.nn.functional.softplus(TWIN_SCALE * (twin - own))
    return loss[differs].mean() if differs.any() else loss.sum() * 0


def _adversarial_term(model, text_emb, image_emb, captions, gen) -> torch.Tensor:
    """Guided images for the first captions must lose to the real ones (see :mod:`adversarial`)."""
    fakes = guided_images(model, text_emb, gen)
    same = same_caption(captions)[: text_emb.shape[0]]
    return text_to_image_loss(text_emb, image_emb, model.encode_image(fakes), model.logit_scale, same)


def _robust_images(model, images, text_emb, batch, args) -> torch.Tensor:
    """The batch's images (and their twins, after them) moved (PGD, radius ``--robust`` in ``--robust-norm``)
    to where the loss is worst."""

    def loss_of(x: torch.Tensor) -> torch.Tensor:
        return _loss(model.encode_image(x), text_emb, batch, model.logit_scale.detach())

    return perturbed(images, loss_of, args.robust, args.robust_steps, args.robust_norm)


def _loss(image_emb, text_emb, batch, scale) -> torch.Tensor:
    """The contrastive loss of a batch's images, plus the twin loss where the batch has twins (after them)."""
    n = len(batch.captions)
    loss = contrastive_loss(image_emb[:n], text_emb[:n], scale, batch.captions, text_emb[n:])
    if batch.twin_images is not None:
        loss = loss + twin_loss(text_emb[:n], image_emb[:n], image_emb[n:], batch.twin_differs)
    return loss


def _initial_model(args: argparse.Namespace) -> torch.nn.Module:
    """toyclip at ``--image-width`` and ``--image-size``, from ``--init``'s weights if given.

    A further stage takes ``--init``'s width; it may change the input size (the attention pool's positions
    are resampled, see :func:`toyclip.resized`).
    """
    if args.init is None:
        return toyclip.build(image_width=args.image_width, image_size=args.image_size)
    model = toyclip.create(weights=args.init, image_size=args.image_size)
    width = toyclip.image_width_of(model.state_dict())
    if args.image_width not in (None, width):
        raise SystemExit(f"--image-width {args.image_width}: --init {args.init} has an image tower of width {width}")
    return model


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return lr * 0.5 * (1 + math.cos(math.pi * progress))


def evaluate(model, frozen_bn: bool) -> dict[str, float]:
    model.eval()
    encoders, size = toyclip.encoders(model), model.visual.image_size
    report = zero_shot_report(*encoders, size=size)
    margins = image_margins(*encoders, size=size)
    report.update({f"{attribute}_margin": margin for attribute, margin in margins.items()})
    train_mode(model, frozen_bn)
    return report


def train_mode(model, frozen_bn: bool) -> None:
    model.train()
    if frozen_bn:
        freeze_batchnorm(model)


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng, gen = random.Random(args.seed), torch.Generator().manual_seed(args.seed)
    model = _initial_model(args)
    tokenize = toyclip.tokenizer()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    curve, used_tokens, start = [], [], time.time()
    frozen_bn = bool(args.adversarial or args.robust)
    prior = BackgroundPrior(args.default_background, args.default_background_p) if args.default_background else None
    train_mode(model, frozen_bn)
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.steps, args.lr, args.warmup)
        batch = make_batch(
            rng,
            gen,
            model.visual.image_size,
            args.batch_size,
            background_prior=prior,
            shape_negatives=args.shape_negatives,
            twin_images=args.twin_images,
        )
        negatives = [n for n in batch.negatives if n is not None] + batch.shape_negatives
        tokens = tokenize(batch.captions + negatives)
        used_tokens.append(tokens.unique())
        text_emb = model.encode_text(tokens)
        images = batch.images if batch.twin_images is None else torch.cat([batch.images, batch.twin_images])
        if args.robust:
            images = _robust_images(model, images, text_emb.detach(), batch, args)
        image_emb = model.encode_image(images)
        loss = _loss(image_emb, text_emb, batch, model.logit_scale)
        if args.adversarial:
            loss = loss + _adversarial_term(
                model, text_emb[: args.adversarial], image_emb[: len(batch.captions)], batch.captions, gen
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            point = {"step": step + 1, "minutes": round((time.time() - start) / 60, 2), "loss": round(loss.item(), 4)}
            point.update({k: round(v, 4) for k, v in evaluate(model, frozen_bn).items()})
            curve.append(point)
            print(json.dumps(point), flush=True)
            toyclip.save_state_dict(model, args.out, torch.cat(used_tokens))
    report = {
        "init": str(args.init) if args.init else None,
        "adversarial": args.adversarial,
        "robust": {"epsilon": args.robust, "steps": args.robust_steps, "norm": args.robust_norm}
        if args.robust
        else None,
        "default_background": {"colour": args.default_background, "p": args.default_background_p}
        if args.default_background
        else None,
        "shape_negatives": args.shape_negatives,
        "twin_images": args.twin_images,
        "image_width": toyclip.image_width_of(model.state_dict()),
        "image_size": model.visual.image_size,
        "seed": args.seed,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "threads": args.threads,
        "final": curve[-1],
        "curve": curve,
    }
    previous = toyclip.report_path(args.init) if args.init else None
    if previous is not None and previous.is_file():
        report["previous_stage"] = json.loads(previous.read_text())
    toyclip.report_path(args.out).write_text(json.dumps(report, indent=2) + "\n")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.train_toyclip``."""
    parser = training_parser(__doc__, seed=0, steps=1500, batch_size=160, lr=2e-3, out=toyclip.WEIGHTS_PATH)
    parser.add_argument("command", choices=["train"], nargs="?", default="train")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--init", type=Path, help="start from these weights (a second, fine-tuning stage)")
    parser.add_argument("--image-width", type=int, help="the image tower's width (default: 16, or --init's)")
    parser.add_argument(
        "--image-size",
        type=int,
        choices=(64, 96, 128, 160, 192),
        help="the image tower's input side in pixels (default: 64, or --init's); training renders at this size",
    )
    parser.add_argument("--adversarial", type=int, default=0, help="guided negative images per step (0: off)")
    parser.add_argument("--robust", type=float, default=0.0, help="PGD training: radius of the perturbation (0: off)")
    parser.add_argument(
        "--robust-norm",
        choices=NORMS,
        default="l2",
        help="how --robust measures a change: l2 (per image) or linf (per pixel value)",
    )
    parser.add_argument("--robust-steps", type=int, default=3, help="PGD steps per batch")
    parser.add_argument(
        "--shape-negatives", type=int, default=0, help="extra negative captions per image that change only a shape"
    )
    parser.add_argument(
        "--twin-images",
        action="store_true",
        help="each image also gets a twin with one shape changed, which its caption must not prefer",
    )
    parser.add_argument(
        "--default-background",
        choices=COLOUR_NAMES,
        help="the background a caption that names none implies (default: any)",
    )
    parser.add_argument(
        "--default-background-p",
        type=float,
        default=0.8,
        help="how often such a caption's scene gets the default background",
    )
    return parser


def main() -> None:
    train(parser().parse_args())


if __name__ == "__main__":
    main()
