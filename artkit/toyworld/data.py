"""Batches of rendered, augmented toy-world scenes with captions, for training toyclip and the judge."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

import torch
from torch import Tensor

from artkit.toyworld.captions import describe
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, sample_scene
from artkit.toyworld.vocab import COLOUR_NAMES, POSITION_NAMES, SHAPES


@dataclass
class Batch:
    images: Tensor
    scenes: list[Scene]
    captions: list[str]
    negatives: list[str | None]


# Which attribute a hard negative changes: mostly shape, the attribute that is slowest to learn.
NEGATIVE_ATTRIBUTES = ("shape", "shape", "shape", "colour", "position", "background")


def hard_negative(scene: Scene, rng: random.Random) -> Scene:
    """The scene with one attribute of one object (or the background) changed to another value."""
    attribute = rng.choice(NEGATIVE_ATTRIBUTES)
    if attribute == "background":
        others = [c for c in COLOUR_NAMES if c != scene.background and all(o.colour != c for o in scene.objects)]
        return dataclasses.replace(scene, background=rng.choice(others))
    index = rng.randrange(len(scene.objects))
    obj = scene.objects[index]
    values = {"shape": SHAPES, "colour": COLOUR_NAMES, "position": POSITION_NAMES}[attribute]
    changed = dataclasses.replace(obj, **{attribute: rng.choice([v for v in values if v != getattr(obj, attribute)])})
    objects = list(scene.objects)
    objects[index] = changed
    return dataclasses.replace(scene, objects=tuple(objects))


def caption_pair(scene: Scene, rng: random.Random) -> tuple[str, str | None]:
    """A caption and the same caption for a hard-negative scene (None when they read the same)."""
    state = rng.getstate()
    caption = describe(scene, rng)
    twin = random.Random()
    twin.setstate(state)
    negative = describe(hard_negative(scene, random.Random(rng.random())), twin)
    return caption, (negative if negative != caption else None)


def robustness_augment(images: Tensor, gen: torch.Generator, crop_scale: float = 0.7) -> Tensor:
    """The views a guided image is seen through: mild crops, small rotations, blur, strong noise.

    Crops keep at least ``crop_scale`` of each side, so an object on the left stays on the left.
    """
    b, _, h, w = images.shape
    scale = crop_scale + (1 - crop_scale) * torch.rand(b, generator=gen)
    angle = (torch.rand(b, generator=gen) * 2 - 1) * 0.14
    shift = (torch.rand(b, 2, generator=gen) * 2 - 1) * (1 - scale[:, None])
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = torch.nn.functional.affine_grid(theta, [b, 3, h, w], align_corners=False)
    out = torch.nn.functional.grid_sample(images, grid, padding_mode="reflection", align_corners=False)
    blur = torch.rand(b, 1, 1, 1, generator=gen) < 0.25
    out = torch.where(blur, _box_blur(out), out)
    sigma = torch.rand(b, 1, 1, 1, generator=gen) ** 2 * 0.15
    return (out + sigma * torch.randn(out.shape, generator=gen)).clamp(0, 1)


def _box_blur(images: Tensor) -> Tensor:
    return torch.nn.functional.avg_pool2d(images, 3, stride=1, padding=1, count_include_pad=False)


def make_batch(
    rng: random.Random,
    gen: torch.Generator,
    size: int,
    batch_size: int,
    allow_held_out: bool = False,
    augment: bool = True,
    background_prior: BackgroundPrior | None = None,
) -> Batch:
    """Samples, renders and (optionally) augments a batch of scenes with one caption each."""
    scenes = [sample_scene(rng, allow_held_out=allow_held_out) for _ in range(batch_size)]
    pairs = [caption_pair(s, rng) for s in scenes]
    if background_prior is not None:
        scenes = [background_prior.apply(s, c, rng) for s, (c, _) in zip(scenes, pairs, strict=True)]
    images = render(scenes, size=size, generator=gen)
    if augment:
        images = robustness_augment(images, gen)
    return Batch(images, scenes, [c for c, _ in pairs], [n for _, n in pairs])


@dataclass(frozen=True)
class BackgroundPrior:
    """What a caption that names no background implies: with probability ``p``, a ``colour`` field.

    Without it, such captions come with any background, and guidance paints the model's favourite
    field colour around the object. Scenes with an object of ``colour`` keep their own background.

    Example:
        >>> from artkit.toyworld.scene import ToyObject
        >>> prior = BackgroundPrior("white", p=1.0)
        >>> scene = Scene("green", (ToyObject("circle", "red", "left", "big"),))
        >>> prior.apply(scene, "a red circle on the left", random.Random(0)).background
        'white'
        >>> prior.apply(scene, "a red circle on a green background", random.Random(0)).background
        'green'
    """

    colour: str
    p: float

    def apply(self, scene: Scene, caption: str, rng: random.Random) -> Scene:
        if "background" in caption or any(o.colour == self.colour for o in scene.objects):
            return scene
        return dataclasses.replace(scene, background=self.colour) if rng.random() < self.p else scene
