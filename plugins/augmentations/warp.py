"""One resampling per cut: the crop, an affine turn and shift, and a perspective squeeze folded into one grid."""

from __future__ import annotations

import torch
from kornia.geometry.transform import get_perspective_transform
from torch import Tensor

_OUTSIDE = -4.0  # a normalised coordinate far enough outside [-1, 1] that bilinear sampling reads zeros


def square_corners(size: int, device: torch.device | str = "cpu") -> Tensor:
    """Corners (1, 4, 2) of a ``size`` square's pixel centres: top-left, top-right, bottom-right, bottom-left.

    >>> square_corners(3).tolist()
    [[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]]
    """
    end = float(size - 1)
    return torch.tensor([[[0.0, 0.0], [end, 0.0], [end, end], [0.0, end]]], device=device)


def _reflect(coord: Tensor, high: float) -> Tensor:
    """Fold coordinates into [0, high] by mirroring at both ends."""
    if high <= 0:
        return torch.zeros_like(coord)
    folded = torch.remainder(coord, 2 * high)
    return torch.where(folded > high, 2 * high - folded, folded)


def _unsqueezed(squeezed: Tensor, size: int) -> tuple[Tensor, Tensor]:
    """Where each output pixel (N, size * size, 2) lies before the perspective squeeze, and whether that is
    inside the cut."""
    n = squeezed.shape[0]
    axis = torch.arange(size, device=squeezed.device, dtype=squeezed.dtype)
    y, x = torch.meshgrid(axis, axis, indexing="ij")
    pixels = torch.stack([x, y, torch.ones_like(x)], dim=-1).reshape(1, -1, 3)
    back = get_perspective_transform(squeezed, square_corners(size, squeezed.device).expand(n, -1, -1))
    points = pixels @ back.transpose(1, 2)
    points = points[..., :2] / points[..., 2:]
    inside = ((points >= -0.5) & (points <= size - 0.5)).all(dim=-1)
    return points, inside


def sample_cuts(image: Tensor, boxes: Tensor, size: int, turn: Tensor, shift: Tensor, squeezed: Tensor) -> Tensor:
    """Cuts (N, C, size, size) of ``image`` (1, C, H, W) in one bilinear resampling.

    Each cut shows the axis-aligned crop ``boxes[i]`` (4 corners, image pixels), turned by ``turn[i]``
    radians and shifted by ``shift[i]`` (cut pixels) about its centre, then squeezed by a perspective that
    moves its corners to ``squeezed[i]`` (cut pixels; black outside). Pixels the turn or shift brings in
    from beyond the image mirror at its border. One sampling of the image (not one per step, as chained
    warps do) is cheaper, above all backwards, and blurs less.

    >>> image = torch.rand(1, 3, 8, 8)
    >>> box = square_corners(7)  # the top-left 7x7 pixels, seen as 3x3: every third pixel
    >>> plain = dict(turn=torch.zeros(1), shift=torch.zeros(1, 2), squeezed=square_corners(3))
    >>> torch.allclose(sample_cuts(image, box, 3, **plain), image[..., 0:7:3, 0:7:3], atol=1e-6)
    True
    """
    _, channels, height, width = image.shape
    n = boxes.shape[0]
    points, inside = _unsqueezed(squeezed, size)
    centre = (size - 1) / 2
    cos, sin = torch.cos(turn)[:, None], torch.sin(turn)[:, None]
    x = points[..., 0] - centre - shift[:, None, 0]
    y = points[..., 1] - centre - shift[:, None, 1]
    x, y = cos * x + sin * y + centre, -sin * x + cos * y + centre
    scale_x = (boxes[:, 1, 0] - boxes[:, 0, 0])[:, None] / max(size - 1, 1)
    scale_y = (boxes[:, 2, 1] - boxes[:, 1, 1])[:, None] / max(size - 1, 1)
    x = _reflect(boxes[:, 0, 0, None] + x * scale_x, width - 1)
    y = _reflect(boxes[:, 0, 1, None] + y * scale_y, height - 1)
    grid = torch.stack([2 * x / max(width - 1, 1) - 1, 2 * y / max(height - 1, 1) - 1], dim=-1)
    grid = torch.where(inside[..., None], grid, torch.full_like(grid, _OUTSIDE))
    grid = grid.reshape(1, n * size, size, 2).to(image.dtype)
    cuts = torch.nn.functional.grid_sample(image, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return cuts.reshape(channels, n, size, size).transpose(0, 1)
