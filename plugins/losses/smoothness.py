"""The ``smoothness`` loss: total variation, which discourages pixel noise."""

from __future__ import annotations

from typing import Literal

from torch import Tensor

import artkit


def total_variation(image: Tensor, kind: str = "l2") -> Tensor:
    """Mean difference between neighbouring pixels of (B, C, H, W) images.

    Example:
        >>> import torch
        >>> total_variation(torch.zeros(1, 3, 4, 4)).item()
        0.0
    """
    dx = image[..., :, 1:] - image[..., :, :-1]
    dy = image[..., 1:, :] - image[..., :-1, :]
    if kind == "l1":
        return dx.abs().mean() + dy.abs().mean()
    return dx.pow(2).mean() + dy.pow(2).mean()


class Smoothness(artkit.Loss):
    """Total variation of the full image (``kind`` l2: squared differences; l1: absolute)."""

    class Config(artkit.Loss.Config):
        kind: Literal["l1", "l2"] = "l2"

    def forward(self, ctx: artkit.StepContext) -> Tensor:
        return total_variation(ctx.image, self.config.kind)
