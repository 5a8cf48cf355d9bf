"""Limited palettes for generators: named palettes, lists of colours, or the main colours of an image.

Example:
    >>> import artkit
    >>> load_palette("gameboy", artkit.RunInfo(size=(8, 8))).shape
    torch.Size([4, 3])
    >>> load_palette(["#ff0000", "#0000ff"], artkit.RunInfo(size=(8, 8))).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from artkit.colours import parse_colour
from artkit.errors import ConfigError
from artkit.images import load_image

if TYPE_CHECKING:
    from artkit.components import RunInfo

PaletteSpec = str | list[str | list[float]]

NAMED_PALETTES: dict[str, list[str]] = {
    "pico8": [
        "#000000",
        "#1d2b53",
        "#7e2553",
        "#008751",
        "#ab5236",
        "#5f574f",
        "#c2c3c7",
        "#fff1e8",
        "#ff004d",
        "#ffa300",
        "#ffec27",
        "#00e436",
        "#29adff",
        "#83769c",
        "#ff77a8",
        "#ffccaa",
    ],
    "gameboy": ["#0f380f", "#306230", "#8bac0f", "#9bbc0f"],
    "toy": ["red", "green", "blue", "yellow", "orange", "purple", "white", "black", "gray"],
}


def kmeans_colours(pixels: Tensor, count: int, iterations: int = 20) -> Tensor:
    """``count`` representative colours (count, 3) of ``pixels`` (N, 3), by k-means from a seeded start."""
    generator = torch.Generator().manual_seed(0)
    centres = pixels[torch.randperm(len(pixels), generator=generator)[:count]].clone()
    for _ in range(iterations):
        nearest = torch.cdist(pixels, centres).argmin(dim=1)
        for k in range(len(centres)):
            members = pixels[nearest == k]
            if len(members):
                centres[k] = members.mean(dim=0)
    return centres


def check_palette(value: PaletteSpec) -> PaletteSpec:
    """Validates a palette given as a list (at least two colours, each one readable); names pass through."""
    if isinstance(value, list):
        if len(value) < 2:
            raise ValueError("a palette needs at least 2 colours")
        for colour in value:
            parse_colour(colour)
    return value


def load_palette(spec: PaletteSpec, info: RunInfo, colours: int = 8, field: str = "generator.palette") -> Tensor:
    """The palette's colours (K, 3) in [0, 1]: a named palette, a list of colours, or ``colours`` taken from
    an image file (k-means), a path relative to ``info.base_dir``."""
    if isinstance(spec, list):
        return torch.tensor([parse_colour(c) for c in spec])
    if spec.lower() in NAMED_PALETTES:
        return torch.tensor([parse_colour(c) for c in NAMED_PALETTES[spec.lower()]])
    path = info.resolve_path(spec)
    if not path.suffix and not path.exists():
        names = ", ".join(NAMED_PALETTES)
        raise ConfigError(f"{field}: unknown palette {spec!r}. Use one of {names}, a list of colours or an image file.")
    pixels = load_image(Path(path), (64, 64), field=field)[0].reshape(3, -1).T
    return kmeans_colours(pixels, colours)
