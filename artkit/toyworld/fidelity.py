"""How faithfully a picture shows its prompt: the judge's reading, pixel statistics and toyclip's score."""

from __future__ import annotations

import torch
from torch import Tensor

from artkit.toyworld import judge, toyclip
from artkit.toyworld.prompts import ToyPrompt
from artkit.toyworld.vocab import COLOURS, POSITIONS

ATTRIBUTES = ("colour", "shape", "position", "background")


def judge_prompt(image: Tensor, prompt: ToyPrompt) -> dict[str, bool]:
    """Per attribute the prompt names, whether the judge reads it in ``image`` (1, 3, H, W)."""
    reading = judge.read(image)[0]
    colours = {o.colour for o in prompt.objects}
    verdict = {"colour": set(reading.object_colours(len(colours))) == colours}
    if any(o.shape for o in prompt.objects):
        verdict["shape"] = all(reading.shape_of(o.colour) == o.shape for o in prompt.objects if o.shape)
    if any(o.position for o in prompt.objects):
        verdict["position"] = all(reading.position_of(o.colour) == o.position for o in prompt.objects if o.position)
    if prompt.background:
        verdict["background"] = reading.background == prompt.background
    return verdict


def colour_map(image: Tensor, palette: dict[str, tuple[float, float, float]] = COLOURS) -> Tensor:
    """For each pixel, the index of the nearest named colour; shape (H, W)."""
    rgb = torch.tensor(list(palette.values()), dtype=image.dtype)
    pixels = image[0].permute(1, 2, 0).unsqueeze(-2)  # H, W, 1, 3
    return (pixels - rgb).pow(2).sum(-1).argmin(-1)


def colour_share(image: Tensor, colour: str, region: tuple[float, float, float, float] = (0, 0, 1, 1)) -> float:
    """Share of the pixels in ``region`` (x0, y0, x1, y1 as fractions) nearest to ``colour``."""
    labels = colour_map(image)
    h, w = labels.shape
    x0, y0, x1, y1 = region
    window = labels[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
    return (window == list(COLOURS).index(colour)).float().mean().item()


def field_colour(image: Tensor) -> str:
    """The named colour of the picture's field: the one most of its border pixels are nearest to."""
    labels = colour_map(image)
    border = torch.cat([labels[0], labels[-1], labels[1:-1, 0], labels[1:-1, -1]])
    return list(COLOURS)[int(border.mode().values)]


def figure_share(image: Tensor, colour: str) -> float:
    """Share of the pixels nearest to ``colour``, none if ``colour`` is the field's: how much of it the figures show.

    Example:
        >>> red_on_green = torch.tensor(COLOURS["green"]).view(1, 3, 1, 1).repeat(1, 1, 8, 8)
        >>> red_on_green[..., 2:4, 2:4] = torch.tensor(COLOURS["red"]).view(3, 1, 1)
        >>> figure_share(red_on_green, "red"), figure_share(red_on_green, "green")
        (0.0625, 0.0)
    """
    return 0.0 if field_colour(image) == colour else colour_share(image, colour)


def region_of(position: str, radius: float = 0.25) -> tuple[float, float, float, float]:
    """The square around a named position's centre."""
    x, y = POSITIONS[position]
    return (max(0.0, x - radius), max(0.0, y - radius), min(1.0, x + radius), min(1.0, y + radius))


@torch.no_grad()
def toyclip_score(image: Tensor, text: str) -> float:
    """Cosine similarity between the whole image and ``text`` under toyclip."""
    model, tokenize = toyclip.shipped(), toyclip.tokenizer()
    view = torch.nn.functional.interpolate(image.float().cpu(), size=(64, 64), mode="area")
    a = torch.nn.functional.normalize(model.encode_image(view), dim=-1)
    b = torch.nn.functional.normalize(model.encode_text(tokenize([text])), dim=-1)
    return float((a * b).sum())
