"""Pictures drawn side by side in worker processes are the ones a single process draws."""

import torch
import yaml
from conftest import tiny_preset

from artkit.toyworld.drawing import Request, draw, draw_all, draw_each
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
