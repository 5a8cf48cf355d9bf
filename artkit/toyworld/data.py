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
from artkit.toyworld.vocab import COLOUR_NAMES, HELD_OUT_PAIRS, POSITION_NAMES, SHAPES


@dataclass
class Batch:
    images: Tensor
    scenes: list[Scene]
    captions: list[str]
    negatives: list[str | None]
    shape_negatives: list[str] = dataclasses.field(default_factory=list)
    twin_images: Tensor | None = None  # per image, the same render with one object's shape changed
    twin_scenes: list[Scene] | None = None
    twin_differs: Tensor | None = None  # (N,) bool: the twin's caption differs from the image's


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
    negative = _described_as(hard_negative(scene, random.Random(rng.random())), state)
    return caption, (negative if negative != caption else None)


def shape_twins(scene: Scene, caption: str, state: tuple, count: int, rng: random.Random) -> list[str]:
    """``caption`` told of ``count`` scenes that differ only in one object's shape (same template).

    Held-out colour-shape pairs are never named, so the zero-shot evaluation stays unseen.

    Example:
        >>> from artkit.toyworld.scene import ToyObject
        >>> scene = Scene("black", (ToyObject("circle", "red", "left", "big"),))
        >>> rng = random.Random(0)
        >>> state = rng.getstate()
        >>> caption = describe(scene, rng)
        >>> twins = shape_twins(scene, caption, state, 2, random.Random(1))
        >>> len(twins), any("circle" in t for t in twins)
        (2, False)
    """
    index = rng.randrange(len(scene.objects))
    shapes = _other_shapes(scene, index)
    twins = [_with_shape(scene, index, shape) for shape in rng.sample(shapes, min(count, len(shapes)))]
    return [t for t in (_described_as(twin, state) for twin in twins) if t != caption]


def shape_twin(scene: Scene, rng: random.Random) -> Scene:
    """``scene`` with one object's shape changed (never to a held-out colour-shape pair).

    Example:
        >>> from artkit.toyworld.scene import ToyObject
        >>> scene = Scene("black", (ToyObject("circle", "red", "left", "big"),))
        >>> twin = shape_twin(scene, random.Random(0)).objects[0]
        >>> twin.shape != "circle", twin.colour, twin.position
        (True, 'red', 'left')
    """
    index = rng.randrange(len(scene.objects))
    return _with_shape(scene, index, rng.choice(_other_shapes(scene, index)))


def _other_shapes(scene: Scene, index: int) -> list[str]:
    colour, shape = scene.objects[index].colour, scene.objects[index].shape
    return [s for s in SHAPES if s != shape and (colour, s) not in HELD_OUT_PAIRS]


def _with_shape(scene: Scene, index: int, shape: str) -> Scene:
    objects = list(scene.objects)
    objects[index] = dataclasses.replace(objects[index], shape=shape)
    return dataclasses.replace(scene, objects=tuple(objects))


def _described_as(scene: Scene, state: tuple) -> str:
    """``scene``'s caption drawn with the random state a caption was drawn with (the same template)."""
    twin = random.Random()
    twin.setstate(state)
    return describe(scene, twin)


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
    shape_negatives: int = 0,
    twin_images: bool = False,
) -> Batch:
    """Samples, renders and (optionally) augments a batch of scenes with one caption each.

    Each scene also brings a hard-negative caption, and ``shape_negatives`` more that change only a shape.
    With ``twin_images``, each image also gets a twin: the same render (same jitter, noise and augmentation)
    with one object's shape changed, which its caption must not prefer.
    """
    scenes = [sample_scene(rng, allow_held_out=allow_held_out) for _ in range(batch_size)]
    captions, negatives, twins, states = [], [], [], []
    for scene in scenes:
        state = rng.getstate()
        states.append(state)
        caption, negative = caption_pair(scene, rng)
        captions.append(caption)
        negatives.append(negative)
        if shape_negatives:
            twins += shape_twins(scene, caption, state, shape_negatives, rng)
    if background_prior is not None:
        scenes = [background_prior.apply(s, c, rng) for s, c in zip(scenes, captions, strict=True)]
    start = gen.get_state()
    images = _draw(scenes, size, gen, augment)
    true_somewhere = set(captions)  # a twin that is another scene's caption would be a false negative
    batch = Batch(images, scenes, captions, negatives, [t for t in twins if t not in true_somewhere])
    if twin_images:
        twin_scenes = [shape_twin(scene, rng) for scene in scenes]
        told = [_described_as(t, state) for t, state in zip(twin_scenes, states, strict=True)]
        batch.twin_scenes = twin_scenes
        batch.twin_images = _draw(twin_scenes, size, torch.Generator().set_state(start), augment)
        batch.twin_differs = torch.tensor([t != c for t, c in zip(told, captions, strict=True)])
    return batch


def _draw(scenes: list[Scene], size: int, gen: torch.Generator, augment: bool) -> Tensor:
    images = render(scenes, size=size, generator=gen)
    return robustness_augment(images, gen) if augment else images


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
