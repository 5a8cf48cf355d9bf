"""``artkit bench`` on tiny toy models: both loops run on the same models and the numbers add up."""

import copy
import tempfile

import pytest

from artkit.bench import STANDARD, bench_preset


def tiny_standard():
    config = copy.deepcopy(STANDARD)
    config.update(size=[32, 32])
    config["generator"] = {"name": "vqgan", "model": "toy"}
    config["perceptors"] = [{"name": "openclip", "model": "toyclip", "pretrained": None}]
    config["augmentations"] = [{"name": "cutouts", "cutn": 4}]
    return config


def test_standard_comparison_times_artkit_and_the_baseline():
    result = bench_preset(tiny_standard(), "cpu", steps=2, baseline=True, name="tiny").as_dict()
    assert result["artkit_s_per_step"] > 0 and result["baseline_s_per_step"] > 0
    assert result["ratio"] == pytest.approx(result["artkit_s_per_step"] / result["baseline_s_per_step"], rel=0.01)
    assert set(result["split_s"]) == {"generator", "cutouts", "perceptor_forward", "loss_and_backward", "update"}
    assert result["cutn"] == 4 and result["size"] == [32, 32] and result["peak_memory_mb"] > 0
    assert result["compile"] == "none" and result["cut_batches"] == 1 and result["autocast"] == "auto"


def test_a_preset_alone_has_no_baseline_and_leaves_no_files(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = bench_preset(tiny_standard(), "cpu", steps=1).as_dict()
    assert result["baseline_s_per_step"] is None and result["ratio"] is None
    assert list(tmp_path.iterdir()) == []
