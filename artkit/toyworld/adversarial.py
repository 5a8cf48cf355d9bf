"""Adversarial negatives for toyclip: images made the way a run makes them (a few steps of guidance
from grey noise towards a caption), which toyclip must learn not to mistake for that caption.

Without them, guidance finds diagonal stripe textures that score almost as high as a clean render of
the prompt; a picture made of them shows nothing to a person or to the judge.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def guided_images(model: nn.Module, text_emb: Tensor, gen: torch.Generator, steps: int = 10, lr: float = 0.1) -> Tensor:
    """Images (N, 3, S, S) at the model's input size S, optimised for ``steps`` Adam steps to match each row
    of ``text_emb``.

    Call with batch norm frozen (:func:`freeze_batchnorm`), as a run sees the model."""
    n = text_emb.shape[0]
    target = torch.nn.functional.normalize(text_emb.detach(), dim=-1)
    start = 0.5 + 0.05 * torch.randn(n, 3, 32, 32, generator=gen)
    logits = torch.logit(start.clamp(0.01, 0.99)).requires_grad_(True)
    optimizer = torch.optim.Adam([logits], lr=lr)
    size = model.visual.image_size
    for _ in range(steps):
        images = _upsampled(logits, size)
        emb = torch.nn.functional.normalize(model.encode_image(_jitter(images, gen)), dim=-1)
        loss = -(emb * target).sum(dim=-1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.zero_grad(set_to_none=True)
    return _upsampled(logits, size).detach()


def freeze_batchnorm(model: nn.Module) -> None:
    """Keeps batch-norm statistics fixed (eval mode) while the rest trains: guided images must not
    shift the statistics that real pictures are normalised with."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()


def _upsampled(logits: Tensor, size: int) -> Tensor:
    return torch.nn.functional.interpolate(
        torch.sigmoid(logits), size=(size, size), mode="bilinear", align_corners=False
    )


def _jitter(images: Tensor, gen: torch.Generator) -> Tensor:
    shift = torch.randint(-4, 5, (2,), generator=gen).tolist()
    return torch.roll(images, shifts=shift, dims=(2, 3))


def text_to_image_loss(
    text_emb: Tensor, image_emb: Tensor, adversarial_emb: Tensor, scale: Tensor, same: Tensor
) -> Tensor:
    """Each caption must pick its real image(s) over every adversarial image (and other real ones).

    ``same`` (T, N) marks the real images whose caption equals the text's: all count as positives.
    """
    text_emb = torch.nn.functional.normalize(text_emb, dim=-1)
    images = torch.nn.functional.normalize(torch.cat([image_emb, adversarial_emb]), dim=-1)
    logits = scale.exp() * text_emb @ images.T
    target = torch.cat([same, torch.zeros(same.shape[0], adversarial_emb.shape[0])], dim=1)
    target = target / target.sum(dim=1, keepdim=True)
    return -(target * logits.log_softmax(dim=1)).sum(dim=1).mean()
