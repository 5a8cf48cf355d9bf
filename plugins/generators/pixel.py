"""The ``pixel`` generator: the image is a tensor of RGB values, optionally in big pixels."""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field
from torch import Tensor

import artkit
from artkit.initial import InitOptions, initial_image

_EPS = 1e-3


class PixelGenerator(artkit.Generator):
    """An RGB tensor (sigmoid or clamp parameterisation), initialised from noise, a colour or an image.

    With ``pixel_size`` > 1 the tensor has one value per block of pixels and is upsampled, which
    makes smoother, more legible pictures and steps that are cheaper.
    """

    class Config(InitOptions):
        parameterization: Literal["sigmoid", "clamp"] = "sigmoid"
        pixel_size: int = Field(default=1, ge=1, le=256)
        upsample: Literal["nearest", "bilinear", "bicubic"] = "bilinear"

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        width, height = info.size
        self.low_size = (math.ceil(height / config.pixel_size), math.ceil(width / config.pixel_size))
        self.values = torch.nn.Parameter(self._to_params(initial_image(config, info, self.low_size)))

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
    def set_image(self, image: Tensor) -> None:
        """Start again from ``image`` (averaged into blocks when ``pixel_size`` > 1)."""
        low = torch.nn.functional.interpolate(image.to(self.values), size=self.low_size, mode="area")
        self.values.copy_(self._to_params(low))

    @torch.no_grad()
    def project(self) -> None:
        if self.config.parameterization == "clamp":
            self.values.clamp_(0, 1)
