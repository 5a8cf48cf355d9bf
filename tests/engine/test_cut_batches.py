"""``cut_batches``: the step's losses averaged over several sets of cutouts, one set in memory at a time."""

import pytest
import torch
from conftest import tiny_preset

import artkit
from artkit.engine.run import build_run
from artkit.resolve import Overrides, prepare


def built_run(tmp_path, **changes):
    plan, plugins = prepare(tiny_preset(**changes), Overrides())
    return build_run(plan, plugins, tmp_path)


def first_step_gradient(tmp_path, **changes):
    run = built_run(tmp_path, **changes)
    params = [p for group in run.optimizer.param_groups for p in group["params"]]
    before = [p.detach().clone() for p in params]
    run.optimizer.step = lambda: None  # keep the gradient to look at it
    run.step_once()
    assert all(torch.equal(a, b) for a, b in zip(before, params, strict=True))
    return torch.cat([p.grad.flatten() for p in params]), run.losses


def test_batches_of_identical_cutouts_give_the_gradient_of_one(tmp_path):
    # Without augmentations the cutouts are the resized image, the same in every batch: the mean over
    # three batches must equal one batch exactly (up to float rounding).
    one_grad, one_losses = first_step_gradient(tmp_path / "a", augmentations=[])
    three_grad, three_losses = first_step_gradient(tmp_path / "b", augmentations=[], cut_batches=3)
    assert one_grad.abs().sum() > 0
    torch.testing.assert_close(three_grad, one_grad, rtol=1e-5, atol=1e-7)
    for name, value in one_losses.items():
        torch.testing.assert_close(three_losses[name], value, rtol=1e-5, atol=1e-7)


def test_each_batch_draws_its_own_cutouts(tmp_path):
    run = built_run(tmp_path, cut_batches=3)
    calls = []
    augmentation = run.augmentations[0]
    original = augmentation.forward
    augmentation.forward = lambda image, size: calls.append(original(image, size)) or calls[-1]
    run.step_once()
    assert len(calls) == 3
    assert not torch.equal(calls[0], calls[1])
    assert run.cutouts_per_step == 12


def test_a_run_records_cut_batches_and_uses_them(tmp_path):
    batched = artkit.run(tiny_preset(cut_batches=2), out=tmp_path, progress=False)
    plain = artkit.run(tiny_preset(), out=tmp_path, progress=False)
    assert torch.isfinite(batched.tensor).all()
    assert not torch.equal(batched.tensor, plain.tensor)  # more cutouts were drawn, so another picture
    assert "cut_batches: 2" in (batched.run_dir / "config.yaml").read_text()


def test_cut_batches_must_be_positive(tmp_path):
    with pytest.raises(artkit.ConfigError, match="cut_batches"):
        artkit.run(tiny_preset(cut_batches=0), out=tmp_path, progress=False)
