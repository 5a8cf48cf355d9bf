"""The motion between frames: zoom, rotation and translation about the image centre (kornia warp)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Motion:
    """One frame's motion: ``zoom`` > 1 moves in, ``rotate`` in degrees (counter-clockwise),
    ``translate_x`` / ``translate_y`` in pixels (right / down)."""

    zoom: float = 1.0
    rotate: float = 0.0
    translate_x: float = 0.0
    translate_y: float = 0.0

    def is_still(self) -> bool:
        return self == Motion()


def warp(image: Tensor, motion: Motion) -> Tensor:
    """``image`` (1, 3, H, W) moved by ``motion``; edges are filled by reflection."""
    if motion.is_still():
        return image
    from kornia.geometry.transform import get_rotation_matrix2d, warp_affine

    _, _, height, width = image.shape
    centre = torch.tensor([[(width - 1) / 2, (height - 1) / 2]], dtype=image.dtype, device=image.device)
    angle = torch.tensor([motion.rotate], dtype=image.dtype, device=image.device)
    scale = torch.tensor([[motion.zoom, motion.zoom]], dtype=image.dtype, device=image.device)
    matrix = get_rotation_matrix2d(centre, angle, scale)
    matrix[:, 0, 2] += motion.translate_x
    matrix[:, 1, 2] += motion.translate_y
    return warp_affine(image, matrix, (height, width), mode="bilinear", padding_mode="reflection", align_corners=True)
