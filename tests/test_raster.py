"""The Bézier rasteriser: coverage, order, alpha, fills, gradients, and the tiled result against a
plain per-pixel reference."""

import torch

from artkit.raster import TILE, rasterize, sample_cubic


def line(x0, y0, x1, y1):
    return torch.tensor(
        [
            [
                [x0, y0],
                [x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3],
                [x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3],
                [x1, y1],
            ]
        ]
    )


RED = torch.tensor([[1.0, 0.0, 0.0, 1.0]])
BLUE = torch.tensor([[0.0, 0.0, 1.0, 1.0]])


def test_a_stroke_covers_its_width_and_no_more():
    image = rasterize(line(4, 20.5, 36, 20.5), torch.tensor([6.0]), RED, 40, 40)
    green = image[0, 1, :, 20]
    assert green[18:23].max() < 0.1  # inside: 17.5..23.5, anti-aliased within a pixel of the edge
    assert green[:16].min() > 0.95 and green[26:].min() > 0.95


def test_later_paths_are_drawn_over_earlier_ones():
    points = torch.cat([line(2, 16.5, 30, 16.5), line(16.5, 2, 16.5, 30)])
    image = rasterize(points, torch.tensor([4.0, 4.0]), torch.cat([RED, BLUE]), 32, 32)
    assert image[0, 2, 16, 16] > 0.95 and image[0, 0, 16, 16] < 0.05  # blue on top at the crossing
    assert image[0, 0, 16, 4] > 0.95  # red where blue is not


def test_alpha_blends_with_the_background():
    half_red = torch.tensor([[1.0, 0.0, 0.0, 0.5]])
    image = rasterize(line(2, 16.5, 30, 16.5), torch.tensor([6.0]), half_red, 32, 32, background=torch.zeros(3))
    assert abs(image[0, 0, 16, 16].item() - 0.5) < 0.02


def test_closed_shape_is_filled_even_far_from_its_outline():
    angles = torch.linspace(0, 2 * torch.pi, 10)[:-1]
    ring = torch.stack([48 + 40 * angles.cos(), 48 + 40 * angles.sin()], -1)
    ring = torch.cat([ring, ring[:1]])
    curves = ring[torch.arange(3).view(-1, 1) * 3 + torch.arange(4)].unsqueeze(0)
    image = rasterize(curves, torch.zeros(1), RED, 96, 96, closed=True)
    assert image[0, 1, 40:56, 40:56].max() < 0.05 and image[0, 1, 2, 2] > 0.95


def test_gradients_reach_points_widths_and_colours():
    points = line(4, 10, 28, 22).requires_grad_()
    widths = torch.tensor([3.0], requires_grad=True)
    colours = RED.clone().requires_grad_()
    rasterize(points, widths, colours, 32, 32)[0, 1].sum().backward()
    for tensor in (points, widths, colours):
        assert tensor.grad is not None and tensor.grad.abs().sum() > 0


def test_background_image():
    background = torch.rand(1, 3, 20, 36)
    image = rasterize(line(2, 2, 4, 2), torch.tensor([1.0]), RED, 36, 20, background=background)
    assert torch.allclose(image[..., 10:, 10:], background[..., 10:, 10:])


def reference(points, widths, colours, width, height, softness=0.35, samples=8):
    """Every pixel against every path, path by path: slow and plain."""
    polyline = sample_cubic(points.unsqueeze(1), samples)
    ys, xs = torch.meshgrid(torch.arange(height) + 0.5, torch.arange(width) + 0.5, indexing="ij")
    pixels = torch.stack([xs, ys], -1).reshape(-1, 2)
    canvas = torch.ones(len(pixels), 3)
    for path, w, c in zip(polyline, widths, colours, strict=True):
        a, b = path[:-1], path[1:]
        ab = b - a
        t = (((pixels[:, None] - a) * ab).sum(-1) / (ab.pow(2).sum(-1) + 1e-8)).clamp(0, 1)
        d = ((pixels[:, None] - (a + t[..., None] * ab)).pow(2).sum(-1) + 1e-8).sqrt().min(-1).values
        alpha = (torch.sigmoid((w / 2 - d) / softness) * c[3]).clamp(0, 1 - 1e-6)[:, None]
        canvas = canvas * (1 - alpha) + c[:3] * alpha
    return canvas.T.reshape(1, 3, height, width)


def test_tiled_result_equals_the_plain_reference():
    torch.manual_seed(0)
    width, height = 3 * TILE + 5, 2 * TILE + 3  # tiles cut at the edges too
    points = torch.rand(12, 4, 2) * torch.tensor([width, height])
    widths = torch.rand(12) * 6 + 1
    colours = torch.rand(12, 4)
    tiled = rasterize(points, widths, colours, width, height)
    assert torch.allclose(tiled, reference(points, widths, colours, width, height), atol=3e-3)  # the cut-off tail
