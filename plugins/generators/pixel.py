"""The ``pixel`` generator: the image is a tensor of RGB values, optionally in big pixels."""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field, field_validator
from torch import Tensor

import artkit
from artkit.colours import parse_colour
from artkit.images import load_image

_EPS = 1e-3


class PixelGenerator(artkit.Generator):
    """An RGB tensor (sigmoid or clamp parameterisation), initialised from noise, a colour or an image.

    With ``pixel_size`` > 1 the tensor has one value per block of pixels and is upsampled, which
    makes smoother, more legible pictures and steps that are cheaper.
    """

    class Config(artkit.ComponentConfig):
        init: str | list[float] = Field(default="noise", description="'noise', a colour name, a hex code or [r, g, b]")
        init_noise: float = Field(default=0.1, ge=0, description="noise added to a colour or image init")
        init_image: str | None = Field(default=None, description="start from this image file")
        parameterization: Literal["sigmoid", "clamp"] = "sigmoid"
        pixel_size: int = Field(default=1, ge=1, le=256)
        upsample: Literal["nearest", "bilinear", "bicubic"] = "bilinear"

        @field_validator("init")
        @classmethod
        def _check_init(cls, value: str | list[float]) -> str | list[float]:
            if value != "noise":
                parse_colour(value)
            return value

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        width, height = info.size
        self.low_size = (math.ceil(height / config.pixel_size), math.ceil(width / config.pixel_size))
        self.values = torch.nn.Parameter(self._to_params(self._initial_image()))

    def _initial_image(self) -> Tensor:
        cfg, (h, w) = self.config, self.low_size
        if cfg.init_image is not None:
            image = load_image(self.info.resolve_path(cfg.init_image), (w, h), field="generator.init_image")
        elif cfg.init == "noise":
            return torch.rand(1, 3, h, w)
        else:
            image = torch.tensor(parse_colour(cfg.init)).view(1, 3, 1, 1).expand(1, 3, h, w)
        return (image + cfg.init_noise * torch.randn(1, 3, h, w)).clamp(0, 1)

    def _to_params(self, image: Tensor) -> Tensor:
        if self.config.parameterization == "sigmoid":
            return torch.logit(image.clamp(_EPS, 1 - _EPS))
        return image.clone()

    def forward(self) -> Tensor:
        image = torch.sigmoid(self.values) if self.config.parameterization == "sigmoid" else self.values
        if self.config.pixel_size == 1:
            return image
        height, width = self.info.size[1], self.info.size[0]
        mode = self.config.upsample
        kwargs = {} if mode == "nearest" else {"align_corners": False}
        return torch.nn.functional.interpolate(image, size=(height, width), mode=mode, **kwargs).clamp(0, 1)

    @torch.no_grad()
    def project(self) -> None:
        if self.config.parameterization == "clamp":
            self.values.clamp_(0, 1)


@artkit.hookimpl
def register_generators(register):
    register("pixel", PixelGenerator, aliases=("pixels",))
