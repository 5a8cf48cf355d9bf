"""A differentiable, anti-aliased rasteriser for cubic Bézier paths, in pure torch.

Paths are sampled into polylines; the image is split into square tiles, and each path is evaluated
only in the tiles its bounding box touches: all (tile, path) pairs are computed in one batch, then
composited in path order ("over") with a segmented cumulative product, so there is no Python loop
over paths. Gradients reach control points, widths and colours through the soft edge.

Example:
    >>> points = torch.tensor([[[0.2, 0.5], [0.4, 0.5], [0.6, 0.5], [0.8, 0.5]]]) * 32
    >>> image = rasterize(points, torch.tensor([4.0]), torch.tensor([[1.0, 0.0, 0.0, 1.0]]), 32, 32)
    >>> image.shape, round(image[0, 1, 16, 16].item(), 2), round(image[0, 1, 2, 16].item(), 2)
    (torch.Size([1, 3, 32, 32]), 0.01, 1.0)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

TILE = 16


def sample_cubic(points: Tensor, samples: int) -> Tensor:
    """Points along cubic Bézier curves: (P, C, 4, 2) control points give (P, C * samples + 1, 2)."""
    t = torch.linspace(0, 1, samples + 1, device=points.device, dtype=points.dtype)[:-1]
    mt = 1 - t
    basis = torch.stack([mt**3, 3 * mt**2 * t, 3 * mt * t**2, t**3], dim=1)  # (S, 4)
    curve = torch.einsum("sk,pckd->pcsd", basis, points).flatten(1, 2)  # (P, C*S, 2)
    return torch.cat([curve, points[:, -1:, 3]], dim=1)


def _pairs(lo: Tensor, hi: Tensor, tiles_x: int, tiles_y: int) -> tuple[Tensor, Tensor]:
    """(tile index, path index) of every tile each path's box [lo, hi] (pixels) touches, sorted by tile."""
    t_lo = (lo / TILE).floor().long()
    t_hi = (hi / TILE).floor().long()
    t_lo[:, 0].clamp_(0, tiles_x - 1)
    t_hi[:, 0].clamp_(0, tiles_x - 1)
    t_lo[:, 1].clamp_(0, tiles_y - 1)
    t_hi[:, 1].clamp_(0, tiles_y - 1)
    span = (t_hi - t_lo + 1).clamp(min=1)
    max_x, max_y = int(span[:, 0].max()), int(span[:, 1].max())
    dx = torch.arange(max_x, device=lo.device).view(1, -1, 1)
    dy = torch.arange(max_y, device=lo.device).view(1, 1, -1)
    valid = (dx < span[:, 0].view(-1, 1, 1)) & (dy < span[:, 1].view(-1, 1, 1))
    tx = (t_lo[:, 0].view(-1, 1, 1) + dx).expand_as(valid)
    ty = (t_lo[:, 1].view(-1, 1, 1) + dy).expand_as(valid)
    path = torch.arange(len(lo), device=lo.device).view(-1, 1, 1).expand_as(valid)
    tile = (ty * tiles_x + tx)[valid]
    path = path[valid]
    order = torch.argsort(tile * len(lo) + path)
    return tile[order], path[order]


def _offset_to_segments(p: Tensor, a: Tensor, ab: Tensor) -> Tensor:
    """From each segment's nearest point (segments start at ``a`` with direction ``ab``) to ``p``."""
    t = (((p - a) * ab).sum(-1) / (ab.pow(2).sum(-1) + 1e-8)).clamp(0, 1)
    return p - a - t.unsqueeze(-1) * ab


