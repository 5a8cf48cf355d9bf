"""The ``cutouts`` augmentation: many random views of the image, made in one batched pass.

A share of the cuts (``whole``) shows the whole image, which keeps "on the left" meaningful; the rest
are random crops whose side is drawn between ``min_size`` and ``max_size`` of the image. All cuts then
go through kornia's affine and perspective warps together, artkit's colour jitter (one colour matrix per cut,
:mod:`.jitter`) and Gaussian noise.
"""

from __future__ import annotations

import kornia.augmentation as K
import torch
from artkit_plugins.augmentations.jitter import ColourJitter
from kornia.geometry.transform import crop_and_resize
from pydantic import Field, model_validator
from torch import Tensor

import artkit


class Cutouts(artkit.Augmentation):
    """Random crops plus affine, perspective, colour jitter and noise, each in one batched call."""

    class Config(artkit.ComponentConfig):
        cutn: int = Field(default=32, ge=1, le=1024, description="number of cutouts per step")
        whole: float = Field(default=0.25, ge=0, le=1, description="share of cuts showing the whole image")
        min_size: float = Field(default=0.4, gt=0, le=1, description="smallest crop side, share of the image side")
        max_size: float = Field(default=0.95, gt=0, le=1)
        cut_pow: float = Field(default=1.0, gt=0, description=">1 favours small crops")
        affine_p: float = Field(default=0.5, ge=0, le=1)
        degrees: float = Field(default=10.0, ge=0, le=180)
        translate: float = Field(default=0.05, ge=0, le=0.5)
        perspective_p: float = Field(default=0.3, ge=0, le=1)
        distortion: float = Field(default=0.2, ge=0, le=1)
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
        self.augment = K.AugmentationSequential(
            K.RandomAffine(
                degrees=c.degrees, translate=(c.translate, c.translate), padding_mode="reflection", p=c.affine_p
            ),
            K.RandomPerspective(distortion_scale=c.distortion, p=c.perspective_p),
        )
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

    def forward(self, image: Tensor, size: int) -> Tensor:
        _, _, height, width = image.shape
        boxes = self.boxes(height, width, image.device)
        cuts = crop_and_resize(image.expand(self.config.cutn, -1, -1, -1), boxes, (size, size), align_corners=True)
        cuts = self.jitter(self.augment(cuts))
        sigma = torch.rand(self.config.cutn, 1, 1, 1, device=image.device) * self.config.noise
        return (cuts + sigma * torch.randn_like(cuts)).clamp(0, 1)
