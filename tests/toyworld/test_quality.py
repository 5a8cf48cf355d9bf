"""Time to quality: the judge is asked every few steps, and the first step it reads the prompt counts."""

import tempfile

from artkit.images import save_png
from artkit.toyworld.prompts import single
from artkit.toyworld.quality import first_read, time_to_quality
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject


def frozen_preset(tmp_path, init_image=None):
    generator = {"name": "pixel", "init": "gray", "init_noise": 0.0}
    if init_image is not None:
        generator = {"name": "pixel", "init_image": str(init_image), "init_noise": 0.0}
    return {
        "size": [64, 64], "device": "cpu", "generator": generator,
        "perceptors": [{"name": "openclip", "model": "toyclip"}], "augmentations": [{"name": "cutouts", "cutn": 2}],
        "losses": [{"name": "clip"}], "optimizer": {"name": "adam", "lr": 1e-6},
    }  # fmt: skip


def test_a_picture_that_already_shows_the_prompt_is_read_at_the_first_check(tmp_path):
    prompt = single("red", "circle", "left", background="white")
    scene = Scene("white", (ToyObject("circle", "red", "left", "big"),))
    path = tmp_path / "scene.png"
    save_png(render([scene], size=64, seed=0, noise=0.0), path)
    result = first_read(frozen_preset(tmp_path, path), prompt, max_steps=4, every=2, seed=0, plugins=())
    assert result["steps"] == 2 and result["seconds"] >= 0
    assert result["attributes"] == {"colour": 2, "shape": 2, "position": 2, "background": 2}


def test_attributes_are_timed_one_by_one(tmp_path):
    scene = Scene("white", (ToyObject("circle", "red", "left", "big"),))
    path = tmp_path / "scene.png"
    save_png(render([scene], size=64, seed=0, noise=0.0), path)
    prompt = single("red", "square", "left")  # right colour and place, wrong shape
    result = first_read(frozen_preset(tmp_path, path), prompt, max_steps=4, every=2, seed=0, plugins=())
    assert result["steps"] is None
    assert result["attributes"] == {"colour": 2, "shape": None, "position": 2}


def test_a_grey_picture_is_never_read_and_its_run_leaves_no_files(tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    prompt = single("red", "circle", "left")
    result = first_read(frozen_preset(tmp_path), prompt, max_steps=2, every=1, seed=0, plugins=())
    assert result == {"steps": None, "seconds": None, "attributes": {"colour": None, "shape": None, "position": None}}
    assert list(scratch.iterdir()) == []


def test_summary_counts_reached_prompts(tmp_path):
    rows = time_to_quality([frozen_preset(tmp_path)], n_prompts=2, max_steps=1, every=1)
    assert rows[0]["prompts"] == 2 and rows[0]["reached"] == 0 and rows[0]["median_steps"] is None
    colour = rows[0]["attributes"]["colour"]
    assert colour["prompts"] == 2 and colour["reached"] == 0 and colour["median_steps"] is None
