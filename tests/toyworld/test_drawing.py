"""Pictures drawn side by side in worker processes are the ones a single process draws; ending early, or a
worker dying, stops every worker."""

import multiprocessing
import time

import pytest
import torch
import yaml
from conftest import heartbeats, tiny_preset

from artkit.errors import ArtkitError
from artkit.toyworld.drawing import STOP_GRACE_SECONDS, Request, draw, draw_all, draw_each
from artkit.toyworld.prompts import single


def test_workers_draw_the_pictures_one_process_draws(tmp_path):
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(steps=4)))
    requests = [Request(str(preset), single(colour, "circle", "left")) for colour in ("red", "blue", "red")]
    threads = torch.get_num_threads()
    side_by_side = draw_all(requests, tmp_path / "pool", workers=2)
    assert len(side_by_side) == 2  # the repeated request is drawn once
    for request, result in side_by_side.items():
        alone = draw(request, tmp_path / "alone").result
        assert torch.equal(result.tensor, alone.tensor)
        assert result.run_dir.parent == tmp_path / "pool" and (result.run_dir / "final.png").is_file()
    assert torch.get_num_threads() == threads


def test_draw_each_keeps_the_order_and_applies_steps_and_seed(tmp_path):
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(steps=4)))
    prompt = single("red", "circle", "left")
    requests = [Request(str(preset), prompt, steps=2, seed=5), Request(str(preset), prompt, steps=3)]
    drawn = list(draw_each(requests, tmp_path, workers=1))
    assert [d.request for d in drawn] == requests
    assert [len(d.result.metrics) for d in drawn] == [2, 3]
    assert drawn[0].result.config["seed"] == 5 and drawn[0].seconds > 0


def test_closing_draw_each_early_stops_its_workers_and_the_runs_not_started(tmp_path, heartbeat_plugin):
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(steps=15)))  # 3 s a run
    requests = [Request(str(preset), single("red", "circle", "left"), seed=seed) for seed in range(8)]
    drawn = draw_each(requests, tmp_path / "runs", workers=2, plugins=[heartbeat_plugin])
    assert next(drawn).request == requests[0]
    start = time.monotonic()
    drawn.close()
    assert time.monotonic() - start < STOP_GRACE_SECONDS + 3
    assert multiprocessing.active_children() == []
    assert len(list((tmp_path / "runs").iterdir())) < len(requests)  # without the stop, all eight were drawn
    beats = heartbeats(tmp_path / "runs")
    time.sleep(1.0)
    assert heartbeats(tmp_path / "runs") == beats  # nothing is drawing any more


def test_a_worker_that_dies_is_a_clear_error(tmp_path):
    dying = tmp_path / "dying.py"
    dying.write_text("import os\nimport artkit\n\n@artkit.hookimpl\ndef step_finished(run, step):\n    os._exit(3)\n")
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(steps=2)))
    requests = [Request(str(preset), single("red", "circle", "left"), seed=seed) for seed in range(3)]
    with pytest.raises(ArtkitError, match="a worker process died .* fewer workers"):
        list(draw_each(requests, tmp_path / "runs", workers=2, plugins=[str(dying)]))
    assert multiprocessing.active_children() == []
