"""Colours named in presets: a name (``red``), a hex code (``#ff8800``) or ``[r, g, b]`` in [0, 1]."""

from __future__ import annotations

import re
from collections.abc import Sequence

from artkit.toyworld.vocab import COLOURS

NAMED: dict[str, tuple[float, float, float]] = {
    **COLOURS,
    "gray": (0.5, 0.5, 0.5),
    "grey": (0.5, 0.5, 0.5),
    "pink": (1.0, 0.6, 0.75),
    "cyan": (0.1, 0.85, 0.9),
    "brown": (0.5, 0.3, 0.12),
}
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_colour(value: str | Sequence[float]) -> tuple[float, float, float]:
    """An RGB triple in [0, 1] from a name, a hex code or a list.

    Example:
        >>> parse_colour("#ff0000")
        (1.0, 0.0, 0.0)
        >>> parse_colour("gray")
        (0.5, 0.5, 0.5)
    """
    if isinstance(value, str):
        key = value.strip().lower()
        if key in NAMED:
            return NAMED[key]
        match = _HEX.match(key)
        if match:
            digits = match[1]
            return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
        raise ValueError(
            f"unknown colour {value!r}: use a name ({', '.join(sorted(NAMED))}), a hex code like #ff8800 or [r, g, b]"
        )
    values = tuple(float(v) for v in value)
    if len(values) != 3 or not all(0 <= v <= 1 for v in values):
        raise ValueError(f"a colour list must be [r, g, b] with values in [0, 1]. Got {list(value)}")
    return values  # type: ignore[return-value]
