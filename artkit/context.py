"""What a loss sees at each step: the image, its cutouts and their embeddings, each computed once."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from artkit.components import Augmentation, Perceptor


class StepContext:
    """The shared, lazily computed inputs of every loss at one step.

    Attributes:
        image: the generator's output, (1, 3, H, W) in [0, 1].
        step: the step number, counting from 1.
    """

    def __init__(
        self, image: Tensor, step: int, augmentations: Sequence[Augmentation], perceptors: Sequence[Perceptor]
    ):
        self.image = image
        self.step = step
        self.perceptors = list(perceptors)
        self._augmentations = list(augmentations)
        self._cutouts: dict[int, Tensor] = {}
        self._embeddings: dict[int, Tensor] = {}

    @property
    def cut_size(self) -> int:
        """The side of ``cutouts``: the first perceptor's input size (or the image's height)."""
        return self.perceptors[0].input_size if self.perceptors else self.image.shape[-2]

    @property
    def cutouts(self) -> Tensor:
        """Augmented cutouts (N, 3, h, w) at :attr:`cut_size`."""
        return self.cutouts_for(self.cut_size)

    def cutouts_for(self, size: int) -> Tensor:
        """Cutouts at ``size`` pixels, made once per size and shared by perceptors of that size."""
        if size not in self._cutouts:
            self._cutouts[size] = self._make_cutouts(size)
        return self._cutouts[size]

    def _make_cutouts(self, size: int) -> Tensor:
        if not self._augmentations:
            return torch.nn.functional.interpolate(self.image, size=(size, size), mode="area")
        return torch.cat([aug(self.image, size) for aug in self._augmentations])

    def embed(self, perceptor: Perceptor) -> Tensor:
        """The cutouts' embeddings for ``perceptor`` (N, D), computed once per step."""
        key = id(perceptor)
        if key not in self._embeddings:
            self._embeddings[key] = perceptor.encode_image(self.cutouts_for(perceptor.input_size))
        return self._embeddings[key]
