"""Small, fast, deterministic stand-ins for tests: a perceptor that needs no weights."""

from __future__ import annotations

import hashlib

import torch
from torch import Tensor

import artkit


class TinyPerceptor(artkit.Perceptor):
    """A random convolutional encoder; texts embed to fixed pseudo-random vectors. Not meaningful,
    but differentiable and deterministic: enough to test that losses and augmentations plumb through."""

    input_size = 16

    class Config(artkit.ComponentConfig):
        dim: int = 8

    def __init__(self, config: Config | None = None, info: artkit.RunInfo | None = None) -> None:
        super().__init__(config or self.Config(), info or artkit.RunInfo())
        generator = torch.Generator().manual_seed(1234)
        self.conv = torch.nn.Conv2d(3, self.config.dim, 4, stride=4)
        with torch.no_grad():
            self.conv.weight.copy_(torch.randn(self.conv.weight.shape, generator=generator) * 0.2)
            self.conv.bias.zero_()

    def encode_image(self, images: Tensor) -> Tensor:
        return torch.nn.functional.normalize(self.conv(images * 2 - 1).mean(dim=(2, 3)), dim=-1)

    def encode_text(self, texts: list[str]) -> Tensor:
        rows = [self._text_vector(t) for t in texts]
        return torch.nn.functional.normalize(torch.stack(rows), dim=-1).to(self.conv.weight.device)

    def _text_vector(self, text: str) -> Tensor:
        seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
        return torch.randn(self.config.dim, generator=torch.Generator().manual_seed(seed))
