"""The judge reads clean renders well; it is independent of toyclip."""

import json
from pathlib import Path

import torch

from artkit.toyworld import judge
from artkit.toyworld.fidelity import judge_prompt
from artkit.toyworld.prompts import Expected, ToyPrompt, pair, single
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject
from artkit.toyworld.train_judge import accuracy

REPORT = Path(judge.WEIGHTS_PATH).with_name("judge_report.json")


def test_judge_is_accurate_on_clean_renders():
    scores = accuracy(judge.load(), n=300, seed=777)
    assert scores["colour"] > 0.95 and scores["position"] > 0.9 and scores["background"] > 0.95
    assert scores["shape"] > 0.8


def test_report_matches_the_shipped_weights():
    report = json.loads(REPORT.read_text())
    assert report["seed"] != 0  # toyclip trains with seed 0: the judge must not share it
    assert report["clean_accuracy"]["colour"] > 0.95


def test_judge_is_not_a_clip():
    net = judge.load()
    assert not any("attn" in name or "transformer" in name for name, _ in net.named_modules())


def test_judge_prompt_on_a_render():
    scene = Scene("black", (ToyObject("square", "blue", "right", "big"),))
    image = render([scene], size=128, seed=3)
    assert judge_prompt(image, single("blue", "square", "right")) == {"colour": True, "shape": True, "position": True}
    verdict = judge_prompt(image, single("red", "circle", "left"))
    assert verdict["colour"] is False


def test_judge_prompt_two_objects():
    scene = Scene("white", (ToyObject("circle", "red", "left", "big"), ToyObject("triangle", "blue", "right", "big")))
    image = render([scene], size=64, seed=1)
    prompt = pair(Expected("red", "circle", "left"), Expected("blue", "triangle", "right"))
    assert all(judge_prompt(image, prompt).values())
    swapped = ToyPrompt("swapped", (Expected("red", None, "right"), Expected("blue", None, "left")))
    assert judge_prompt(image, swapped)["position"] is False


def test_reading_a_flat_image_finds_no_confident_object():
    reading = judge.read(torch.full((1, 3, 64, 64), 0.5))[0]
    assert reading.pairs.max() < 0.9
