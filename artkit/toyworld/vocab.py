"""The toy world's vocabulary: the shapes, colours, positions and sizes a scene is made of.

Everything here is plain data so that the renderer, the caption writer, toyclip's training script and
the judge agree on one list.
"""

from __future__ import annotations

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "ring", "cross")

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.90, 0.10, 0.10),
    "green": (0.10, 0.72, 0.20),
    "blue": (0.12, 0.25, 0.92),
    "yellow": (0.96, 0.90, 0.10),
    "orange": (1.00, 0.55, 0.05),
    "purple": (0.55, 0.15, 0.75),
    "white": (0.97, 0.97, 0.97),
    "black": (0.04, 0.04, 0.04),
}
COLOUR_NAMES: tuple[str, ...] = tuple(COLOURS)

# Object centres as (x, y) fractions of the image, y pointing down.
POSITIONS: dict[str, tuple[float, float]] = {
    "center": (0.50, 0.50),
    "left": (0.25, 0.50),
    "right": (0.75, 0.50),
    "top": (0.50, 0.25),
    "bottom": (0.50, 0.75),
    "top left": (0.25, 0.25),
    "top right": (0.75, 0.25),
    "bottom left": (0.25, 0.75),
    "bottom right": (0.75, 0.75),
}
POSITION_NAMES: tuple[str, ...] = tuple(POSITIONS)

# Half-extent of an object as a fraction of the image side.
SIZES: dict[str, float] = {"small": 0.14, "big": 0.23}
SIZE_NAMES: tuple[str, ...] = tuple(SIZES)

# Colour-shape pairs never shown in toyclip's training set: the evaluation report measures how well
# the model composes them from what it did see.
HELD_OUT_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("purple", "star"), ("green", "triangle"), ("orange", "ring"), ("yellow", "cross"), ("white", "square")}
)

# Two objects must sit apart: only these position pairs are used for two-object scenes.
APART_PAIRS: tuple[tuple[str, str], ...] = (
    ("left", "right"),
    ("top", "bottom"),
    ("top left", "bottom right"),
    ("top right", "bottom left"),
    ("top left", "top right"),
    ("bottom left", "bottom right"),
    ("top left", "bottom left"),
    ("top right", "bottom right"),
)


def position_phrase(position: str) -> str:
    """The words a caption uses for a position.

    Example:
        >>> position_phrase("top left")
        'in the top left corner'
    """
    if position == "center":
        return "in the center"
    if position in ("left", "right"):
        return f"on the {position}"
    if position in ("top", "bottom"):
        return f"at the {position}"
    return f"in the {position} corner"
