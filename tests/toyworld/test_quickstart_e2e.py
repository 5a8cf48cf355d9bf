"""End to end: run the quickstart preset for real and look at the picture.

Each prompt is drawn once (module fixture). Two independent checks read the result: pixel statistics
(the named colour dominates the named region) and the judge, a classifier that never guided the run.
"""

import pytest
import torch

import artkit
from artkit.toyworld.fidelity import colour_share, judge_prompt, region_of
from artkit.toyworld.prompts import Expected, ToyPrompt, pair, single

CASES = {
    "colour-position": single("red", "circle", "left"),
    "top": single("blue", "square", "top"),
    "shape": single("yellow", "star", "center"),
    "two-objects": pair(Expected("green", "circle", "left"), Expected("white", "square", "right")),
    "background": single("purple", "ring", "right", background="white"),
}
NEGATIVE = ToyPrompt(
    "a blue circle in the center", (Expected("blue", "circle", "center"),), negatives=("a black background",)
)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e")
    cache = {}

    def draw(prompt: ToyPrompt) -> artkit.RunResult:
        if prompt not in cache:
            cache[prompt] = artkit.run("quickstart", prompts=prompt.prompts, out=out, progress=False)
        return cache[prompt]

    return draw


@pytest.mark.parametrize("case", CASES)
def test_the_named_colour_dominates_the_named_region(drawn, case):
    prompt = CASES[case]
    image = drawn(prompt).tensor
    for obj in prompt.objects:
        inside = colour_share(image, obj.colour, region_of(obj.position))
        outside = colour_share(image, obj.colour, region_of(_opposite(obj.position)))
        assert inside > 0.15 and inside > 3 * outside, (obj, inside, outside)


@pytest.mark.parametrize("case", CASES)
def test_the_judge_reads_the_prompt(drawn, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(prompt).tensor, prompt)
    assert verdict["colour"] and verdict["position"], verdict


def test_the_judge_reads_the_shape_of_most_prompts(drawn):
    verdicts = [judge_prompt(drawn(p).tensor, p)["shape"] for p in CASES.values()]
    assert sum(verdicts) >= len(verdicts) - 1, verdicts


def test_a_negative_prompt_pushes_away(drawn):
    with_negative = drawn(NEGATIVE).tensor
    without = drawn(ToyPrompt(NEGATIVE.text, NEGATIVE.objects)).tensor
    assert colour_share(with_negative, "black") < colour_share(without, "black")
    assert colour_share(with_negative, "blue", region_of("center")) > 0.15


def test_quickstart_writes_image_video_and_config(drawn):
    run_dir = drawn(CASES["colour-position"]).run_dir
    for name in ("final.png", "config.yaml", "metrics.jsonl", "progress.mp4"):
        assert (run_dir / name).stat().st_size > 0, name


def _opposite(position: str) -> str:
    swap = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
    if position == "center":
        return "top left"
    return " ".join(swap.get(word, word) for word in position.split())


def test_opposite_regions():
    assert _opposite("top left") == "bottom right" and _opposite("left") == "right"
    assert torch.tensor(region_of("left")).tolist() == [0.0, 0.25, 0.5, 0.75]
