"""Every shipped preset validates and runs a few steps at a tiny size.

Perceptors are swapped for random-initialised toyclip models (one per perceptor the preset names) and
zoo VQGANs get random weights, so nothing is downloaded; everything else is the preset as shipped.
"""

from pathlib import Path

import pytest

import artkit
from artkit.presets import load_preset
from artkit.resolve import prepare

PRESETS = sorted(p.stem for p in (Path(__file__).parent.parent / "presets").glob("*.yaml"))
RANDOM_TOYCLIP = {"name": "openclip", "model": "toyclip", "pretrained": None}


def tiny(name: str) -> dict:
    data = load_preset(name, [Path(__file__).parent.parent / "presets"])
    data.update(size=[32, 32], steps=2, device="cpu")
    data["perceptors"] = [dict(RANDOM_TOYCLIP) for _ in data.get("perceptors", [])]
    for aug in data.get("augmentations", []):
        aug["cutn"] = 4
    if data["generator"].get("name") == "vqgan" and data["generator"].get("model") != "toy":
        data["generator"]["random_weights"] = True  # the real architecture, nothing downloaded
    if "animation" in data:
        data["animation"].update(frames=2, first_frame_steps=2, steps_per_frame=1)
    return data


def test_presets_are_found():
    assert {"quickstart", "pixel", "pixel-smooth", "clip-ensemble"} <= set(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_validates_as_shipped(name):
    plan, _ = prepare(name)
    assert plan.run.description, "every preset says what it is for (shown by `artkit presets`)"


@pytest.mark.parametrize("name", PRESETS)
def test_preset_runs_at_tiny_size(name, out_dir):
    result = artkit.run(tiny(name), out=out_dir, progress=False)
    assert result.image.size == (32, 32)
    assert (result.run_dir / "final.png").is_file()
