"""Pictures drawn side by side in worker processes are the ones a single process draws."""

import torch
import yaml
from conftest import tiny_preset

from artkit.toyworld.drawing import draw, draw_all
from artkit.toyworld.prompts import single


def test_workers_draw_the_pictures_one_process_draws(tmp_path):
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(steps=4)))
    requests = [(str(preset), single(colour, "circle", "left")) for colour in ("red", "blue", "red")]
    threads = torch.get_num_threads()
    side_by_side = draw_all(requests, tmp_path / "pool", workers=2)
    assert len(side_by_side) == 2  # the repeated request is drawn once
    for request, result in side_by_side.items():
        alone = draw(*request, tmp_path / "alone")
        assert torch.equal(result.tensor, alone.tensor)
        assert result.run_dir.parent == tmp_path / "pool" and (result.run_dir / "final.png").is_file()
    assert torch.get_num_threads() == threads
