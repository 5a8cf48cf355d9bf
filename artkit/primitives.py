"""Geometric primitives (circle, square, triangle, star, ring, cross) drawn as soft, differentiable masks.

A primitive is defined at unit size around the origin (a circle of radius 1; the others sized to look
about as big), in image axes (y down: the triangle and the star point up). Its signed distance is
negative inside; :func:`coverage` turns it into an anti-aliased mask whose gradients reach the centre,
the size and the turn, and :func:`composite` lays coloured masks over paper, in order.
:func:`svg_element` writes a primitive as SVG.

Example:
    >>> import torch
    >>> masks = coverage(["circle", "ring"], torch.tensor([[0.5, 0.5]]), torch.tensor([0.3]), torch.zeros(1), 32, 32)
    >>> masks.shape, round(masks[0, 0, 16, 16].item(), 2), round(masks[0, 1, 16, 16].item(), 2)
    (torch.Size([1, 2, 32, 32]), 1.0, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

PRIMITIVES = ("circle", "square", "triangle", "star", "ring", "cross")

RING_INNER = 0.55  # the hole's radius; the ring's outer radius is 1
SQUARE_HALF = 0.88  # a square of about the circle's area
TRIANGLE_RADIUS = 1.25  # a triangle inside the unit circle looks small
STAR_OUTER, STAR_INNER = 1.2, 0.5
CROSS_ARM = 0.33  # half an arm's width; the arms reach 1


def _regular(count: int, radius: float, offset: float = 0.0) -> list[tuple[float, float]]:
    """``count`` points evenly round a circle, the first at the top (turned by ``offset`` steps)."""
    angles = (-math.pi / 2 + 2 * math.pi * (i + offset) / count for i in range(count))
    return [(radius * math.cos(a), radius * math.sin(a)) for a in angles]


def _star() -> list[tuple[float, float]]:
    tips, dents = _regular(5, STAR_OUTER), _regular(5, STAR_INNER, offset=0.5)
    return [point for pair in zip(tips, dents, strict=True) for point in pair]


def _cross() -> list[tuple[float, float]]:
    a = CROSS_ARM
    arm = [(-a, -1.0), (a, -1.0), (a, -a)]  # the top arm's end, then the corner before the next arm
    turned = []
    for quarter in range(4):
        for x, y in arm:
            for _ in range(quarter):
                x, y = -y, x  # a quarter turn clockwise on screen
            turned.append((x, y))
    return turned


POLYGONS: dict[str, list[tuple[float, float]]] = {
    "square": [(x * SQUARE_HALF, y * SQUARE_HALF) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1))],
    "triangle": _regular(3, TRIANGLE_RADIUS),
    "star": _star(),
    "cross": _cross(),
}


def signed_distance(kind: str, points: Tensor) -> Tensor:
    """Signed distance (...) from ``points`` (..., 2), in the primitive's unit frame, to primitive ``kind``."""
    if kind in POLYGONS:
        return polygon_distance(points, torch.tensor(POLYGONS[kind], dtype=points.dtype, device=points.device))
    radius = points.pow(2).sum(-1).add(1e-12).sqrt()
    if kind == "circle":
        return radius - 1.0
    if kind == "ring":
        half_width = (1.0 - RING_INNER) / 2
        return (radius - (1.0 - half_width)).abs() - half_width
    raise ValueError(f"`kind` must be one of {', '.join(PRIMITIVES)}. Got {kind!r}.")


def polygon_distance(points: Tensor, vertices: Tensor) -> Tensor:
    """Signed distance (...) from ``points`` (..., 2) to the closed polygon ``vertices`` (M, 2)."""
    start, edge = vertices, vertices.roll(-1, 0) - vertices
    offset = points.unsqueeze(-2) - start  # (..., M, 2)
    along = ((offset * edge).sum(-1) / edge.pow(2).sum(-1)).clamp(0, 1)
    distance = (offset - along.unsqueeze(-1) * edge).pow(2).sum(-1).add(1e-12).sqrt().amin(-1)
    with torch.no_grad():  # inside or out: the parity of edge crossings of a ray to the right
        above_start = points[..., None, 1] >= start[:, 1]
        above_end = points[..., None, 1] >= start[:, 1] + edge[:, 1]
        left_of_edge = edge[:, 0] * offset[..., 1] > edge[:, 1] * offset[..., 0]
        crossings = ((above_start & ~above_end & left_of_edge) | (~above_start & above_end & ~left_of_edge)).sum(-1)
        sign = 1 - 2 * (crossings % 2)
    return distance * sign


