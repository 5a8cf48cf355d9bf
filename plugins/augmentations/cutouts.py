"""The ``cutouts`` augmentation: many random views of the image, made in one batched pass.

A share of the cuts (``whole``) shows the whole image, which keeps "on the left" meaningful; the rest
are random crops whose side is drawn between ``min_size`` and ``max_size`` of the image. Some cuts are
turned and shifted, some squeezed by a perspective; crop, turn, shift and squeeze are one resampling of
the image (:mod:`.warp`). Then artkit's colour jitter (one colour matrix per cut, :mod:`.jitter`) and
Gaussian noise.
"""

from __future__ import annotations

import math

import torch
from artkit_plugins.augmentations.jitter import ColourJitter
from artkit_plugins.augmentations.warp import sample_cuts, square_corners
from pydantic import Field, model_validator
from torch import Tensor

import artkit


class Cutouts(artkit.Augmentation):
    """Random crops, turns, shifts and perspective squeezes in one resampling, then colour jitter and noise."""

    class Config(artkit.ComponentConfig):
        cutn: int = Field(default=32, ge=1, le=1024, description="number of cutouts per step")
        whole: float = Field(default=0.25, ge=0, le=1, description="share of cuts showing the whole image")
        min_size: float = Field(default=0.4, gt=0, le=1, description="smallest crop side, share of the image side")
        max_size: float = Field(default=0.95, gt=0, le=1)
        cut_pow: float = Field(default=1.0, gt=0, description=">1 favours small crops")
        affine_p: float = Field(default=0.5, ge=0, le=1, description="share of cuts turned and shifted")
        degrees: float = Field(default=10.0, ge=0, le=180, description="largest turn, degrees either way")
        translate: float = Field(default=0.05, ge=0, le=0.5, description="largest shift, share of the cut side")
        perspective_p: float = Field(default=0.3, ge=0, le=1, description="share of cuts squeezed")
        distortion: float = Field(
            default=0.2, ge=0, le=1, description="largest inward corner move, share of half the side"
        )
        jitter_p: float = Field(default=0.5, ge=0, le=1)
        hue: float = Field(default=0.06, ge=0, le=0.5, description="largest hue turn, a share of the circle")
        saturation: float = Field(default=0.1, ge=0)
        brightness: float = Field(default=0.05, ge=0)
        contrast: float = Field(default=0.05, ge=0)
        noise: float = Field(default=0.1, ge=0, le=1, description="largest per-cut noise std")

        @model_validator(mode="after")
        def _sizes_ordered(self):
            if self.min_size > self.max_size:
                raise ValueError(f"min_size must be at most max_size. Got {self.min_size} > {self.max_size}")
            return self

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        c = config
        self.jitter = ColourJitter(c.brightness, c.contrast, c.saturation, c.hue, p=c.jitter_p)

    def boxes(self, height: int, width: int, device: torch.device) -> Tensor:
        """Crop corners (N, 4, 2) as (x, y): top-left, top-right, bottom-right, bottom-left."""
        c, n = self.config, self.config.cutn
        side = min(height, width)
        frac = c.min_size + (c.max_size - c.min_size) * torch.rand(n, device=device) ** c.cut_pow
        size = (frac * side).floor().clamp(min=1)
        x0 = torch.rand(n, device=device) * (width - size)
        y0 = torch.rand(n, device=device) * (height - size)
        whole = torch.arange(n, device=device) < round(c.whole * n)
        w = torch.where(whole, torch.full_like(size, width), size)
        h = torch.where(whole, torch.full_like(size, height), size)
        x0, y0 = torch.where(whole, 0, x0), torch.where(whole, 0, y0)
        x1, y1 = x0 + w - 1, y0 + h - 1
        return torch.stack(
            [
                torch.stack([x0, y0], -1),
                torch.stack([x1, y0], -1),
                torch.stack([x1, y1], -1),
                torch.stack([x0, y1], -1),
            ],
            dim=1,
        )

    def turns(self, size: int, device: torch.device) -> tuple[Tensor, Tensor]:
        """Per cut, a turn (radians) and a shift (x, y in cut pixels); zero for cuts the affine skips."""
        c, n = self.config, self.config.cutn
        chosen = torch.rand(n, device=device) < c.affine_p
        turn = (torch.rand(n, device=device) * 2 - 1) * math.radians(c.degrees)
        shift = (torch.rand(n, 2, device=device) * 2 - 1) * c.translate * size
        return torch.where(chosen, turn, 0.0), torch.where(chosen[:, None], shift, 0.0)

    def squeezes(self, size: int, device: torch.device) -> Tensor:
        """Where each cut's corners land (N, 4, 2): moved inwards by up to ``distortion`` of half the side."""
        c, n = self.config, self.config.cutn
        chosen = torch.rand(n, device=device) < c.perspective_p
        inwards = torch.tensor([[[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]], device=device)
        moves = c.distortion * (size - 1) / 2 * torch.rand(n, 4, 2, device=device) * inwards
        return square_corners(size, device) + torch.where(chosen[:, None, None], moves, 0.0)

    def forward(self, image: Tensor, size: int) -> Tensor:
        _, _, height, width = image.shape
        boxes = self.boxes(height, width, image.device)
        turn, shift = self.turns(size, image.device)
        cuts = sample_cuts(image, boxes, size, turn, shift, self.squeezes(size, image.device))
        cuts = self.jitter(cuts)
        sigma = torch.rand(self.config.cutn, 1, 1, 1, device=image.device) * self.config.noise
        return (cuts + sigma * torch.randn_like(cuts)).clamp(0, 1)