def _near_pairs(tile: Tensor, path: Tensor, polyline: Tensor, reach: Tensor, tiles_x: int) -> tuple[Tensor, Tensor]:
    """Drops (tile, path) pairs whose path passes farther from the tile than its reach (a long diagonal
    stroke's box covers many tiles it never comes near)."""
    centre = (torch.stack([tile % tiles_x, tile // tiles_x], dim=1).to(polyline.dtype) + 0.5) * TILE
    a = polyline[path, :-1]  # (Q, K-1, 2)
    offsets = _offset_to_segments(centre.unsqueeze(1), a, polyline[path, 1:] - a)
    distance = offsets.pow(2).sum(-1).min(-1).values.sqrt()
    keep = distance <= reach[path] + TILE * 0.7072  # half the tile's diagonal
    return tile[keep], path[keep]


def _distance_and_winding(pixels: Tensor, polyline: Tensor, closed: bool) -> tuple[Tensor, Tensor | None]:
    """Distance (Q, N) from N pixels to Q polylines (Q, K, 2); for closed paths also the winding number.

    The nearest segment is found without autograd over all segments; the distance is then recomputed
    with gradients for that segment only, so the backward pass touches (Q, N), not (Q, N, K).
    """
    with torch.no_grad():
        a, b = polyline[:, None, :-1], polyline[:, None, 1:]  # (Q, 1, K-1, 2)
        p = pixels.unsqueeze(2)  # (Q, N, 1, 2)
        nearest_segment = _offset_to_segments(p, a, b - a).pow(2).sum(-1).argmin(-1)  # (Q, N)
        winding = None
        if closed:
            va, vb = a - p, b - p
            cross = va[..., 0] * vb[..., 1] - va[..., 1] * vb[..., 0]
            winding = torch.atan2(cross, (va * vb).sum(-1)).sum(-1) / (2 * math.pi)
    rows = torch.arange(len(polyline), device=polyline.device).unsqueeze(1)
    a, b = polyline[rows, nearest_segment], polyline[rows, nearest_segment + 1]  # (Q, N, 2), with gradients
    distance = (_offset_to_segments(pixels, a, b - a).pow(2).sum(-1) + 1e-8).sqrt()
    return distance, winding


def rasterize(
    points: Tensor,
    widths: Tensor,
    colours: Tensor,
    width: int,
    height: int,
    background: Tensor | None = None,
    closed: bool = False,
    samples: int = 8,
    softness: float = 0.35,
) -> Tensor:
    """Draws paths over ``background``: a colour (3,) (white by default) or an image (1, 3, height, width).
    Returns (1, 3, height, width).

    Args:
        points: control points in pixels, (P, 4, 2) for single curves or (P, C, 4, 2) for C joined curves.
        widths: stroke widths in pixels (P,); for closed shapes, the outline's width (0 for fill only).
        colours: RGBA in [0, 1] (P, 4); alpha scales coverage. Later paths are drawn over earlier ones.
        closed: paths are closed, filled shapes (the last curve should end where the first begins).
        samples: polyline points per curve. softness: width in pixels of the anti-aliased edge.
    """
    if points.dim() == 3:
        points = points.unsqueeze(1)
    device, dtype = points.device, points.dtype
    background = torch.ones(3, device=device, dtype=dtype) if background is None else background.to(device, dtype)
    tiles_x, tiles_y = math.ceil(width / TILE), math.ceil(height / TILE)
    if background.dim() == 4:
        background = _to_tiles(background, tiles_x, tiles_y)
    polyline = sample_cubic(points, samples)  # (P, K, 2)
    with torch.no_grad():
        reach = widths.detach().view(-1, 1) / 2 + 6 * softness  # beyond it coverage < 0.25%: left out
        lo, hi = polyline.detach().amin(1) - reach, polyline.detach().amax(1) + reach
        tile, path = _pairs(lo, hi, tiles_x, tiles_y)
        if not closed:  # a filled shape covers tiles far from its outline
            tile, path = _near_pairs(tile, path, polyline.detach(), reach.view(-1), tiles_x)
    offsets = _tile_pixels(device, dtype)  # (N, 2) pixel centres inside a tile
    origin = torch.stack([tile % tiles_x, tile // tiles_x], dim=1).to(dtype) * TILE  # (Q, 2)
    pixels = origin.unsqueeze(1) + offsets  # (Q, N, 2)
    distance, winding = _distance_and_winding(pixels, polyline[path], closed)
    edge = widths[path].unsqueeze(1) / 2 - distance
    if closed:
        inside = torch.sigmoid((winding.abs() - 0.5) * 40)  # ~1 inside, ~0 outside, smooth at the turn
        edge = torch.where(inside > 0.5, distance + edge.clamp(min=0), edge)
    alpha = (torch.sigmoid(edge / softness) * colours[path, 3:4]).clamp(0, 1 - 1e-6)  # (Q, N)
    return _composite(tile, path, alpha, colours, background, tiles_x, tiles_y, width, height)


def _tile_pixels(device: torch.device, dtype: torch.dtype) -> Tensor:
    ys, xs = torch.meshgrid(torch.arange(TILE), torch.arange(TILE), indexing="ij")
    return torch.stack([xs, ys], dim=-1).reshape(-1, 2).to(device, dtype) + 0.5


def _to_tiles(image: Tensor, tiles_x: int, tiles_y: int) -> Tensor:
    """(1, 3, H, W) as (tiles, TILE*TILE, 3), padded at the right and bottom: the compositing layout."""
    _, _, height, width = image.shape
    padded = torch.nn.functional.pad(image, (0, tiles_x * TILE - width, 0, tiles_y * TILE - height))
    tiles = padded[0].view(3, tiles_y, TILE, tiles_x, TILE).permute(1, 3, 2, 4, 0)
    return tiles.reshape(tiles_y * tiles_x, TILE * TILE, 3)


def _composite(tile, path, alpha, colours, background, tiles_x, tiles_y, width, height) -> Tensor:
    """'Over' compositing of every (tile, path) pair in path order, without a loop over paths."""
    n_tiles = tiles_x * tiles_y
    log_clear = torch.log1p(-alpha)  # (Q, N): log of what each pair lets through
    inclusive = log_clear.flip(0).cumsum(0).flip(0)  # sum from pair q to the end
    padded = torch.cat([inclusive, torch.zeros_like(inclusive[:1])])
    count = torch.arange(len(tile), device=tile.device)
    # per tile: its first and last pair; a tile no path touches points both past the end (a zero row)
    last = torch.full((n_tiles,), len(tile) - 1, dtype=torch.long, device=tile.device)
    last = last.scatter_reduce(0, tile, count, reduce="amax", include_self=False)
    first = torch.full((n_tiles,), len(tile), dtype=torch.long, device=tile.device)
    first = first.scatter_reduce(0, tile, count, reduce="amin", include_self=True)
    after = inclusive - log_clear - padded[last[tile] + 1]  # covered by later paths of the same tile
    paint = (alpha * after.exp()).unsqueeze(-1) * colours[path, :3].unsqueeze(1)  # (Q, N, 3)
    canvas = torch.zeros(n_tiles, TILE * TILE, 3, device=alpha.device, dtype=alpha.dtype).index_add(0, tile, paint)
    through = (padded[first] - padded[last + 1]).exp()  # (T, N): what shows of the background
    canvas = canvas + through.unsqueeze(-1) * background
    image = (
        canvas.view(tiles_y, tiles_x, TILE, TILE, 3).permute(4, 0, 2, 1, 3).reshape(3, tiles_y * TILE, tiles_x * TILE)
    )
    return image[:, :height, :width].unsqueeze(0)
