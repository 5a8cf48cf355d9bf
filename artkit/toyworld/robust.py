"""Adversarial (PGD) training for toyclip: small, worst-case changes of a render must not change what
toyclip reads in it.

A model trained this way has *perceptually aligned* gradients: the direction that raises its score for
"a red circle" changes the picture towards a red circle, instead of towards a texture that only the
model sees. That is what guidance needs. Each training image is replaced by the image plus a
perturbation of L2 norm at most ``epsilon`` (pixel values in [0, 1]) found by a few steps of projected
gradient ascent on the training loss. ``norm="linf"`` bounds each pixel value's change instead (an
experiment; see docs/toyworld-research.md).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def perturbed(
    images: Tensor, loss_of: Callable[[Tensor], Tensor], epsilon: float, steps: int, norm: str = "l2"
) -> Tensor:
    """``images`` moved by at most ``epsilon`` to raise ``loss_of`` (PGD, ``steps`` steps).

    ``norm`` is the size of a change: ``"l2"`` (per image) or ``"linf"`` (per pixel value). The model's
    weights receive no gradient from the search; the result is detached.

    Example:
        >>> x = torch.zeros(2, 3, 4, 4)
        >>> y = perturbed(x, lambda v: (v - 1).pow(2).sum(), epsilon=0.5, steps=3)
        >>> bool((y - x).flatten(1).norm(dim=1).le(0.5 + 1e-6).all())
        True
    """
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {norm!r}")
    ascent, project = _STEPS[norm]
    step_size = 2.5 * epsilon / steps
    delta = torch.zeros_like(images)
    for _ in range(steps):
        delta.requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_of((images + delta).clamp(0, 1)), delta)
        with torch.no_grad():
            delta = project(delta + step_size * ascent(grad), epsilon)
    return (images + delta).clamp(0, 1).detach()


def _norms(x: Tensor) -> Tensor:
    """Each image's L2 norm, shaped to broadcast over it (N, 1, 1, 1)."""
    return x.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (x.dim() - 1)))


def _unit(grad: Tensor) -> Tensor:
    return grad / _norms(grad)


def _project(delta: Tensor, epsilon: float) -> Tensor:
    return delta * (epsilon / _norms(delta)).clamp(max=1.0)


def _clip(delta: Tensor, epsilon: float) -> Tensor:
    return delta.clamp(-epsilon, epsilon)


# per norm: the ascent direction from a gradient, and the projection back into the ball
_STEPS = {"l2": (_unit, _project), "linf": (torch.sign, _clip)}
NORMS = tuple(_STEPS)