REACH = 1.25  # every primitive lies within this many units of its centre (the triangle's corners)


def coverage(
    kinds: Sequence[str], centres: Tensor, sizes: Tensor, turns: Tensor, width: int, height: int, softness: float = 0.5
) -> Tensor:
    """Anti-aliased masks (N, K, height, width) in [0, 1] of every primitive in ``kinds`` for each of N shapes.

    Only pixels near a shape are evaluated (within its reach plus the soft edge); the rest are 0. Finding
    them costs one host sync per call, as the Bézier rasteriser's tiles do.

    Args:
        centres: (N, 2) as shares of the width and the height. sizes: (N,) the unit's length as a share of
            the shorter side. turns: (N,) clockwise, in radians.
        softness: width in pixels of the soft edge.
    """
    scale = sizes * min(width, height)  # pixels per unit, (N,)
    local = _local_points(centres, scale, turns, width, height)  # (N, H, W, 2), units
    with torch.no_grad():
        near = local.pow(2).sum(-1) < ((REACH + 12 * softness / scale) ** 2).view(-1, 1, 1)
    index = near.nonzero(as_tuple=True)
    points, pixel_scale = local[index], scale[index[0]]  # (P, 2), (P,)
    masks = local.new_zeros(len(kinds), *near.shape)
    for k, kind in enumerate(kinds):
        masks[k][index] = torch.sigmoid(-signed_distance(kind, points) * pixel_scale / softness)
    return masks.transpose(0, 1)


def _local_points(centres: Tensor, scale: Tensor, turns: Tensor, width: int, height: int) -> Tensor:
    """Every pixel centre in each shape's unit frame: (N, H, W, 2)."""
    device, dtype = centres.device, centres.dtype
    ys, xs = torch.meshgrid(
        torch.arange(height, device=device, dtype=dtype) + 0.5, torch.arange(width, device=device, dtype=dtype) + 0.5,
        indexing="ij",
    )  # fmt: skip
    dx = xs - (centres[:, 0] * width).view(-1, 1, 1)
    dy = ys - (centres[:, 1] * height).view(-1, 1, 1)
    cos, sin = turns.cos().view(-1, 1, 1), turns.sin().view(-1, 1, 1)
    return torch.stack([cos * dx + sin * dy, cos * dy - sin * dx], dim=-1) / scale.view(-1, 1, 1, 1)


def composite(alpha: Tensor, colours: Tensor, paper: Tensor) -> Tensor:
    """Layers (L, H, W) of opacity ``alpha`` and RGB ``colours`` (L, 3), the last on top, over ``paper`` (3,).

    Returns (1, 3, H, W). No loop over layers: each layer's paint is scaled by what the later ones let through.
    """
    clear = torch.log1p(-alpha.clamp(0, 1 - 1e-6))  # log of what each layer lets through
    through_later = clear.flip(0).cumsum(0).flip(0) - clear
    paint = ((1 - clear.exp()) * through_later.exp()).unsqueeze(1) * colours.view(-1, 3, 1, 1)
    return (paint.sum(0) + paper.view(3, 1, 1) * clear.sum(0).exp()).unsqueeze(0)


def svg_element(kind: str, centre: tuple[float, float], scale: float, turn: float, attributes: str) -> str:
    """Primitive ``kind`` as one SVG element: centred at ``centre`` (pixels), ``scale`` pixels per unit,
    turned ``turn`` radians clockwise; ``attributes`` (fill and opacity) are written into the element."""
    cx, cy = centre
    if kind == "circle":
        return f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{scale:.2f}" {attributes}/>'
    if kind == "ring":
        return f'<path d="{_circle_path(cx, cy, scale)} {_circle_path(cx, cy, scale * RING_INNER)}" fill-rule="evenodd" {attributes}/>'
    cos, sin = math.cos(turn), math.sin(turn)
    points = " ".join(
        f"{cx + scale * (cos * x - sin * y):.2f},{cy + scale * (sin * x + cos * y):.2f}" for x, y in POLYGONS[kind]
    )
    return f'<polygon points="{points}" {attributes}/>'


def _circle_path(cx: float, cy: float, r: float) -> str:
    return f"M {cx + r:.2f} {cy:.2f} A {r:.2f} {r:.2f} 0 1 0 {cx - r:.2f} {cy:.2f} A {r:.2f} {r:.2f} 0 1 0 {cx + r:.2f} {cy:.2f} Z"
