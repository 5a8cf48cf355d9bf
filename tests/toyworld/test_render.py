import math
import random

import pytest
import torch

from artkit.toyworld.captions import describe, full_caption
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject, sample_scene
from artkit.toyworld.vocab import COLOURS, HELD_OUT_PAIRS, SHAPES, SIZES


def one(shape="circle", colour="red", position="center", size="big", background="black"):
    return Scene(background, (ToyObject(shape, colour, position, size),))


def coverage(scene, size=128):
    image = render([scene], size=size, jitter=0, noise=0)
    background = torch.tensor(COLOURS[scene.background]).view(3, 1, 1)
    return (image[0] - background).abs().sum(0).gt(0.5).float()


def test_circle_area_matches_its_radius():
    area = coverage(one("circle")).mean().item()
    assert area == pytest.approx(math.pi * SIZES["big"] ** 2, rel=0.03)


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_is_drawn_where_asked(shape):
    mask = coverage(one(shape, position="left"))
    ys, xs = mask.nonzero(as_tuple=True)
    assert mask.sum() > 100
    assert xs.float().mean() / 128 == pytest.approx(0.25, abs=0.04)
    assert ys.float().mean() / 128 == pytest.approx(0.5, abs=0.06)


def test_shapes_differ_from_each_other():
    masks = [coverage(one(s)) for s in SHAPES]
    for i in range(len(SHAPES)):
        for j in range(i + 1, len(SHAPES)):
            assert (masks[i] != masks[j]).float().mean() > 0.02, (SHAPES[i], SHAPES[j])


def test_ring_has_a_hole_and_colours_are_right():
    image = render([one("ring", colour="yellow", background="blue")], size=64, jitter=0, noise=0)[0]
    assert torch.allclose(image[:, 32, 32], torch.tensor(COLOURS["blue"]), atol=0.02)  # the hole
    assert torch.allclose(image[:, 32, 32 + 10], torch.tensor(COLOURS["yellow"]), atol=0.02)  # the band


def test_edges_are_anti_aliased():
    image = render([one("circle", colour="white")], size=64, jitter=0, noise=0)[0, 0]
    partial = ((image > 0.1) & (image < 0.9)).sum().item()
    assert partial > 20


def test_same_seed_same_pixels_other_seed_other_jitter():
    scenes = [sample_scene(random.Random(i)) for i in range(8)]
    assert torch.equal(render(scenes, seed=4), render(scenes, seed=4))
    assert not torch.equal(render(scenes, seed=4), render(scenes, seed=5))


def test_two_object_scenes_are_apart_and_differently_coloured():
    rng = random.Random(0)
    for _ in range(200):
        scene = sample_scene(rng, two_objects_p=1.0)
        a, b = scene.objects
        assert a.position != b.position and a.colour != b.colour
        assert scene.background not in (a.colour, b.colour)


def test_held_out_pairs_are_excluded_when_asked():
    rng = random.Random(1)
    for _ in range(500):
        scene = sample_scene(rng, allow_held_out=False)
        assert all((o.colour, o.shape) not in HELD_OUT_PAIRS for o in scene.objects)


def test_captions_tell_the_truth():
    rng = random.Random(2)
    for _ in range(200):
        scene = sample_scene(rng)
        caption = describe(scene, rng)
        for obj in scene.objects:
            assert obj.colour in caption and obj.shape in caption
    assert full_caption(one("star", "orange", "top left", "small", "white")) == (
        "a small orange star in the top left corner on a white background"
    )
