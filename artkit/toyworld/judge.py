"""The judge: an independent reader of toy-world pictures, used to check what a run drew.

It is not a CLIP and never guides a run: a plain convolutional classifier (with coordinate channels
and a dense head, unlike toyclip's ResNet with attention pooling), trained with its own seed on
renderer output only. Guided images can fool the model that guided them; they should not fool this.

It reads, from a 64x64 view of an image:
- ``background``: the background colour (one of the colours);
- ``colours``: for each colour, the probability that an object of that colour is present;
- ``shapes``: for each colour, which shape an object of that colour has (a distribution);
- ``cells``: for each colour, where an object of that colour is centred (a distribution over positions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from torch import Tensor, nn

from artkit.toyworld.scene import Scene
from artkit.toyworld.vocab import COLOUR_NAMES, POSITION_NAMES, SHAPES

WEIGHTS_PATH = Path(__file__).parent / "weights" / "judge.safetensors"
INPUT_SIZE = 64
N_COLOURS, N_SHAPES, N_CELLS = len(COLOUR_NAMES), len(SHAPES), len(POSITION_NAMES)


def _block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class JudgeNet(nn.Module):
    """CoordConv CNN with three heads. Input (B, 3, 64, 64) in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _block(5, 32, 2),
            _block(32, 64, 1),
            _block(64, 64, 2),
            _block(64, 96, 1),
            _block(96, 96, 2),
            _block(96, 128, 2),
        )
        self.dense = nn.Sequential(nn.Flatten(), nn.Linear(128 * 4 * 4, 256), nn.ReLU(inplace=True), nn.Dropout(0.1))
        self.background = nn.Linear(256, N_COLOURS)
        self.colours = nn.Linear(256, N_COLOURS)
        self.shapes = nn.Linear(256, N_COLOURS * N_SHAPES)
        self.cells = nn.Linear(256, N_COLOURS * N_CELLS)

    def forward(self, images: Tensor) -> dict[str, Tensor]:
        b, _, h, w = images.shape
        ys, xs = torch.meshgrid(
            torch.linspace(-1, 1, h, device=images.device),
            torch.linspace(-1, 1, w, device=images.device),
            indexing="ij",
        )
        coords = torch.stack([xs, ys]).expand(b, -1, -1, -1)
        x = self.dense(self.features(torch.cat([images * 2 - 1, coords], dim=1)))
        return {
            "background": self.background(x),
            "colours": self.colours(x),
            "shapes": self.shapes(x).view(b, N_COLOURS, N_SHAPES),
            "cells": self.cells(x).view(b, N_COLOURS, N_CELLS),
        }


def targets(scenes: list[Scene]) -> dict[str, Tensor]:
    """Training targets: background index, colour presence, and per colour the shape and position
    index (-1 where that colour is absent, ignored by the loss)."""
    n = len(scenes)
    background = torch.tensor([COLOUR_NAMES.index(s.background) for s in scenes])
    colours = torch.zeros(n, N_COLOURS)
    shapes = torch.full((n, N_COLOURS), -1, dtype=torch.long)
    cells = torch.full((n, N_COLOURS), -1, dtype=torch.long)
    for i, scene in enumerate(scenes):
        for obj in scene.objects:
            c = COLOUR_NAMES.index(obj.colour)
            colours[i, c] = 1
            shapes[i, c] = SHAPES.index(obj.shape)
            cells[i, c] = POSITION_NAMES.index(obj.position)
    return {"background": background, "colours": colours, "shapes": shapes, "cells": cells}


@dataclass(frozen=True)
class Reading:
    """What the judge sees in one image."""

    background: str
    colours: Tensor  # (colours,) presence probabilities
    shapes: Tensor  # (colours, shapes) distribution per colour
    cells: Tensor  # (colours, positions) distribution per colour

    @property
    def pairs(self) -> Tensor:
        """(colours, shapes): the probability that an object of that colour and shape is present."""
        return self.colours[:, None] * self.shapes

    def object_colours(self, k: int = 1) -> list[str]:
        """The ``k`` most likely object colours."""
        return [COLOUR_NAMES[i] for i in self.colours.argsort(descending=True)[:k].tolist()]

    def shape_of(self, colour: str) -> str:
        return SHAPES[int(self.pairs[COLOUR_NAMES.index(colour)].argmax())]

    def position_of(self, colour: str) -> str:
        return POSITION_NAMES[int(self.cells[COLOUR_NAMES.index(colour)].argmax())]

    def top_pairs(self, k: int) -> list[tuple[str, str]]:
        flat = self.pairs.flatten().argsort(descending=True)[:k].tolist()
        return [(COLOUR_NAMES[i // N_SHAPES], SHAPES[i % N_SHAPES]) for i in flat]


@lru_cache(maxsize=1)
def load() -> JudgeNet:
    """The shipped judge, in eval mode."""
    from safetensors.torch import load_file

    net = JudgeNet()
    net.load_state_dict(load_file(str(WEIGHTS_PATH)))
    return net.eval()


@torch.no_grad()
def read(images: Tensor, net: JudgeNet | None = None) -> list[Reading]:
    """Reads a batch of images (B, 3, H, W) in [0, 1], any size (resized to 64x64)."""
    net = net or load()
    images = images.detach().float().cpu()
    if images.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
        images = torch.nn.functional.interpolate(images, size=(INPUT_SIZE, INPUT_SIZE), mode="area")
    out = net(images)
    colours = torch.sigmoid(out["colours"])
    shapes, cells = out["shapes"].softmax(dim=-1), out["cells"].softmax(dim=-1)
    backgrounds = out["background"].argmax(dim=1).tolist()
    return [Reading(COLOUR_NAMES[b], colours[i], shapes[i], cells[i]) for i, b in enumerate(backgrounds)]
