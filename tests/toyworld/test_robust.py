"""PGD perturbations for toyclip's robust training stage."""

import pytest
import torch

from artkit.toyworld.robust import perturbed


def _classifier():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 8 * 8, 4))
    images = torch.rand(5, 3, 8, 8)
    labels = torch.tensor([0, 1, 2, 3, 0])

    def loss_of(x):
        return torch.nn.functional.cross_entropy(model(x), labels)

    return model, images, loss_of


def test_perturbation_raises_the_loss_within_the_radius():
    model, images, loss_of = _classifier()
    moved = perturbed(images, loss_of, epsilon=0.5, steps=5)
    assert loss_of(moved) > loss_of(images) + 0.05
    assert (moved - images).flatten(1).norm(dim=1).max() <= 0.5 + 1e-5
    assert moved.min() >= 0 and moved.max() <= 1
    assert not moved.requires_grad
    assert all(p.grad is None for p in model.parameters())  # the search trains nothing


def test_linf_perturbation_changes_no_pixel_value_by_more_than_the_radius():
    _, images, loss_of = _classifier()
    moved = perturbed(images, loss_of, epsilon=0.03, steps=3, norm="linf")
    change = (moved - images).abs()
    assert change.max() <= 0.03 + 1e-6
    assert loss_of(moved) > loss_of(images) + 0.05
    # the same radius in L2 would touch a few values a lot; in Linf many values move a little
    assert (change > 0.02).float().mean() > 0.5


def test_unknown_norm_is_refused():
    _, images, loss_of = _classifier()
    with pytest.raises(ValueError, match="linf"):
        perturbed(images, loss_of, epsilon=0.1, steps=1, norm="l1")
