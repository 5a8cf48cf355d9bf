"""Colour jitter as one 3x3 colour matrix per image: brightness, contrast, saturation and hue in one pass.

Each of the four is a linear map of RGB (contrast adds the image's mean grey), so together they are one
matrix product per image. kornia's ``ColorJitter`` computes every step on every image through HSV and
then selects, whatever ``p`` is: for 16 cuts of 128x128, 60-70 ms of forward and backward on one CPU
thread, against about 5 ms here. Hue turns the chroma around the grey axis in YIQ space, which keeps
luma. It turns the way an HSV hue shift does (red towards yellow), by an amount that depends on the
colour: a turn of 0.04 moves the toy world's red, blue, yellow and orange about as far as an HSV shift of
0.02 does, and green and purple more than twice as far.

Example:
    >>> jitter = ColourJitter(brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0, p=1.0)
    >>> images = torch.rand(2, 3, 8, 8)
    >>> torch.equal(jitter(images), images)
    True
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

LUMA = (0.299, 0.587, 0.114)  # Rec. 601 weights, as in YIQ and kornia's grayscale
RGB_TO_YIQ = ((0.299, 0.587, 0.114), (0.596, -0.274, -0.322), (0.211, -0.523, 0.312))


class ColourJitter(torch.nn.Module):
    """Jitters each image with probability ``p``: brightness (a factor in [1 - b, 1 + b]), contrast (around
    the image's mean grey, factor in [1 - c, 1 + c]), saturation (around each pixel's grey, factor in
    [1 - s, 1 + s]; factors stop at 0) and hue (a turn in [-h, h] of the full circle). Applied in the order
    saturation, hue, brightness, contrast; images not chosen pass unchanged. Values may leave [0, 1]: clamp
    after. The draws and the matrices are float32 whatever the images' dtype."""

    def __init__(self, brightness: float, contrast: float, saturation: float, hue: float, p: float) -> None:
        super().__init__()
        self.brightness, self.contrast, self.saturation, self.hue, self.p = brightness, contrast, saturation, hue, p
        self.register_buffer("luma", torch.tensor(LUMA), persistent=False)
        yiq = torch.tensor(RGB_TO_YIQ, dtype=torch.float64)
        self.register_buffer("yiq", yiq.float(), persistent=False)
        self.register_buffer("rgb", torch.linalg.inv(yiq).float(), persistent=False)

    def forward(self, images: Tensor) -> Tensor:
        n, device = len(images), images.device
        chosen = (torch.rand(n, device=device) < self.p).float()

        def spread(amount: float) -> Tensor:  # a draw in [-amount, amount] for chosen images, else 0
            return amount * (2 * torch.rand(n, device=device) - 1) * chosen

        saturation, brightness, contrast = (
            (1 + spread(a)).clamp(min=0) for a in (self.saturation, self.brightness, self.contrast)
        )
        turns = spread(self.hue)
        matrix = brightness.view(n, 1, 1) * self.hue_matrix(turns) @ self.saturation_matrix(saturation)
        mean_grey = torch.einsum("i,nij,nj->n", self.luma, matrix, images.float().mean(dim=(2, 3)))
        mixed = torch.einsum("nij,njhw->nihw", matrix.to(images.dtype), images)
        contrast, mean_grey = contrast.view(n, 1, 1, 1).to(images.dtype), mean_grey.view(n, 1, 1, 1).to(images.dtype)
        return contrast * mixed + (1 - contrast) * mean_grey

    def saturation_matrix(self, factor: Tensor) -> Tensor:
        """(N, 3, 3): each pixel moved from its grey by ``factor`` (0: grey, 1: unchanged)."""
        grey = torch.ones(3, 1, device=factor.device) * self.luma  # each row takes the luma
        eye = torch.eye(3, device=factor.device)
        return factor.view(-1, 1, 1) * eye + (1 - factor.view(-1, 1, 1)) * grey

    def hue_matrix(self, turns: Tensor) -> Tensor:
        """(N, 3, 3): the chroma (I, Q) turned by ``turns`` of a full circle, the way HSV's hue turns (a
        positive turn takes red towards yellow); luma (Y) kept. Built as the identity plus the turn's change,
        so that a zero turn is exactly the identity."""
        angle = 2 * math.pi * turns
        cos, sin, zero = angle.cos() - 1, angle.sin(), torch.zeros_like(angle)
        change = torch.stack(
            [
                torch.stack([zero, zero, zero], -1),
                torch.stack([zero, cos, sin], -1),
                torch.stack([zero, -sin, cos], -1),
            ],
            dim=-2,
        )  # the rotation in (Y, I, Q) minus the identity
        return torch.eye(3, device=turns.device) + self.rgb @ change @ self.yiq
