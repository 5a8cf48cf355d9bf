"""The ``palette`` generator: pixel art in a limited palette.

Each big pixel holds one logit per palette colour; the image is the softmax-weighted mix of the
colours (or, with ``hard``, exactly the most likely colour, with gradients passed straight through).
The palette is fixed or learned, given by a named palette, colour names and hex codes, or an image.
"""

from __future__ import annotations

import math

import torch
from pydantic import Field, field_validator
from torch import Tensor

import artkit
from artkit.initial import InitOptions, initial_image
from artkit.palettes import check_palette, load_palette


class PaletteGenerator(artkit.Generator):
    """Big pixels, each a soft (or hard) choice among a few palette colours."""

    class Config(InitOptions):
        palette: str | list[str | list[float]] = Field(
            default="pico8", description="a named palette (pico8, gameboy, toy), a list of colours, or an image file"
        )
        colours: int = Field(default=8, ge=2, le=256, description="palette size taken from an image")
        learn_palette: bool = Field(default=False, description="let the optimiser change the palette colours")
        pixel_size: int = Field(default=8, ge=1, le=256)
        temperature: float = Field(default=1.0, gt=0, description="softmax temperature: lower is crisper")
        hard: bool = Field(default=False, description="draw exactly one palette colour per pixel (straight-through)")
        init_noise: float = Field(default=0.05, ge=0, description="noise added to a colour or image init")

        @field_validator("palette")
        @classmethod
        def _check_palette(cls, value: str | list) -> str | list:
            return check_palette(value)

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        width, height = info.size
        self.low_size = (math.ceil(height / config.pixel_size), math.ceil(width / config.pixel_size))
        palette = self._palette()
        if config.learn_palette:
            self.palette_logits = torch.nn.Parameter(torch.logit(palette.clamp(1e-3, 1 - 1e-3)))
        else:
            self.register_buffer("fixed_palette", palette)
        self.logits = torch.nn.Parameter(self._initial_logits(palette))

    def _palette(self) -> Tensor:
        return load_palette(self.config.palette, self.info, self.config.colours)

    def _initial_logits(self, palette: Tensor) -> Tensor:
        cfg, (h, w) = self.config, self.low_size
        if cfg.init == "noise" and cfg.init_image is None:
            return torch.randn(1, len(palette), h, w)
        return self.logits_for(initial_image(cfg, self.info, (h, w)), palette)

    def logits_for(self, image: Tensor, palette: Tensor, sharpness: float = 4.0) -> Tensor:
        """Logits (1, K, h, w) that favour each block's nearest palette colour; ``image`` is (1, 3, h, w)."""
        _, _, h, w = image.shape
        distance = torch.cdist(image[0].reshape(3, -1).T, palette)  # (h*w, K)
        return (-sharpness * distance).T.reshape(1, len(palette), h, w)

    @torch.no_grad()
    def set_image(self, image: Tensor) -> None:
        """Start again from ``image``, each block leaning strongly to its nearest palette colour."""
        low = torch.nn.functional.interpolate(image.to(self.logits), size=self.low_size, mode="area")
        self.logits.copy_(self.logits_for(low, self.palette, sharpness=40.0))

    @property
    def palette(self) -> Tensor:
        """The palette colours (K, 3) in [0, 1]."""
        if self.config.learn_palette:
            return torch.sigmoid(self.palette_logits)
        return self.fixed_palette

    def forward(self) -> Tensor:
        weights = torch.softmax(self.logits / self.config.temperature, dim=1)
        if self.config.hard:
            hard = torch.nn.functional.one_hot(weights.argmax(dim=1), weights.shape[1]).permute(0, 3, 1, 2)
            weights = hard.to(weights.dtype) + weights - weights.detach()
        image = torch.einsum("bkhw,kc->bchw", weights, self.palette)
        width, height = self.info.size
        return torch.nn.functional.interpolate(image, size=(height, width), mode="nearest")
