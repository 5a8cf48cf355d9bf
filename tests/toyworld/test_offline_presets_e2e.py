"""End to end: run the offline presets for real and look at the picture.

Each preset draws each prompt once (module fixture), in runs side by side in worker processes with one
torch thread each (``artkit.toyworld.drawing``), so the pictures do not depend on the machine's core count.
Two independent checks read the result: pixel statistics and the judge, a classifier that never guided
the run.

Presets: every offline ``*-quickstart`` (pixel with toyclip and toyprior, pixel with toyclip alone, fft,
palette, vqgan, vector). What holds today: guidance steers colour for every preset (the named colour is far
more present under its own prompt than under another); the named colour dominates the named region for 15 of
the 30 (preset, prompt) pairs (all five of ``quickstart``'s), the judge reads colour and position for 8 (four
of them ``quickstart``'s, the two-object prompt among them) and colour, shape and position for 4: three of
``vector-quickstart``'s and ``quickstart``'s blue square (``REGION_HOLDS``, ``JUDGE_HOLDS``,
``SHAPE_HOLDS``). Which pairs hold changes with every change to a run's random draws, as with the
single-resampling cutouts of 2026-12-02, while over 64 prompts of ``artkit eval`` the counts held. Every
other pair is marked ``xfail(strict=True)``, so the day it starts to pass is noticed. The presets guided by
toyclip alone draw coloured blobs in the right places; ``quickstart`` draws flat figures (a square, a ring, a
four-armed star), ``vector-quickstart`` (geometric primitives, two toyclips, the best of three starts) the
shapes of the red circle, the blue square and the yellow star (see docs/toyworld.md). A negative prompt
("a green background") drives its colour out of the quick start's picture.
"""

from dataclasses import replace

import pytest

import artkit
from artkit.toyworld.captions import article
from artkit.toyworld.drawing import Request, draw_all
from artkit.toyworld.drawing import draw as draw_one
from artkit.toyworld.fidelity import colour_share, judge_prompt, region_of
from artkit.toyworld.prompts import Expected, ToyPrompt, pair, single
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
    "toyclip-quickstart",
    "quickstart",
    "fft-quickstart",
    "palette-quickstart",
    "vqgan-quickstart",
    "vector-quickstart",
]
NOT_YET = pytest.mark.xfail(strict=True, reason="guided toy-world pictures are not yet legible (docs/toyworld.md)")
# (preset, case) pairs that hold today (pictures drawn on one thread); every other pair is a strict xfail.
REGION_HOLDS = {
    ("toyclip-quickstart", "blue"),
    ("fft-quickstart", "red"),
    ("fft-quickstart", "two-objects"),
    ("quickstart", "red"),
    ("quickstart", "blue"),
    ("quickstart", "yellow"),
    ("quickstart", "background"),
    ("quickstart", "two-objects"),
    ("palette-quickstart", "red"),
    ("palette-quickstart", "blue"),
    ("vqgan-quickstart", "red"),
    ("vector-quickstart", "red"),
    ("vector-quickstart", "blue"),
    ("vector-quickstart", "yellow"),
    ("vector-quickstart", "background"),
}
JUDGE_HOLDS = {
    ("quickstart", "red"),
    ("quickstart", "blue"),
    ("quickstart", "yellow"),
    ("quickstart", "two-objects"),
    ("vqgan-quickstart", "red"),
    ("vector-quickstart", "red"),
    ("vector-quickstart", "blue"),
    ("vector-quickstart", "yellow"),
}

SHAPE_HOLDS = {  # colour, shape and position all read
    ("quickstart", "blue"),
    ("vector-quickstart", "red"),
    ("vector-quickstart", "blue"),
    ("vector-quickstart", "yellow"),
}


def pairs(holding: set[tuple[str, str]]) -> list:
    """Every (preset, case), those not in ``holding`` marked as expected to fail."""
    return [
        pytest.param(preset, case, marks=() if (preset, case) in holding else NOT_YET)
        for preset in PRESETS
        for case in CASES
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


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("colour", COLOUR_CASES)
def test_guidance_steers_the_colour(drawn, preset, colour):
    own = colour_share(drawn(preset, COLOUR_CASES[colour]).tensor, colour)
    others = [colour_share(drawn(preset, p).tensor, colour) for c, p in COLOUR_CASES.items() if c != colour]
    assert own > 0.05 and own > 1.5 * max(others), (own, others)


@pytest.mark.parametrize(("preset", "case"), pairs(REGION_HOLDS))
def test_the_named_colour_dominates_the_named_region(drawn, preset, case):
    prompt = CASES[case]
    image = drawn(preset, prompt).tensor
    for obj in prompt.objects:
        inside = colour_share(image, obj.colour, region_of(obj.position))
        outside = colour_share(image, obj.colour, region_of(_opposite(obj.position)))
        assert inside > 0.3 and inside > 3 * outside, (obj, inside, outside)


@pytest.mark.parametrize(("preset", "case"), pairs(JUDGE_HOLDS))
def test_the_judge_reads_the_prompt(drawn, preset, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(preset, prompt).tensor, prompt)
    assert verdict["colour"] and verdict["position"], verdict


@pytest.mark.parametrize(("preset", "case"), pairs(SHAPE_HOLDS))
def test_the_judge_reads_the_shape_too(drawn, preset, case):
    prompt = CASES[case]
    verdict = judge_prompt(drawn(preset, prompt).tensor, prompt)
    assert verdict["colour"] and verdict["shape"] and verdict["position"], verdict


def test_a_negative_prompt_pushes_its_colour_away(drawn):
    """The quick start's drawing of the red prompt, again with the colour it drew most besides red as a negative
    prompt ("a <colour> background", weight -0.5): that colour must all but leave the picture, and the red stay."""
    plain = COLOUR_CASES["red"]
    asked = plain.objects[0]
    others = [c for c in COLOUR_NAMES if c != asked.colour]
    image = drawn("quickstart", plain).tensor
    unwanted = max(others, key=lambda c: colour_share(image, c))
    negated = replace(plain, negatives=(f"{article(unwanted)} {unwanted} background",))
    after = drawn("quickstart", negated).tensor
    assert colour_share(after, unwanted) < 0.5 * colour_share(image, unwanted), unwanted
    assert colour_share(after, asked.colour) > 0.5 * colour_share(image, asked.colour)


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_writes_image_video_and_config(drawn, preset):
    run_dir = drawn(preset, COLOUR_CASES["red"]).run_dir
    for name in ("final.png", "config.yaml", "metrics.jsonl", "progress.mp4"):
        assert (run_dir / name).stat().st_size > 0, name


def _opposite(position: str) -> str:
    swap = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
    if position == "center":
        return "top left"
    return " ".join(swap.get(word, word) for word in position.split())


def test_opposite_regions():
    assert _opposite("top left") == "bottom right" and _opposite("left") == "right"
    assert region_of("left") == (0.0, 0.25, 0.5, 0.75)
