"""End to end: run the offline presets for real and look at the picture.

Each preset draws each prompt once (module fixture), in runs side by side in worker processes with one
torch thread each (``artkit.toyworld.drawing``), so the pictures do not depend on the machine's core count.
Two independent checks read the result: pixel statistics and the judge, a classifier that never guided
the run.

Presets: every offline ``*-quickstart`` but ``toyclip-quickstart`` (pixel, fft, palette and vqgan with toyclip
and toyprior; vector with two toyclips and toyprior). What holds today (``COLOUR_HOLDS``, ``REGION_HOLDS``,
``JUDGE_HOLDS``, ``SHAPE_HOLDS``, ``BACKGROUND_HOLDS``): guidance steers the figures' colour for every preset and
prompt (the named colour is far more present in the figures under its own prompt than under another, and at
least three quarters as present as in the renderer's own small figure); the named colour dominates the named
region (at least three quarters of the share a small clean render puts there, three times the opposite
region's) for 24 of the 25 (preset, prompt) pairs (not ``vector-quickstart``'s two objects: a green triangle,
smaller than the circle asked for); the judge reads colour and position for all 25; colour, shape and
position are read for 21 (every single figure of every preset, and ``palette-quickstart``'s two objects); and the white background of the purple ring for every
preset. Which pairs hold changes with every change to a run's random draws; ``artkit eval`` over many prompts,
not these five, is what ranks changes. Every other pair is marked ``xfail(strict=True)``, so the day it starts
to pass is noticed. The presets with toyprior draw flat figures on plain fields (circles, squares, rings,
stars), ``vector-quickstart`` (two geometric primitives on a learned paper, started where the prompt places its
objects, the best of three starts) flat primitives on plain fields (see docs/toyworld.md). A negative prompt ("a green circle on a blue
background") drives its background colour out of the quick start's picture and keeps the red circle.
"""

from collections.abc import Iterable
from dataclasses import replace

import pytest
import torch

import artkit
from artkit.toyworld.drawing import Request, draw_all
from artkit.toyworld.drawing import draw as draw_one
from artkit.toyworld.fidelity import colour_share, figure_share, judge_prompt, region_of
from artkit.toyworld.prompts import Expected, ToyPrompt, pair, single
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject
from artkit.toyworld.vocab import COLOUR_NAMES

COLOUR_CASES = {
    "red": single("red", "circle", "left"),
    "blue": single("blue", "square", "top"),
    "yellow": single("yellow", "star", "center"),
}
CASES = {
    **COLOUR_CASES,
    "two-objects": pair(Expected("green", "circle", "left"), Expected("white", "square", "right")),
    "background": single("purple", "ring", "right", background="white"),
}
PRESETS = [
    "quickstart",
    "fft-quickstart",
    "palette-quickstart",
    "vqgan-quickstart",
    "vector-quickstart",
]
NOT_YET = pytest.mark.xfail(strict=True, reason="guided toy-world pictures are not yet legible (docs/toyworld.md)")


def every_case(*presets: str) -> set[tuple[str, str]]:
    """Every test case of each preset."""
    return {(preset, case) for preset in presets for case in CASES}


# (preset, case) pairs that hold today (pictures drawn on one thread); every other pair is a strict xfail.
COLOUR_HOLDS = every_case(*PRESETS)
JUDGE_HOLDS = every_case(*PRESETS)
REGION_HOLDS = JUDGE_HOLDS - {("vector-quickstart", "two-objects")}  # its green circle drawn a smaller triangle
SHAPE_HOLDS = every_case(*PRESETS) - {  # colour, shape and position all read
    (preset, "two-objects") for preset in PRESETS if preset != "palette-quickstart"
}
BACKGROUND_HOLDS = {(preset, "background") for preset in PRESETS}  # the background the prompt names is read


def marked(cases: Iterable[str], holding: set[tuple[str, str]]) -> list:
    """Every (preset, case), those not in ``holding`` marked as expected to fail."""
    return [
        pytest.param(preset, case, marks=() if (preset, case) in holding else NOT_YET)
        for preset in PRESETS
        for case in cases
    ]


@pytest.fixture(scope="module")
def drawn(request, tmp_path_factory):
    """Draws every prompt of every preset the selected tests name, side by side (one thread per run), once."""
    out = tmp_path_factory.mktemp("e2e")
    cache = draw_all(
        [Request(preset, prompt) for preset in _selected_presets(request) for prompt in CASES.values()], out
    )

    def draw(preset: str, prompt: ToyPrompt) -> artkit.RunResult:
        wanted = Request(preset, prompt)
        if wanted not in cache:
            cache[wanted] = draw_one(wanted, out).result
        return cache[wanted]

    return draw


