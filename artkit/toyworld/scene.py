"""Scenes of the toy world: what is drawn where, sampled reproducibly from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from artkit.toyworld.vocab import (
    APART_PAIRS,
    COLOUR_NAMES,
    HELD_OUT_PAIRS,
    POSITION_NAMES,
    SHAPES,
    SIZE_NAMES,
)


@dataclass(frozen=True)
class ToyObject:
    """One object of a scene, named by the vocabulary."""

    shape: str
    colour: str
    position: str
    size: str


@dataclass(frozen=True)
class Scene:
    """A background colour and one or two objects."""

    background: str
    objects: tuple[ToyObject, ...] = field(default_factory=tuple)


def _pick_pair(rng: random.Random, allow_held_out: bool) -> tuple[str, str]:
    while True:
        colour, shape = rng.choice(COLOUR_NAMES), rng.choice(SHAPES)
        if allow_held_out or (colour, shape) not in HELD_OUT_PAIRS:
            return colour, shape


def _pick_background(rng: random.Random, object_colours: set[str]) -> str:
    return rng.choice([c for c in COLOUR_NAMES if c not in object_colours])


def sample_scene(rng: random.Random, two_objects_p: float = 0.3, allow_held_out: bool = True) -> Scene:
    """Sample a scene: one object, or with probability ``two_objects_p`` two objects apart.

    Example:
        >>> sample_scene(random.Random(0)).objects[0].shape in SHAPES
        True
    """
    if rng.random() < two_objects_p:
        positions = list(rng.choice(APART_PAIRS))
        rng.shuffle(positions)
    else:
        positions = [rng.choice(POSITION_NAMES)]
    objects = []
    for position in positions:
        colour, shape = _pick_pair(rng, allow_held_out)
        while any(o.colour == colour for o in objects):
            colour, shape = _pick_pair(rng, allow_held_out)
        objects.append(ToyObject(shape, colour, position, rng.choice(SIZE_NAMES)))
    return Scene(_pick_background(rng, {o.colour for o in objects}), tuple(objects))
