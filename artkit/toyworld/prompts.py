"""Prompts of the toy world with the answer attached: what a judge should read in the picture."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from artkit.toyworld.captions import article
from artkit.toyworld.vocab import (
    APART_PAIRS,
    COLOUR_NAMES,
    HELD_OUT_PAIRS,
    POSITION_NAMES,
    SHAPES,
    SIZE_NAMES,
    position_phrase,
)

_BACKGROUND = re.compile(r"\bon an? (?:plain )?(\w+) background\b")
# Longest first, so that "top left" is found before "left".
_POSITIONS_LONGEST_FIRST = sorted(POSITION_NAMES, key=len, reverse=True)


@dataclass(frozen=True)
class Expected:
    """One object a prompt asks for; ``None`` where the prompt does not say."""

    colour: str
    shape: str | None = None
    position: str | None = None
    size: str | None = None


@dataclass(frozen=True)
class ToyPrompt:
    """A prompt text, the objects it asks for, and optional negative prompts."""

    text: str
    objects: tuple[Expected, ...]
    background: str | None = None
    negatives: tuple[str, ...] = ()

    @property
    def prompts(self) -> list[str | dict]:
        """The value for a run's ``prompts``: the text, then each negative with weight -0.5."""
        return [self.text, *({"text": n, "weight": -0.5} for n in self.negatives)]


def phrase(obj: Expected) -> str:
    """``Expected("red", "circle", "left")`` -> ``a red circle on the left``."""
    words = f"{obj.colour} {obj.shape or 'shape'}"
    text = f"{article(words)} {words}"
    return f"{text} {position_phrase(obj.position)}" if obj.position else text


def single(colour: str, shape: str, position: str | None = None, background: str | None = None) -> ToyPrompt:
    obj = Expected(colour, shape, position)
    text = phrase(obj) + (f" on {article(background)} {background} background" if background else "")
    return ToyPrompt(text, (obj,), background)


def pair(first: Expected, second: Expected) -> ToyPrompt:
    return ToyPrompt(f"{phrase(first)} and {phrase(second)}", (first, second))


def benchmark_prompts(n: int, seed: int = 0) -> list[ToyPrompt]:
    """``n`` varied prompts: single objects (some with a background), two objects, seen pairs only."""
    rng = random.Random(seed)
    prompts: list[ToyPrompt] = []
    while len(prompts) < n:
        colour, shape = rng.choice(COLOUR_NAMES), rng.choice(SHAPES)
        if (colour, shape) in HELD_OUT_PAIRS:
            continue
        kind = len(prompts) % 3
        if kind == 2:
            positions = rng.choice(APART_PAIRS)
            other = rng.choice([c for c in COLOUR_NAMES if c != colour])
            prompts.append(
                pair(Expected(colour, shape, positions[0]), Expected(other, rng.choice(SHAPES), positions[1]))
            )
        else:
            position = rng.choice(["left", "right", "top", "bottom", "center"])
            background = rng.choice([c for c in COLOUR_NAMES if c != colour]) if kind == 1 else None
            prompts.append(single(colour, shape, position, background))
    return prompts


def _word(text: str, names: tuple[str, ...]) -> str | None:
    words = re.findall(r"[a-z]+", text)
    return next((w for w in words if w in names), None)


def _position(text: str) -> str | None:
    return next((p for p in _POSITIONS_LONGEST_FIRST if re.search(rf"\b{p}\b", text)), None)


def parse(text: str) -> ToyPrompt | None:
    """Reads a toy-world caption back into its objects; ``None`` if some part names no colour.

    Parts joined by "and" are objects; each needs a colour, and may name a shape, a position and a size. A
    trailing "on a ... background" names the background.

    Example:
        >>> p = parse("a red circle on the left and a blue square in the top right corner")
        >>> [(o.colour, o.shape, o.position) for o in p.objects]
        [('red', 'circle', 'left'), ('blue', 'square', 'top right')]
        >>> parse("a yellow star on a black background").background, parse("a cat") is None
        ('black', True)
    """
    text = text.lower()
    found = _BACKGROUND.search(text)
    background = found.group(1) if found and found.group(1) in COLOUR_NAMES else None
    objects = []
    for part in re.split(r"\band\b", _BACKGROUND.sub("", text)):
        colour = _word(part, COLOUR_NAMES)
        if colour is None:
            return None
        objects.append(Expected(colour, _word(part, SHAPES), _position(part), _word(part, SIZE_NAMES)))
    return ToyPrompt(text, tuple(objects), background)