def _selected_presets(request) -> list[str]:
    """The presets that this module's selected tests draw, the slowest first (so that the workers end together).
    A test without a ``preset`` parameter draws the quick start."""
    named = set()
    for item in request.session.items:
        if getattr(item, "module", None) is request.module and "drawn" in getattr(item, "fixturenames", ()):
            params = getattr(item, "callspec", None)
            named.add(params.params.get("preset", "quickstart") if params else "quickstart")
    return [preset for preset in reversed(PRESETS) if preset in named]


@pytest.mark.parametrize(
    ("preset", "colour"),
    marked(COLOUR_CASES, COLOUR_HOLDS),
)
def test_guidance_steers_the_colour(drawn, preset, colour):
    """The figures show the named colour under its own prompt, far more than under another prompt. A field is
    not a figure: a prompt that names no background leaves its colour free, a red field under the yellow
    prompt is not red drawn for it."""
    image = drawn(preset, COLOUR_CASES[colour]).tensor
    own = figure_share(image, colour)
    others = [figure_share(drawn(preset, p).tensor, colour) for c, p in COLOUR_CASES.items() if c != colour]
    least = 0.75 * figure_share(small_render(COLOUR_CASES[colour].objects[0], image.shape[-1]), colour)
    assert own > least and own > 1.5 * max(others), (own, least, others)


@pytest.mark.parametrize(("preset", "case"), marked(CASES, REGION_HOLDS))
def test_the_named_colour_dominates_the_named_region(drawn, preset, case):
    prompt = CASES[case]
    image = drawn(preset, prompt).tensor
    for obj in prompt.objects:
        inside = colour_share(image, obj.colour, region_of(obj.position))
        outside = colour_share(image, obj.colour, region_of(_opposite(obj.position)))
        least = 0.75 * colour_share(small_render(obj, image.shape[-1]), obj.colour, region_of(obj.position))
        assert inside > least and inside > 3 * outside, (obj, inside, least, outside)


@pytest.mark.parametrize(("preset", "case"), marked(CASES, JUDGE_HOLDS))
def test_the_judge_reads_the_prompt(drawn, preset, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(preset, prompt).tensor, prompt)
    assert verdict["colour"] and verdict["position"], verdict


@pytest.mark.parametrize(("preset", "case"), marked(CASES, SHAPE_HOLDS))
def test_the_judge_reads_the_shape_too(drawn, preset, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(preset, prompt).tensor, prompt)
    assert verdict["colour"] and verdict["shape"] and verdict["position"], verdict


@pytest.mark.parametrize(("preset", "case"), marked(["background"], BACKGROUND_HOLDS))
def test_the_judge_reads_the_background_the_prompt_names(drawn, preset, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(preset, prompt).tensor, prompt)
    assert verdict["background"], verdict


def test_a_negative_prompt_pushes_its_colour_away(drawn):
    """The quick start's drawing of the red prompt, again with the colour it drew most besides red as the
    background of a negative prompt ("a green circle on a <colour> background", weight -0.5: a whole scene, as
    toyprior reads captions, whose figure is not the prompt's, which it would push away too): that colour must
    all but leave the picture, and the red stay."""
    plain = COLOUR_CASES["red"]
    asked = plain.objects[0]
    others = [c for c in COLOUR_NAMES if c != asked.colour]
    image = drawn("quickstart", plain).tensor
    unwanted = max(others, key=lambda c: colour_share(image, c))
    decoy = next(c for c in others if c != unwanted)
    negated = replace(plain, negatives=(single(decoy, asked.shape, background=unwanted).text,))
    after = drawn("quickstart", negated).tensor
    assert colour_share(after, unwanted) < 0.5 * colour_share(image, unwanted), unwanted
    assert colour_share(after, asked.colour) > 0.5 * colour_share(image, asked.colour)


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_writes_image_video_and_config(drawn, preset):
    run_dir = drawn(preset, COLOUR_CASES["red"]).run_dir
    for name in ("final.png", "config.yaml", "metrics.jsonl", "progress.mp4"):
        assert (run_dir / name).stat().st_size > 0, name


def small_render(obj: Expected, size: int) -> torch.Tensor:
    """The toy world's own clean picture of ``obj``, small (its usual size in a two-object scene), on a field of
    another colour: what a drawn figure's colour share is measured against."""
    field = "white" if obj.colour == "black" else "black"
    return render([Scene(field, (ToyObject(obj.shape, obj.colour, obj.position, "small"),))], size, jitter=0, noise=0)


def _opposite(position: str) -> str:
    swap = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
    if position == "center":
        return "top left"
    return " ".join(swap.get(word, word) for word in position.split())


def test_opposite_regions():
    assert _opposite("top left") == "bottom right" and _opposite("left") == "right"
    assert region_of("left") == (0.0, 0.25, 0.5, 0.75)
