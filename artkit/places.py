"""Where a prompt puts things: the place phrases of a text ("on the left", "in the top right corner"), in order.

A generator may start its shapes there (the ``vector`` generator's ``layout: prompt``), so that each object a
prompt places begins in its place instead of wherever the random start put it, and ``choice_search`` may
score a choice on a close view of it against the phrase of the object placed nearest (``views: true``).
Places are the nine points of a 3x3 grid at quarter points of the picture, as ``(x, y)`` shares of its width
and height from the top left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

PLACES: dict[str, tuple[float, float]] = {
    "top left": (0.25, 0.25),
    "top right": (0.75, 0.25),
    "bottom left": (0.25, 0.75),
    "bottom right": (0.75, 0.75),
    "upper left": (0.25, 0.25),
    "upper right": (0.75, 0.25),
    "lower left": (0.25, 0.75),
    "lower right": (0.75, 0.75),
    "left": (0.25, 0.50),
    "right": (0.75, 0.50),
    "top": (0.50, 0.25),
    "bottom": (0.50, 0.75),
    "center": (0.50, 0.50),
    "centre": (0.50, 0.50),
    "middle": (0.50, 0.50),
}
# Longest first, so that "top left" is one place, not "top" then "left".
_PHRASE = re.compile(r"\b(" + "|".join(p.replace(" ", "[ -]") for p in sorted(PLACES, key=len, reverse=True)) + r")\b")
# A text's parts, each naming at most one object: split at commas, semicolons and "and".
_PARTS = re.compile(r"\s*(?:[,;]|\band\b)\s*")
# The words that lead into a place phrase ("on the", "in the", "at the"), at the end of an object's phrase.
_LEAD_IN = re.compile(r"\s*\b(?:on|in|at|to|towards)?\s*(?:the\s*)?$")


class PlacedObject(NamedTuple):
    """An object a text places: its phrase ("a red circle") and its place."""

    phrase: str
    place: tuple[float, float]


def places_in(text: str) -> list[tuple[float, float]]:
    """The places ``text`` names, in the order it names them (none for a text that names none).

    Example:
        >>> places_in("a red circle on the left and a blue square in the top right corner")
        [(0.25, 0.5), (0.75, 0.25)]
        >>> places_in("a lighthouse at dusk")
        []
    """
    return [PLACES[m.group(1).replace("-", " ")] for m in _PHRASE.finditer(text.lower())]


def places_of(texts: Iterable[str]) -> list[tuple[float, float]]:
    """The places several texts name, the first text's first."""
    return [place for text in texts for place in places_in(text)]


def placed_objects(text: str) -> list[PlacedObject]:
    """The objects ``text`` places, in order: each part of the text (split at commas, semicolons and "and")
    that names a place gives the words before its place phrase as the object.

    Example:
        >>> [tuple(o) for o in placed_objects("a red circle on the left and a blue square in the top right corner")]
        [('a red circle', (0.25, 0.5)), ('a blue square', (0.75, 0.25))]
        >>> placed_objects("a fox at dusk")
        []
    """
    objects = []
    for part in _PARTS.split(text.lower()):
        found = _PHRASE.search(part)
        if found is None:
            continue
        phrase = _LEAD_IN.sub("", part[: found.start()]).strip()
        if phrase:
            objects.append(PlacedObject(phrase, PLACES[found.group(1).replace("-", " ")]))
    return objects
