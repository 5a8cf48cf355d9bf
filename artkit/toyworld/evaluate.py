"""Zero-shot evaluation of a CLIP-like model on held-out toy-world scenes.

For each attribute (colour, shape, position, size, background) the model chooses among captions that
differ only in that attribute; accuracy is the share of scenes where the true caption wins. Scenes are
single-object, drawn from a seed the training script never uses, and include colour-shape pairs held
out of training (reported separately as ``held_out_pairs``).

:func:`image_margins` measures the other side, the one guidance sees: the caption is fixed and the
picture changes. ``python -m artkit.toyworld.evaluate --weights PATH`` prints both for a weights file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
from collections.abc import Callable
from pathlib import Path

import torch

from artkit.toyworld.captions import full_caption
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject, sample_scene
from artkit.toyworld.vocab import COLOUR_NAMES, HELD_OUT_PAIRS, POSITION_NAMES, SHAPES, SIZE_NAMES

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "colour": COLOUR_NAMES,
    "shape": SHAPES,
    "position": POSITION_NAMES,
    "size": SIZE_NAMES,
    "background": COLOUR_NAMES,
}
EVAL_SEED = 10_007
MARGIN_ATTRIBUTES: tuple[str, ...] = ("colour", "shape", "position")


def _variant(scene: Scene, attribute: str, value: str) -> Scene:
    if attribute == "background":
        return dataclasses.replace(scene, background=value)
    obj = dataclasses.replace(scene.objects[0], **{attribute: value})
    return dataclasses.replace(scene, objects=(obj,))


def _eval_scenes(n: int, seed: int) -> list[Scene]:
    rng = random.Random(seed)
    scenes = [sample_scene(rng, two_objects_p=0.0) for _ in range(n)]
    held = [p for p in sorted(HELD_OUT_PAIRS)]
    for i in range(n // 4):  # a quarter of the set shows pairs never seen in training
        colour, shape = held[i % len(held)]
        s = scenes[i]
        background = s.background if s.background != colour else ("black" if colour != "black" else "white")
        scenes[i] = Scene(background, (ToyObject(shape, colour, s.objects[0].position, s.objects[0].size),))
    return scenes


@torch.no_grad()
def zero_shot_report(
    encode_image: Callable[[torch.Tensor], torch.Tensor],
    encode_text: Callable[[list[str]], torch.Tensor],
    n: int = 400,
    seed: int = EVAL_SEED,
    size: int = 64,
) -> dict[str, float]:
    """Accuracy per attribute, overall and on held-out colour-shape pairs."""
    scenes = _eval_scenes(n, seed)
    image_emb = torch.nn.functional.normalize(encode_image(render(scenes, size=size, seed=seed)), dim=-1)
    held = torch.tensor([(s.objects[0].colour, s.objects[0].shape) in HELD_OUT_PAIRS for s in scenes])
    report: dict[str, float] = {}
    correct_all = torch.ones(n, dtype=torch.bool)
    for attribute, values in ATTRIBUTES.items():
        correct = _attribute_correct(scenes, image_emb, encode_text, attribute, values)
        report[attribute] = correct.float().mean().item()
        correct_all &= correct
    report["all"] = correct_all.float().mean().item()
    report["held_out_pairs"] = correct_all[held].float().mean().item()
    return report


def _attribute_correct(scenes, image_emb, encode_text, attribute, values) -> torch.Tensor:
    captions = [full_caption(_variant(s, attribute, v)) for s in scenes for v in values]
    text_emb = torch.nn.functional.normalize(encode_text(captions), dim=-1).view(len(scenes), len(values), -1)
    scores = torch.einsum("nd,nvd->nv", image_emb, text_emb)
    truth = torch.tensor([values.index(_value_of(s, attribute)) for s in scenes])
    return scores.argmax(dim=1) == truth


def _value_of(scene: Scene, attribute: str) -> str:
    return scene.background if attribute == "background" else getattr(scene.objects[0], attribute)


@torch.no_grad()
def image_margins(
    encode_image: Callable[[torch.Tensor], torch.Tensor],
    encode_text: Callable[[list[str]], torch.Tensor],
    n: int = 100,
    seed: int = EVAL_SEED,
    size: int = 64,
) -> dict[str, float]:
    """Per attribute, how much a scene's caption prefers the scene's render to any render that changes
    only that attribute: the mean over ``n`` held-out scenes of cos(caption, render) minus the best
    cos(caption, changed render). Renders are clean (no jitter, no noise).

    A margin near 0 means guidance towards the caption has no reason to draw that attribute right.
    """
    scenes = _eval_scenes(n, seed)
    text = torch.nn.functional.normalize(encode_text([full_caption(s) for s in scenes]), dim=-1)
    own = (_clean_embeddings(encode_image, scenes, size) * text).sum(dim=-1)
    report: dict[str, float] = {}
    for attribute in MARGIN_ATTRIBUTES:
        owners, variants = _visible_variants(scenes, attribute)
        scores = (_clean_embeddings(encode_image, variants, size) * text[owners]).sum(dim=-1)
        best = torch.full((n,), -2.0).scatter_reduce(0, owners, scores, reduce="amax")
        report[attribute] = (own - best).mean().item()
    return report


def _visible_variants(scenes: list[Scene], attribute: str) -> tuple[torch.Tensor, list[Scene]]:
    """Every scene with ``attribute`` changed to each other value, skipping objects drawn in the background's colour."""
    owners, variants = [], []
    for i, scene in enumerate(scenes):
        for value in ATTRIBUTES[attribute]:
            variant = _variant(scene, attribute, value)
            if value != _value_of(scene, attribute) and variant.objects[0].colour != variant.background:
                owners.append(i)
                variants.append(variant)
    return torch.tensor(owners), variants


def _clean_embeddings(encode_image, scenes: list[Scene], size: int, chunk: int = 512) -> torch.Tensor:
    embeddings = [
        encode_image(render(scenes[i : i + chunk], size=size, jitter=0.0, noise=0.0))
        for i in range(0, len(scenes), chunk)
    ]
    return torch.nn.functional.normalize(torch.cat(embeddings), dim=-1)


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m artkit.toyworld.evaluate``."""
    parser = argparse.ArgumentParser(description="toyclip's zero-shot accuracy and image margins, as JSON")
    parser.add_argument("--weights", type=Path, help="toyclip weights (default: the shipped ones)")
    parser.add_argument("--n", type=int, default=400, help="held-out scenes for the zero-shot accuracy")
    parser.add_argument("--margin-n", type=int, default=100, help="held-out scenes for the image margins")
    return parser


def main(argv: list[str] | None = None) -> None:
    from artkit.toyworld import toyclip

    command = parser()
    args = command.parse_args(argv)
    weights = args.weights or toyclip.WEIGHTS_PATH
    if not weights.is_file():
        command.error(f"--weights: no file at {weights}; give the path of a toyclip .safetensors file")
    model = toyclip.create(weights=weights)
    encoders, size = toyclip.encoders(model), model.visual.image_size
    report = {
        "weights": str(weights),
        "image_size": size,
        "zero_shot": zero_shot_report(*encoders, n=args.n, size=size),
        "image_margins": image_margins(*encoders, n=args.margin_n, size=size),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
