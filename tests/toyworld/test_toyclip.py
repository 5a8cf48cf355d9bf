"""toyclip loads offline from the package and understands its world."""

import json
from pathlib import Path

import pytest
import torch

from artkit.toyworld import evaluate, toyclip
from artkit.toyworld.evaluate import image_margins, zero_shot_report

REPORT = Path(toyclip.WEIGHTS_PATH).with_name("toyclip_report.json")


def encoders(pretrained=True):
    return toyclip.encoders(toyclip.create(pretrained))


def test_loads_without_network_and_is_small():
    model = toyclip.create()
    stored = sum(t.numel() for t in toyclip.load_state_dict(toyclip.WEIGHTS_PATH).values())
    used = stored - model.token_embedding.weight.numel()
    assert used < 10_000_000
    assert toyclip.WEIGHTS_PATH.stat().st_size < 8_000_000


def test_zero_shot_accuracy_on_held_out_scenes():
    report = zero_shot_report(*encoders(), n=200, seed=4242)
    # The robust (PGD) stages trade some accuracy for gradients that draw the prompt: before them,
    # colour 0.99 and shape 0.66 (docs/toyworld.md). Chance: 1/8 colour and background, 1/6 shape, 1/9 position.
    assert report["colour"] > 0.8 and report["position"] > 0.9 and report["background"] > 0.9
    assert report["shape"] > 0.35


def test_shipped_report_matches_the_weights():
    report = json.loads(REPORT.read_text())
    fresh = zero_shot_report(*encoders())  # the report's own evaluation set
    for attribute in ("colour", "shape", "position", "background"):
        assert abs(fresh[attribute] - report["final"][attribute]) < 0.02, attribute


def test_the_shapes_weights_tell_shapes_apart_far_better_than_the_robust_ones():
    robust = image_margins(*encoders(), n=24)
    shapes = image_margins(*toyclip.encoders(toyclip.create(weights=toyclip.SHAPES_WEIGHTS_PATH)), n=24, size=128)
    # docs/toyworld-research.md, 100 scenes: shape margins 0.113 (shapes) and 0.010 (robust)
    assert shapes["shape"] > 0.06 and shapes["shape"] > 3 * robust["shape"]
    report = json.loads(toyclip.report_path(toyclip.SHAPES_WEIGHTS_PATH).read_text())
    assert report["image_size"] == 128 and report["robust"] is None
    assert report["previous_stage"]["final"]["step"] == 300  # stage 2, the common ancestor of both


def test_unused_tokens_embed_to_zero():
    model = toyclip.create()
    tokens = toyclip.tokenizer()(["zebra"])[0]
    assert torch.all(model.token_embedding.weight[tokens[1]] == 0)


def test_image_margins_tell_a_trained_model_from_an_untrained_one():
    trained = image_margins(*encoders(), n=24)
    untrained = image_margins(*encoders(pretrained=False), n=24)
    # a picture of the wrong colour or place scores clearly lower for the caption (docs/toyworld-research.md: 0.14, 0.12)
    assert trained["colour"] > 0.05 and trained["position"] > 0.05
    assert all(abs(margin) < 0.05 for margin in untrained.values())


def test_resizing_keeps_the_mean_position_and_the_grid_s_layout():
    state = toyclip.load_state_dict(toyclip.WEIGHTS_PATH)
    positions = state["visual.attnpool.positional_embedding"]  # 1 + 2x2 at 64 px
    assert torch.allclose(toyclip.resized(state, 64)["visual.attnpool.positional_embedding"], positions, atol=1e-5)
    larger = toyclip.resized(state, 128)["visual.attnpool.positional_embedding"]  # 1 + 4x4
    assert larger.shape == (17, positions.shape[1]) and torch.equal(larger[0], positions[0])
    corners = larger[1:].view(4, 4, -1)
    # each corner of the finer grid is nearest its own corner of the coarse one
    for (row, col), coarse in zip([(0, 0), (0, 3), (3, 0), (3, 3)], positions[1:], strict=True):
        distances = (positions[1:] - corners[row, col]).norm(dim=-1)
        assert torch.equal(positions[1:][distances.argmin()], coarse)


def test_evaluate_command_prints_both_reports(capsys):
    evaluate.main(["--weights", str(toyclip.WEIGHTS_PATH), "--n", "16", "--margin-n", "8"])
    report = json.loads(capsys.readouterr().out)
    assert report["image_size"] == 64
    assert set(report["zero_shot"]) >= {"colour", "shape", "position"}
    assert set(report["image_margins"]) == {"colour", "shape", "position"}


def test_evaluate_command_names_a_missing_weights_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(["--weights", str(tmp_path / "missing.safetensors")])
    assert exit_info.value.code != 0
    assert "--weights: no file at" in capsys.readouterr().err


def test_the_shared_toyclip_leaves_the_global_random_state_alone():
    """Built once per process, on first use: that first use must not move the caller's random draws."""
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    toyclip.shipped.__wrapped__()  # what the first call runs (later calls return the cached model)
    assert torch.equal(torch.rand(3), expected)
