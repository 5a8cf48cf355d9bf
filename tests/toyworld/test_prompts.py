import random

import pytest

from artkit.toyworld.captions import describe, full_caption
from artkit.toyworld.prompts import Expected, benchmark_prompts, parse
from artkit.toyworld.scene import Scene, ToyObject


@pytest.mark.parametrize("seed", range(6))
def test_benchmark_prompts_read_back_as_written(seed):
    for prompt in benchmark_prompts(8, seed):
        read = parse(prompt.text)
        assert (read.objects, read.background) == (prompt.objects, prompt.background)


def test_full_captions_of_two_objects_read_back():
    scene = Scene(
        "white", (ToyObject("star", "blue", "top left", "small"), ToyObject("ring", "orange", "bottom", "big"))
    )
    read = parse(full_caption(scene))
    assert read.objects == (Expected("blue", "star", "top left", "small"), Expected("orange", "ring", "bottom", "big"))
    assert read.background == "white"


def test_training_captions_read_back_what_they_name():
    rng = random.Random(1)
    scene = Scene("black", (ToyObject("cross", "yellow", "right", "big"),))
    for _ in range(30):
        caption = describe(scene, rng)
        read = parse(caption)
        assert read.objects[0].colour == "yellow" and read.objects[0].shape == "cross"
        assert read.objects[0].position in (None, "right"), caption
        assert read.background in (None, "black"), caption


def test_a_part_without_a_colour_is_no_toy_prompt():
    assert parse("a cat on the left") is None
    assert parse("a red circle and a dog") is None


def test_unnamed_shape_and_position_stay_unknown():
    assert parse("something green").objects == (Expected("green", None, None),)
