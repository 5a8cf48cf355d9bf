"""Interrupt a run, resume it, and compare with a run that was never interrupted."""

import numpy as np
import pytest
import torch
from conftest import tiny_preset
from PIL import Image

import artkit
from artkit.engine.state import STATE_FILE
from artkit.video import read_frames

OUTPUTS = [
    {"name": "metrics"},
    {"name": "png", "every": 2},
    {"name": "progress_video", "every": 1, "fps": 8, "hold": 0.25},
]


def preset(**changes):
    return tiny_preset(steps=8, outputs=OUTPUTS, **changes)


def interrupted_run(out_dir, signal_plugin, stop_at=4):
    with pytest.raises(artkit.ArtkitError, match=f"Interrupted at step {stop_at} of 8.*artkit resume"):
        artkit.run(preset(), plugins=[signal_plugin(stop_at)], out=out_dir / "runs", progress=False)
    return next((out_dir / "runs").iterdir())


def test_resumed_run_equals_an_uninterrupted_one(tmp_path, signal_plugin):
    whole = artkit.run(preset(), out=tmp_path / "whole", progress=False)
    run_dir = interrupted_run(tmp_path / "parts", signal_plugin)
    resumed = artkit.resume(run_dir, progress=False)
    assert resumed.run_dir == run_dir
    assert torch.equal(resumed.tensor, whole.tensor)


def test_resume_continues_the_files(tmp_path, signal_plugin):
    run_dir = interrupted_run(tmp_path, signal_plugin)
    assert len(read_frames(run_dir / "progress.mp4")) == 1 + 4 + 2  # start, 4 steps, held final
    artkit.resume(run_dir, progress=False)
    assert len(read_frames(run_dir / "progress.mp4")) == 1 + 8 + 2
    steps = [int(line.split(",")[0].split(":")[1]) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 9))
    assert sorted(p.name for p in (run_dir / "steps").iterdir()) == [f"step_0000{i}.png" for i in (2, 4, 6, 8)]
    with Image.open(run_dir / "final.png") as png:
        assert png.text["step"] == "8"


def test_more_steps_after_the_end(tmp_path):
    first = artkit.run(tiny_preset(steps=4), out=tmp_path, progress=False)
    with pytest.raises(artkit.ArtkitError, match="already finished all 4 steps. Give --steps N"):
        artkit.resume(first.run_dir, progress=False)
    more = artkit.resume(first.run_dir, steps=3, progress=False)
    with Image.open(more.run_dir / "final.png") as png:
        assert png.text["step"] == "7"
    assert not torch.equal(more.tensor, first.tensor)


def test_new_prompt_continues_from_the_current_picture(tmp_path, signal_plugin):
    run_dir = interrupted_run(tmp_path, signal_plugin)
    with Image.open(run_dir / "final.png") as png:
        before = png.copy()
    result = artkit.resume(run_dir, steps=1, prompts="a blue square", progress=False)
    assert result.config["prompts"][0]["text"] == "a blue square"
    after, start = (np.asarray(img, dtype=np.float32) for img in (result.image, before))
    assert np.abs(after - start).mean() < 25  # one step from the interrupted picture, not a fresh start


def test_a_directory_without_state(tmp_path):
    (tmp_path / "config.yaml").write_text("steps: 3\n")
    with pytest.raises(artkit.ArtkitError, match=f"no {STATE_FILE} here, so there is nothing to resume"):
        artkit.resume(tmp_path, progress=False)
    with pytest.raises(artkit.ArtkitError, match="no config.yaml here"):
        artkit.resume(tmp_path / "nowhere", progress=False)


def test_a_damaged_state_file(tmp_path):
    result = artkit.run(tiny_preset(steps=2), out=tmp_path, progress=False)
    (result.run_dir / STATE_FILE).write_bytes(b"\x00garbage")
    with pytest.raises(artkit.ArtkitError, match="not a state file artkit can read"):
        artkit.resume(result.run_dir, steps=1, progress=False)


def test_state_is_checkpointed_during_the_run(tmp_path, signal_plugin):
    from safetensors import safe_open

    data = tiny_preset(steps=8, checkpoint_every=2)
    # A second signal at step 5 stops at once: only the checkpoint of step 4 is left.
    with pytest.raises(artkit.ArtkitError, match="Stopped at once at step 5"):
        artkit.run(data, plugins=[signal_plugin(5, signals=2)], out=tmp_path / "runs", progress=False)
    run_dir = next((tmp_path / "runs").iterdir())
    with safe_open(str(run_dir / STATE_FILE), framework="pt") as handle:
        assert '"step": 4' in handle.metadata()["artkit"]
    resumed = artkit.resume(run_dir, progress=False)
    whole = artkit.run(tiny_preset(steps=8, checkpoint_every=2), out=tmp_path / "whole", progress=False)
    assert torch.equal(resumed.tensor, whole.tensor)
