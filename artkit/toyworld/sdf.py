"""Signed distance functions of the toy world's shapes, batched in torch.

Each function takes points ``p`` of shape (B, H, W, 2) in object space (the object's centre at the
origin, y pointing up) and a half-extent ``r`` of shape (B, 1, 1), and returns distances (B, H, W):
negative inside the shape, positive outside, in the same units as ``p``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor


def _length(p: Tensor) -> Tensor:
    return torch.linalg.vector_norm(p, dim=-1)


def _box(p: Tensor, half_x: Tensor, half_y: Tensor) -> Tensor:
    dx = p[..., 0].abs() - half_x
    dy = p[..., 1].abs() - half_y
    outside = torch.sqrt(dx.clamp(min=0) ** 2 + dy.clamp(min=0) ** 2)
    return outside + torch.maximum(dx, dy).clamp(max=0)


def circle(p: Tensor, r: Tensor) -> Tensor:
    return _length(p) - r


def square(p: Tensor, r: Tensor) -> Tensor:
    half = 0.85 * r  # a square as wide as the circle looks bigger; this evens their areas out
    return _box(p, half, half)


def triangle(p: Tensor, r: Tensor) -> Tensor:
    """An equilateral triangle pointing up, its circumradius ``r`` (centroid at the origin)."""
    k = math.sqrt(3.0)
    r = 1.2 * r  # a triangle of the circle's radius looks small; this evens their areas out
    side_half = r * k / 2
    x = p[..., 0].abs() - side_half
    y = p[..., 1] + r / 2
    fold = (x + k * y) > 0
    x, y = torch.where(fold, (x - k * y) / 2, x), torch.where(fold, (-k * x - y) / 2, y)
    x = x - torch.clamp(x, min=-2 * side_half, max=torch.zeros_like(side_half).expand_as(x))
    return -torch.sqrt(x * x + y * y) * torch.sign(y)


_K1 = (0.809016994375, -0.587785252292)


def star(p: Tensor, r: Tensor, inner: float = 0.45) -> Tensor:
    """A five-pointed star pointing up, outer radius ``r`` and inner radius ``inner * r``."""
    r = 1.15 * r
    x, y = p[..., 0].abs(), p[..., 1]
    for kx, ky in ((_K1[0], _K1[1]), (-_K1[0], _K1[1])):
        d = 2 * (kx * x + ky * y).clamp(min=0)
        x, y = x - d * kx, y - d * ky
    x, y = x.abs(), y - r
    bax, bay = inner * -_K1[1], inner * _K1[0] - 1.0
    h = ((x * bax + y * bay) / (bax * bax + bay * bay)).clamp(min=0)
    h = torch.minimum(h, r.expand_as(h))
    dist = torch.sqrt((x - bax * h) ** 2 + (y - bay * h) ** 2)
    return dist * torch.sign(y * bax - x * bay)


def ring(p: Tensor, r: Tensor) -> Tensor:
    return (_length(p) - 0.72 * r).abs() - 0.28 * r


def cross(p: Tensor, r: Tensor) -> Tensor:
    arm = 0.32 * r
    return torch.minimum(_box(p, r, arm), _box(p, arm, r))


SDF: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "circle": circle,
    "square": square,
    "triangle": triangle,
    "star": star,
    "ring": ring,
    "cross": cross,
}
