"""``choice_search`` with ``views``: placed objects paired with the nearest choices, read on close views."""

import pytest
import torch
from conftest import tiny_preset

import artkit
from artkit.engine.choice_views import paired_objects, phrase_embeddings, view_distance
from artkit.engine.run import build_run
from artkit.resolve import prepare
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject

SHAPES = ["circle", "square", "triangle", "star", "ring", "cross"]
PLACED = "a red circle on the left and a blue square on the right"


def shapes_run(tmp_path, prompt: str, centres: list[list[float]]):
    """A built (not run) vector run with primitive shapes at ``centres``."""
    generator = {"name": "vector", "strokes": 0, "shapes": len(centres), "primitives": SHAPES}
    preset = tiny_preset(prompts=[prompt], generator=generator, choice_search={"at": [1.0], "views": True})
    run = build_run(*prepare(preset), tmp_path)
    with torch.no_grad():
        run.generator.primitive_shapes.centres.copy_(torch.tensor(centres))
    return run


def test_each_object_is_paired_with_the_nearest_choice(tmp_path):
    run = shapes_run(tmp_path, PLACED, [[0.7, 0.45], [0.3, 0.55]])
    paired = paired_objects(run)
    assert {choice: pairing.object.phrase for choice, pairing in paired.items()} == {
        "shape 1": "a blue square",
        "shape 2": "a red circle",
    }
    assert paired["shape 1"].place == pytest.approx((0.7, 0.45))  # the view is centred on the shape, not the place


def test_a_choice_takes_one_object_and_an_object_one_choice(tmp_path):
    both_left = shapes_run(tmp_path / "a", PLACED, [[0.2, 0.5], [0.3, 0.5]])
    assert {c: p.object.phrase for c, p in paired_objects(both_left).items()} == {
        "shape 1": "a red circle",  # the nearer of the two to the left
        "shape 2": "a blue square",  # the object left over, though it is on the other side
    }
    one_object = shapes_run(tmp_path / "b", "a red circle on the left", [[0.8, 0.5], [0.3, 0.5]])
    assert list(paired_objects(one_object)) == ["shape 2"]


def test_negative_and_unplaced_prompts_pair_nothing(tmp_path):
    run = shapes_run(tmp_path, "a red circle", [[0.25, 0.5]])
    assert paired_objects(run) == {}
    run.info.prompts.append(artkit.Prompt(text="a blue star on the left", weight=-1.0))
    assert paired_objects(run) == {}


@pytest.fixture(scope="module")
def toyclips():
    from artkit_plugins.perceptors.openclip import OpenClipPerceptor

    info = artkit.RunInfo(size=(128, 128))
    return [
        OpenClipPerceptor(OpenClipPerceptor.Config(model="toyclip", pretrained=p), info) for p in ("robust", "shapes")
    ]


@pytest.mark.parametrize(("left", "right"), [("star", "ring"), ("square", "triangle"), ("cross", "circle")])
def test_a_view_reads_the_shape_of_its_own_object(toyclips, left, right):
    objects = (ToyObject(left, "red", "left", "small"), ToyObject(right, "blue", "right", "small"))
    picture = render([Scene("black", objects)], size=128, seed=0)
    for shape, colour, place in ((left, "red", (0.25, 0.5)), (right, "blue", (0.75, 0.5))):
        distances = {
            s: view_distance(picture, place, 0.5, toyclips, phrase_embeddings(toyclips, f"a {colour} {s}"))
            for s in SHAPES
        }
        assert min(distances, key=distances.get) == shape, distances
