"""Geometric primitives: their signed distances, soft masks, turns, compositing, and SVG that draws what the
masks show."""

import re
import xml.etree.ElementTree as ET

import numpy
import pytest
import torch
from PIL import Image, ImageDraw

from artkit.primitives import PRIMITIVES, RING_INNER, SQUARE_HALF, composite, coverage, signed_distance, svg_element

SIZE = 64


def one_mask(kind, centre=(0.5, 0.5), size=0.3, turn=0.0):
    masks = coverage([kind], torch.tensor([centre]), torch.tensor([size]), torch.tensor([turn]), SIZE, SIZE)
    return masks[0, 0]


@pytest.mark.parametrize("kind", PRIMITIVES)
def test_every_primitive_is_filled_at_its_centre_but_the_ring(kind):
    inside = signed_distance(kind, torch.zeros(2)) < 0
    assert inside == (kind != "ring")
    assert signed_distance(kind, torch.tensor([3.0, 0.0])) > 0


def test_the_square_distance_is_exact():
    distances = signed_distance("square", torch.tensor([[2.0, 0.0], [0.0, 0.0], [2.0, 2.0]]))
    corner = (2 * (2 - SQUARE_HALF) ** 2) ** 0.5
    assert torch.allclose(distances, torch.tensor([2 - SQUARE_HALF, -SQUARE_HALF, corner]), atol=1e-5)


def test_a_mask_is_one_inside_zero_outside_and_soft_at_the_edge():
    mask = one_mask("circle", size=0.25)  # radius 16 pixels around (32, 32)
    assert mask[32, 32] > 0.99 and mask[32, 4] < 0.01
    edge = mask[32, 15:18]  # the pixel centres 15.5, 16.5, 17.5 straddle the edge at x = 16
    assert 0.1 < edge[1] < 0.9 and edge[0] < edge[1] < edge[2]


def test_a_turn_turns_the_primitive():
    tip = (32, 32 + int(0.3 * SIZE * SQUARE_HALF * 1.2))  # beyond a side's middle, within a diamond's corner
    assert one_mask("square")[tip[1], tip[0]] < 0.01
    assert one_mask("square", turn=torch.pi / 4)[tip[1], tip[0]] > 0.95


def test_gradients_reach_centre_size_and_turn():
    centres, sizes, turns = torch.tensor([[0.4, 0.5]]), torch.tensor([0.2]), torch.tensor([0.1])
    for parameter in (centres, sizes, turns):
        parameter.requires_grad_(True)
    masks = coverage(["triangle"], centres, sizes, turns, SIZE, SIZE)
    (masks * torch.linspace(0, 1, SIZE)).sum().backward()  # more weight to the right
    assert centres.grad[0, 0] > 0 and sizes.grad[0] > 0 and turns.grad[0] != 0


def test_composite_lays_each_layer_over_the_ones_before():
    torch.manual_seed(0)
    alpha, colours, paper = torch.rand(4, 5, 6), torch.rand(4, 3), torch.rand(3)
    expected = paper.view(3, 1, 1).expand(3, 5, 6)
    for layer in range(4):
        expected = expected * (1 - alpha[layer]) + alpha[layer] * colours[layer].view(3, 1, 1)
    assert torch.allclose(composite(alpha, colours, paper)[0], expected, atol=1e-5)


@pytest.mark.parametrize("kind", ["circle", "square", "triangle", "star", "cross"])
def test_the_svg_element_draws_what_the_mask_shows(kind):
    centre, size, turn = (0.45, 0.55), 0.3, 0.4
    element = ET.fromstring(svg_element(kind, (centre[0] * SIZE, centre[1] * SIZE), size * SIZE, turn, 'fill="red"'))
    drawn = Image.new("L", (SIZE * 4, SIZE * 4))  # drawn 4x larger, then averaged: anti-aliased coverage
    pen = ImageDraw.Draw(drawn)
    if kind == "circle":
        x, y, r = (float(element.get(k)) * 4 for k in ("cx", "cy", "r"))
        pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    else:
        pen.polygon([tuple(float(v) * 4 for v in p.split(",")) for p in element.get("points").split()], fill=255)
    svg = torch.from_numpy(numpy.array(drawn.resize((SIZE, SIZE), Image.BOX))) > 127
    mask = one_mask(kind, centre, size, turn) > 0.5
    assert (svg & mask).sum() / (svg | mask).sum() > 0.95  # the edges' anti-aliasing differs, not the outline


def test_the_svg_ring_is_two_circles_filled_even_odd():
    element = ET.fromstring(svg_element("ring", (30.0, 20.0), 10.0, 0.0, 'fill="red"'))
    assert element.get("fill-rule") == "evenodd"
    radii = sorted({float(r) for r in re.findall(r"A ([\d.]+) ", element.get("d"))})
    assert radii == [pytest.approx(10 * RING_INNER), pytest.approx(10.0)]
    assert one_mask("ring")[32, 32] < 0.01 and one_mask("ring")[32, 32 + int(0.3 * SIZE * 0.8)] > 0.99


def test_an_unknown_primitive_is_named():
    with pytest.raises(ValueError, match="`kind` must be one of circle, .* Got 'hexagon'"):
        signed_distance("hexagon", torch.zeros(2))
