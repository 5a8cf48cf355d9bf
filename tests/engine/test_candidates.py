"""``candidates``: several starts tried for a few steps, the lowest loss run again in full."""

import json

import pytest
import torch
from conftest import tiny_preset

import artkit
from artkit.engine import candidates
from artkit.engine.candidates import CANDIDATES_FILE
from artkit.video import read_frames


def preset(count=3, trial=2, steps=4, **changes):
    return tiny_preset(steps=steps, candidates={"count": count, "steps": trial}, **changes)


def forcing(monkeypatch, chosen):
    """Makes candidate ``chosen`` win whatever its loss; returns each trial's first and last images."""
    first_images, last_images, real = [], [], candidates._trial_score

    def score(run, start, steps, stop):
        candidates._install(run, start)
        first_images.append(run.current_image())
        real(run, start, steps, stop)
        last_images.append(run.current_image())
        return 0.0 if len(last_images) - 1 == chosen else 1.0

    monkeypatch.setattr(candidates, "_trial_score", score)
    return first_images, last_images


def test_the_start_with_the_lowest_loss_is_chosen_and_recorded(tmp_path):
    result = artkit.run(preset(), out=tmp_path, progress=False)
    record = json.loads((result.run_dir / CANDIDATES_FILE).read_text())
    losses = [c["loss"] for c in record["candidates"]]
    assert [c["seed"] for c in record["candidates"]] == [0, 1, 2] and record["steps"] == 2
    assert record["chosen"] == losses.index(min(losses))
    assert len(set(losses)) == 3  # three different starts


def test_the_choice_is_reproducible(tmp_path):
    first = artkit.run(preset(), out=tmp_path / "a", progress=False)
    second = artkit.run(preset(), out=tmp_path / "b", progress=False)
    assert torch.equal(first.tensor, second.tensor)
    assert (first.run_dir / CANDIDATES_FILE).read_text() == (second.run_dir / CANDIDATES_FILE).read_text()


def test_candidate_zero_is_the_run_one_candidate_makes(tmp_path, monkeypatch):
    plain = artkit.run(tiny_preset(steps=4), out=tmp_path / "plain", progress=False)
    forcing(monkeypatch, chosen=0)
    chosen = artkit.run(preset(), out=tmp_path / "chosen", progress=False)
    assert torch.equal(plain.tensor, chosen.tensor)


def test_the_chosen_start_is_run_again_exactly_from_its_first_step(tmp_path, monkeypatch):
    first_images, last_images = forcing(monkeypatch, chosen=1)
    outputs = [{"name": "metrics"}, {"name": "progress_video", "every": 1, "fps": 8, "hold": 0.25}]
    result = artkit.run(preset(trial=4, outputs=outputs), out=tmp_path, progress=False)  # trials as long as the run
    assert torch.equal(result.tensor, last_images[1])
    assert not torch.equal(result.tensor, last_images[0])
    steps = [json.loads(line)["step"] for line in (result.run_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]  # the outputs see one ordinary run, from the chosen start
    frames = read_frames(result.run_dir / "progress.mp4")
    assert len(frames) == 1 + 4 + 2
    first = torch.from_numpy(frames[0]).permute(2, 0, 1).float() / 255
    assert distance(first, first_images[1]) < 0.75 * distance(first, first_images[0])  # noise through lossy mp4


def distance(frame, image):
    return (frame - torch.nn.functional.interpolate(image, size=frame.shape[-2:])[0]).abs().mean().item()


def test_a_resumed_run_does_not_try_again(tmp_path, monkeypatch):
    first = artkit.run(preset(), out=tmp_path, progress=False)
    monkeypatch.setattr(candidates, "_trial_score", pytest.fail)
    artkit.resume(first.run_dir, steps=2, progress=False)


def test_a_run_that_has_chosen_does_not_choose_again_even_at_step_0(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from artkit.engine.run import build_run
    from artkit.resolve import prepare

    run = build_run(*prepare(preset()), tmp_path)
    (run.dir / CANDIDATES_FILE).write_text("{}")  # as a run stopped during its trials leaves it
    monkeypatch.setattr(candidates, "_trial_score", pytest.fail)
    assert candidates.choose_start(run, SimpleNamespace(requested=False)) is None


def test_a_count_alone_is_enough_and_animations_refuse_candidates():
    from artkit.schema import RunConfig

    assert RunConfig(candidates=3).candidates.count == 3
    with pytest.raises(ValueError, match="candidates: .*animation"):
        RunConfig(candidates=2, animation={"frames": 2})
