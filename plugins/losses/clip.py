"""The ``clip`` loss: pulls the cutouts' embeddings towards text and image prompts (and away from
negative ones), as VQGAN+CLIP does, averaged over every perceptor of the run."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, field_validator
from torch import Tensor

import artkit
from artkit.images import load_image


def spherical_distance(a: Tensor, b: Tensor) -> Tensor:
    """Squared great-circle distance between unit vectors: ``2 * arcsin(|a - b| / 2) ** 2``.

    Shape: a (N, D) and b (T, D) give (N, T).

    Example:
        >>> x = torch.nn.functional.normalize(torch.ones(1, 4), dim=-1)
        >>> spherical_distance(x, x).item()
        0.0
    """
    chord = (a[:, None, :] - b[None, :, :]).norm(dim=-1)
    return 2 * torch.arcsin((chord / 2).clamp(max=1.0)) ** 2


def cosine_distance(a: Tensor, b: Tensor) -> Tensor:
    """``1 - cos`` between unit vectors; shape (N, T)."""
    return 1 - a @ b.T


class ClipLoss(artkit.Loss):
    """Distance between the cutouts and each prompt, weighted (negative weights push away).

    Uses the run's ``prompts`` unless the loss names its own.
    """

    class Config(artkit.Loss.Config):
        prompts: list[artkit.Prompt] = Field(default_factory=list, description="defaults to the run's prompts")
        distance: Literal["spherical", "cosine"] = "spherical"

        @field_validator("prompts", mode="before")
        @classmethod
        def _parse(cls, value):
            return [{"text": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        self.prompts = list(config.prompts or info.prompts)
        if not self.prompts:
            raise artkit.ConfigError(
                "prompts: the clip loss has nothing to aim at. Give --prompt TEXT or `prompts:` in the preset."
            )
        self.register_buffer("weights", torch.tensor([p.weight for p in self.prompts]), persistent=False)
        self.register_buffer("stops", torch.tensor([p.stop for p in self.prompts]), persistent=False)
        self._images = {i: self._load(i, p) for i, p in enumerate(self.prompts) if p.image is not None}
        self._targets: dict[int, Tensor] = {}
        self._distance = spherical_distance if config.distance == "spherical" else cosine_distance

    @torch.no_grad()
    def set_prompt_weights(self, weights: list[float]) -> None:
        """Reweights the run's prompts (an animation's prompt timeline does this every frame).

        A ``clip`` loss with its own ``prompts`` keeps its weights.
        """
        if not self.config.prompts:
            base = torch.tensor([p.weight for p in self.prompts], dtype=self.weights.dtype)
            self.weights.copy_(base * torch.tensor(weights, dtype=self.weights.dtype))

    def _load(self, index: int, prompt: artkit.Prompt) -> Tensor:
        return load_image(self.info.resolve_path(prompt.image), field=f"prompts[{index}].image")

    @torch.no_grad()
    def targets(self, perceptor: artkit.Perceptor) -> Tensor:
        """The prompts' embeddings for ``perceptor`` (T, D), computed once."""
        key = id(perceptor)
        if key not in self._targets:
            self._targets[key] = torch.cat([self._embed_prompt(perceptor, i, p) for i, p in enumerate(self.prompts)])
        return self._targets[key]

    def _embed_prompt(self, perceptor: artkit.Perceptor, index: int, prompt: artkit.Prompt) -> Tensor:
        if prompt.text is not None:
            return perceptor.encode_text([prompt.text])
        size = perceptor.input_size
        image = torch.nn.functional.interpolate(self._images[index], size=(size, size), mode="area")
        return perceptor.encode_image(image.to(self.weights.device))

    def forward(self, ctx: artkit.StepContext) -> Tensor:
        if not ctx.perceptors:
            raise artkit.ConfigError(
                "perceptors: the clip loss needs at least one perceptor, like [{name: openclip, model: toyclip}]."
            )
        per_perceptor = [self._score(ctx.embed(p), self.targets(p)) for p in ctx.perceptors]
        return torch.stack(per_perceptor).mean()

    def _score(self, cutouts: Tensor, targets: Tensor) -> Tensor:
        distance = self._distance(cutouts, targets.to(cutouts.dtype)).mean(dim=0)
        # below `stop` a prompt no longer pulls: its distance is floored there, so its gradient is zero
        distance = torch.maximum(distance, self.stops)
        return (distance * self.weights).sum()
