"""PGD perturbations for toyclip's robust training stage."""

import torch

from artkit.toyworld.robust import perturbed


def test_perturbation_raises_the_loss_within_the_radius():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 8 * 8, 4))
    images = torch.rand(5, 3, 8, 8)
    labels = torch.tensor([0, 1, 2, 3, 0])

    def loss_of(x):
        return torch.nn.functional.cross_entropy(model(x), labels)

    moved = perturbed(images, loss_of, epsilon=0.5, steps=5)
    assert loss_of(moved) > loss_of(images) + 0.05
    assert (moved - images).flatten(1).norm(dim=1).max() <= 0.5 + 1e-5
    assert moved.min() >= 0 and moved.max() <= 1
    assert not moved.requires_grad
    assert all(p.grad is None for p in model.parameters())  # the search trains nothing
