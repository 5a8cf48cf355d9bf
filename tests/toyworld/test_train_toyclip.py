"""The toyclip training script: deterministic given its seed, and its report records how it trained."""

import functools
import json

import pytest
import torch
from safetensors.torch import load_file

from artkit.toyworld import train_toyclip
from artkit.toyworld.evaluate import image_margins, zero_shot_report


@pytest.fixture(autouse=True)
def small_evaluation(monkeypatch):
    monkeypatch.setattr(train_toyclip, "zero_shot_report", functools.partial(zero_shot_report, n=16))
    monkeypatch.setattr(train_toyclip, "image_margins", functools.partial(image_margins, n=8))
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # the script sets its own thread count


def train(tmp_path, name, *options):
    out = tmp_path / name / "toyclip.safetensors"
    out.parent.mkdir()
    argv = ["--steps", "2", "--batch-size", "8", "--warmup", "1", "--threads", "1", "--out", str(out), *options]
    train_toyclip.train(train_toyclip.parser().parse_args(argv))
    return load_file(str(out)), json.loads(out.with_name("toyclip_report.json").read_text())


def test_same_seed_same_weights_and_the_report_records_the_options(tmp_path):
    first, report = train(tmp_path, "a", "--seed", "3", "--shape-negatives", "2")
    second, _ = train(tmp_path, "b", "--seed", "3", "--shape-negatives", "2")
    other, _ = train(tmp_path, "c", "--seed", "4", "--shape-negatives", "2")
    assert all((first[k] == second[k]).all() for k in first)
    assert any(first[k].shape != other[k].shape or (first[k] != other[k]).any() for k in first)
    assert report["seed"] == 3 and report["shape_negatives"] == 2 and report["steps"] == 2
    assert report["image_width"] == 16  # the shipped architecture's
    assert [p["step"] for p in report["curve"]] == [2]
    assert {"colour_margin", "shape_margin", "position_margin"} <= set(report["final"])  # what guidance sees


def test_the_report_is_named_after_the_weights_and_keeps_the_stage_before(tmp_path):
    argv = ["--steps", "1", "--batch-size", "8", "--warmup", "1", "--threads", "1", "--seed", "3"]
    first = tmp_path / "first.safetensors"
    train_toyclip.train(train_toyclip.parser().parse_args([*argv, "--out", str(first)]))
    second = tmp_path / "second.safetensors"
    train_toyclip.train(train_toyclip.parser().parse_args([*argv, "--out", str(second), "--init", str(first)]))
    report = json.loads((tmp_path / "second_report.json").read_text())
    assert report["previous_stage"] == json.loads((tmp_path / "first_report.json").read_text())


def test_a_robust_stage_records_its_radius_and_norm(tmp_path):
    _, report = train(
        tmp_path, "linf", "--seed", "3", "--robust", "0.03", "--robust-norm", "linf", "--robust-steps", "1"
    )
    assert report["robust"] == {"epsilon": 0.03, "steps": 1, "norm": "linf"}


def test_a_wider_image_tower_trains_and_loads_back_at_its_width(tmp_path):
    from artkit.toyworld import toyclip

    _, report = train(tmp_path, "wide", "--seed", "3", "--image-width", "24")
    assert report["image_width"] == 24
    model = toyclip.create(weights=tmp_path / "wide" / "toyclip.safetensors")
    assert model.visual.conv1.out_channels == 12  # the stem has half the width
    assert model.encode_image(torch.rand(1, 3, 64, 64)).shape == (1, 128)


def test_the_twin_loss_asks_each_caption_to_prefer_its_own_image():
    text = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    right, wrong = torch.tensor([[0.9, 0.1], [0.1, 0.9]]), torch.tensor([[0.1, 0.9], [0.9, 0.1]])
    differs = torch.tensor([True, True])
    assert train_toyclip.twin_loss(text, right, wrong, differs) < 0.01
    assert train_toyclip.twin_loss(text, wrong, right, differs) > 10
    assert train_toyclip.twin_loss(text, wrong, right, torch.tensor([False, False])) == 0  # no twin to prefer


def test_a_stage_with_twin_images_records_them(tmp_path):
    _, report = train(tmp_path, "twins", "--seed", "3", "--twin-images", "--robust", "1.0", "--robust-steps", "1")
    assert report["twin_images"] is True and report["robust"]["epsilon"] == 1.0


def test_a_further_stage_takes_its_width_from_init_and_refuses_another(tmp_path):
    train(tmp_path, "wide", "--seed", "3", "--image-width", "24")
    init = str(tmp_path / "wide" / "toyclip.safetensors")
    _, report = train(tmp_path, "further", "--seed", "4", "--init", init)
    assert report["image_width"] == 24
    with pytest.raises(SystemExit, match="--image-width 16: .* width 24"):
        train(tmp_path, "mismatch", "--seed", "4", "--init", init, "--image-width", "16")


def test_a_further_stage_at_a_larger_image_size_starts_from_init_and_loads_back_at_that_size(tmp_path):
    from artkit.toyworld import toyclip

    _, first = train(tmp_path, "small", "--seed", "3")
    init = tmp_path / "small" / "toyclip.safetensors"
    state, report = train(tmp_path, "large", "--seed", "4", "--init", str(init), "--image-size", "128")
    assert first["image_size"] == 64 and report["image_size"] == 128
    assert toyclip.image_size_of(state) == 128
    model = toyclip.create(weights=tmp_path / "large" / "toyclip.safetensors")
    assert model.visual.image_size == 128
    assert model.encode_image(torch.rand(1, 3, 128, 128)).shape == (1, 128)
