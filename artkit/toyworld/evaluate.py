"""Zero-shot evaluation of a CLIP-like model on held-out toy-world scenes.

For each attribute (colour, shape, position, size, background) the model chooses among captions that
differ only in that attribute; accuracy is the share of scenes where the true caption wins. Scenes are
single-object, drawn from a seed the training script never uses, and include colour-shape pairs held
out of training (reported separately as ``held_out_pairs``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

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
