"""The ``prior`` loss: score distillation from toyprior, a caption-conditioned denoiser of toy scenes.

Each step the picture, area-downsampled to the denoiser's 32 px, is noised at a level that falls over the
run, and pulled towards the denoiser's classifier-free guided estimate of the clean scene for the run's
prompts (``mean((x - D(x + sigma * noise))^2)`` with D held fixed, as DreamFusion's score distillation).
A contrastive perceptor alone draws its prompt as colour blobs and textures; the prior draws flat toy
scenes, and the prompt decides which.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from pydantic import Field, model_validator
from torch import Tensor

import artkit


@lru_cache(maxsize=2)
def _denoiser(path: str):
    from artkit.toyworld import prior

    if not Path(path).is_file():
        raise artkit.ConfigError(f"prior.weights: no file {path}. Give the path of a toyprior .safetensors file.")
    return prior.load(Path(path))


def noise_level(step: int, steps: int, start: float, end: float) -> float:
    """The noise level at ``step`` of ``steps``: log-linear from ``start`` to ``end``.

    Example:
        >>> round(noise_level(1, 100, 0.8, 0.05), 3), round(noise_level(100, 100, 0.8, 0.05), 3)
        (0.8, 0.05)
    """
    t = (step - 1) / max(steps - 1, 1)
    return math.exp(math.log(start) + t * (math.log(end) - math.log(start)))


class PriorLoss(artkit.Loss):
    """Pulls the picture towards toyprior's estimate of a toy scene that shows the prompts.

    Text prompts of positive weight are the condition (each weighted); negative ones, if any, replace the
    unconditional branch of the guidance, so the estimate moves away from them.
    """

    class Config(artkit.Loss.Config):
        weights: str | None = Field(None, description="a toyprior .safetensors file; default the shipped one")
        guidance: float = Field(3.0, ge=0.0, description="classifier-free guidance scale; 1 is none")
        sigma_start: float = Field(0.8, gt=0.0, description="noise level at the first step")
        sigma_end: float = Field(0.05, gt=0.0, description="noise level at the last step")
        samples: int = Field(2, ge=1, le=64, description="noise draws per step, averaged")

        @model_validator(mode="after")
        def _falling(self):
            if self.sigma_end > self.sigma_start:
                raise ValueError("sigma_end must not exceed sigma_start (the noise falls over the run)")
            return self

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        from artkit.toyworld import prior

        texts = [p for p in info.prompts if p.text is not None]
        positive = [p for p in texts if p.weight > 0]
        if not positive:
            raise artkit.ConfigError("prompts: the prior loss needs a text prompt of positive weight (--prompt TEXT).")
        self._denoiser = _denoiser(str(info.resolve_path(config.weights) if config.weights else prior.WEIGHTS_PATH))
        self.register_buffer("condition", prior.caption_embeddings([p.text for p in positive]), persistent=False)
        self.register_buffer("shares", _shares([p.weight for p in positive]), persistent=False)
        negative = [p.text for p in texts if p.weight < 0]
        unconditional = prior.caption_embeddings(negative).mean(0) if negative else torch.zeros(self.condition.shape[1])
        self.register_buffer("unconditional", unconditional, persistent=False)

    def forward(self, ctx: artkit.StepContext) -> Tensor:
        from artkit.toyworld import prior

        c = self.config
        x = F.interpolate(ctx.image, size=(prior.SIZE, prior.SIZE), mode="area") * 2 - 1
        sigma = noise_level(ctx.step, self.info.steps, c.sigma_start, c.sigma_end)
        target = self._estimate(x.detach(), sigma, ctx.step)
        per_prompt = ((x - target) ** 2).mean(dim=(1, 2, 3)).view(c.samples, -1).mean(0)
        return (per_prompt * self.shares).sum()

    @torch.no_grad()
    def _estimate(self, x: Tensor, sigma: float, step: int) -> Tensor:
        """The guided clean estimate per noise draw and prompt: (samples * prompts, 3, 32, 32).

        The noise is drawn from the run's seed and the step, so a resumed run draws what it would have.
        """
        from artkit.toyworld import prior

        n, prompts = self.config.samples, len(self.condition)
        gen = torch.Generator().manual_seed(self.info.seed * 1_000_003 + step)
        noise = torch.randn((n, *x.shape[1:]), generator=gen).to(x.device)
        noisy = (x + sigma * noise).repeat_interleave(prompts, dim=0)
        text = self.condition.repeat(n, 1)
        levels = torch.full((len(noisy),), sigma, device=x.device)
        model = self._denoiser.to(x.device)
        return prior.guided(model, noisy, levels, text, self.config.guidance, self.unconditional)


def _shares(weights: list[float]) -> Tensor:
    total = sum(weights)
    return torch.tensor([w / total for w in weights])
