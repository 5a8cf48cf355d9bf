"""Animations end to end at tiny sizes: frames, video, timelines, resume."""

import numpy as np
import pytest
import torch
from conftest import tiny_preset
from PIL import Image

import artkit
from artkit.animation.runner import Schedule
from artkit.schema import AnimationConfig
from artkit.video import read_frames


def animated(**animation):
    data = tiny_preset(generator={"name": "fft"}, outputs=[{"name": "metrics"}])
    data["animation"] = {"frames": 5, "fps": 6, "first_frame_steps": 3, "steps_per_frame": 2, **animation}
    return data


def test_frames_and_mp4(tmp_path):
    import imageio.v2 as imageio

    result = artkit.run(animated(zoom="1.1", rotate="2 * frame"), out=tmp_path, progress=False)
    frames = sorted((result.run_dir / "frames").iterdir())
    assert [p.name for p in frames] == [f"frame_0000{i}.png" for i in range(5)]
    video = read_frames(result.run_dir / "animation.mp4")
    assert len(video) == 5 and video[0].shape == (32, 32, 3)
    with imageio.get_reader(result.run_dir / "animation.mp4") as reader:
        assert reader.get_meta_data()["fps"] == 6
    with Image.open(frames[-1]) as png:
        assert png.text["step"] == str(3 + 4 * 2)


def test_steps_are_computed_from_the_frames():
    config = AnimationConfig(frames=5, first_frame_steps=3, steps_per_frame=2)
    schedule = Schedule(config)
    assert config.total_steps == 11
    assert [schedule.span(f) for f in range(3)] == [(0, 3), (3, 5), (5, 7)]
    assert [schedule.frame_of(s) for s in (0, 2, 3, 4, 5, 11)] == [0, 0, 1, 1, 2, 5]


def test_each_frame_starts_from_the_previous_one_warped(tmp_path):
    data = animated(zoom="1.5", steps_per_frame=1, frames=2)
    data["optimizer"] = {"name": "adam", "lr": 1e-6}  # almost no change: the warp dominates
    result = artkit.run(data, out=tmp_path, progress=False)
    frames = [np.asarray(Image.open(p), dtype=np.float32) for p in sorted((result.run_dir / "frames").iterdir())]
    assert np.abs(frames[0] - frames[1]).mean() > 1.0  # the zoom changed it


def test_timeline_prompts_replace_the_prompts(tmp_path):
    data = animated(prompts={0: "a red circle", 4: "a blue square"})
    data["prompts"] = []
    result = artkit.run(data, out=tmp_path, progress=False)
    assert [p["text"] for p in result.config["prompts"]] == ["a red circle", "a blue square"]


def test_prompts_and_a_timeline_conflict(tmp_path):
    with pytest.raises(artkit.ConfigError, match="either in `prompts` or as an `animation.prompts` timeline"):
        artkit.run(animated(prompts={0: "a", 4: "b"}), out=tmp_path, progress=False)


def test_bad_expression_is_a_clean_error(tmp_path):
    with pytest.raises(artkit.ArtkitError, match="animation.zoom: the name 'os' is not allowed"):
        artkit.run(animated(zoom="os"), out=tmp_path, progress=False)


def test_interrupted_animation_resumes_at_the_right_frame(tmp_path, signal_plugin):
    whole = artkit.run(animated(), out=tmp_path / "whole", progress=False)
    with pytest.raises(artkit.ArtkitError, match="Interrupted at step 6 of 11"):
        artkit.run(animated(), plugins=[signal_plugin(6)], out=tmp_path / "parts", progress=False)
    run_dir = next((tmp_path / "parts").iterdir())
    assert len(list((run_dir / "frames").iterdir())) == 2  # frames 0 and 1 finished; frame 2 half done
    resumed = artkit.resume(run_dir, progress=False)
    assert len(list((run_dir / "frames").iterdir())) == 5
    assert len(read_frames(run_dir / "animation.mp4")) == 5
    assert torch.equal(resumed.tensor, whole.tensor)


def test_resuming_an_animation_with_more_steps_is_refused(tmp_path):
    result = artkit.run(animated(frames=2), out=tmp_path, progress=False)
    with pytest.raises(artkit.ArtkitError, match="an animation resumes to its last frame; --steps does not apply"):
        artkit.resume(result.run_dir, steps=3, progress=False)
