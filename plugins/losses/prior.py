"""The ``prior`` loss: score distillation from toyprior, a caption-conditioned denoiser of toy scenes.

Each step the picture, area-downsampled to the denoiser's 32 px, is noised at a level that falls over the
run, and pulled towards the denoiser's classifier-free guided estimate of the clean scene for the run's
prompts (``mean((x - D(x + sigma * noise))^2)`` with D held fixed, as DreamFusion's score distillation).
A contrastive perceptor alone draws its prompt as colour blobs and textures; the prior draws flat toy
scenes, and the prompt decides which.

With ``object_weight``, each object the prompt places ("a red square on the left") also gets a close view:
a square of the picture around its place, resampled to 32 px and pulled towards toyprior's estimate of that
object alone, big and centred, so that a small figure is drawn at the detail a big one gets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

import torch
import torch.nn.functional as F
from pydantic import Field, model_validator
from torch import Tensor

import artkit
from artkit.images import close_views

# Offsets the seed of the views' noise from the whole picture's.
VIEW_NOISE = 7_777_777


@lru_cache(maxsize=2)
def _denoiser(path: str):
    from artkit.toyworld import prior

    if not Path(path).is_file():
        raise artkit.ConfigError(f"prior.weights: no file {path}. Give the path of a toyprior .safetensors file.")
    model = prior.load(Path(path))
    try:
        for name in model.text:
            prior.text_encoder(name)  # loaded once: the run's captions go through them next
    except ValueError as exc:
        raise artkit.ConfigError(f"prior.weights: {path}: {exc}; train it with --text among those.") from None
    return model


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
        object_weight: float = Field(
            0.0, ge=0.0, description="weight of each placed object's own close view, beside the whole picture; 0 is off"
        )
        object_view: float = Field(
            0.6, gt=0.0, le=1.0, description="side of an object's view, a fraction of the picture"
        )

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
        embed = partial(prior.caption_embeddings, text=self._denoiser.text)
        self.register_buffer("condition", embed([p.text for p in positive]), persistent=False)
        self.register_buffer("shares", _shares([p.weight for p in positive]), persistent=False)
        negative = [p.text for p in texts if p.weight < 0]
        unconditional = embed(negative).mean(0) if negative else torch.zeros(self.condition.shape[1])
        self.register_buffer("unconditional", unconditional, persistent=False)
        self.views = None
        if config.object_weight:
            views = ObjectViews(list(zip([p.text for p in positive], self.shares.tolist(), strict=True)), embed)
            self.views = views if len(views) else None

    def forward(self, ctx: artkit.StepContext) -> Tensor:
        from artkit.toyworld import prior

        c = self.config
        x = F.interpolate(ctx.image, size=(prior.SIZE, prior.SIZE), mode="area") * 2 - 1
        sigma = noise_level(ctx.step, self.info.steps, c.sigma_start, c.sigma_end)
        seed = self.info.seed * 1_000_003 + ctx.step
        loss, target = self._pull(x, self.condition, self.shares, sigma, seed)
        if self.views is not None:
            views = close_views(ctx.image, self.views.centres, c.object_view, prior.SIZE) * 2 - 1
            condition = self.views.condition(field_index(target))
            pull = self._pull(views, condition, self.views.shares, sigma, seed + VIEW_NOISE, self.views.mask)
            loss = loss + c.object_weight * pull[0]
        return loss

    def _pull(
        self, x: Tensor, condition: Tensor, shares: Tensor, sigma: float, seed: int, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Share-weighted squared distance of ``x`` (1 or one per caption) from its guided estimates, and those.

        ``mask`` (H, W) weights the pixels.
        """
        pictures = x.expand(len(condition), -1, -1, -1).repeat(self.config.samples, 1, 1, 1)
        target = self._estimate(pictures.detach(), condition, sigma, seed)
        squares = (pictures - target) ** 2
        per_caption = (
            squares.mean(dim=(1, 2, 3)) if mask is None else (squares * mask).mean(dim=(1, 2, 3)) / mask.mean()
        )
        return (per_caption.view(self.config.samples, -1).mean(0) * shares).sum(), target

    @torch.no_grad()
    def _estimate(self, pictures: Tensor, condition: Tensor, sigma: float, seed: int) -> Tensor:
        """The guided clean estimate per noise draw and caption: (samples * captions, 3, 32, 32).

        ``pictures`` holds the picture each row is noised from, in that order (draw-major). The noise is drawn
        from ``seed`` (the run's seed and the step), so a resumed run draws what it would have.
        """
        from artkit.toyworld import prior

        n, captions = self.config.samples, len(condition)
        gen = torch.Generator().manual_seed(seed)
        noise = torch.randn((n, *pictures.shape[1:]), generator=gen).to(pictures.device)
        noisy = pictures + sigma * noise.repeat_interleave(captions, dim=0)
        text = condition.repeat(n, 1)
        levels = torch.full((len(noisy),), sigma, device=pictures.device)
        model = self._denoiser.to(pictures.device)
        return prior.guided(model, noisy, levels, text, self.config.guidance, self.unconditional)


def _shares(weights: list[float]) -> Tensor:
    total = sum(weights)
    return torch.tensor([w / total for w in weights])


class ObjectViews(torch.nn.Module):
    """The close views of a run's placed objects: where each is, its share of the weight, and its captions.

    A view's caption is its object, big, in the centre (``a big red circle in the center``), on the
    background the prompt names; where the prompt names none, on the field the whole picture's estimate
    has at the step, so that every view agrees with the picture around it. Objects need a named shape and
    position to get a view; one the prompt calls big has none (it is large enough in the whole picture).
    ``embed`` turns captions into the denoiser's conditioning (:func:`artkit.toyworld.prior.caption_embeddings`
    for its toyclips).
    """

    def __init__(self, prompts: list[tuple[str, float]], embed: Callable[[list[str]], Tensor]) -> None:
        super().__init__()
        from artkit.toyworld import prior
        from artkit.toyworld.captions import article
        from artkit.toyworld.prompts import parse
        from artkit.toyworld.vocab import COLOUR_NAMES, POSITIONS

        self.centres: list[tuple[float, float]] = []
        captions, shares = [], []
        for text, share in prompts:
            parsed = parse(text)
            placed = [o for o in parsed.objects if o.position and o.shape and o.size != "big"] if parsed else []
            if not placed:
                continue
            fields = [parsed.background] * len(COLOUR_NAMES) if parsed.background else COLOUR_NAMES
            for o in placed:
                self.centres.append(POSITIONS[o.position])
                captions += [f"a big {o.colour} {o.shape} in the center on {article(f)} {f} background" for f in fields]
                shares.append(share / len(placed))
        embeddings = embed(captions) if captions else torch.zeros(0, 0)
        self.register_buffer(
            "captions", embeddings.view(len(shares), len(COLOUR_NAMES), embeddings.shape[-1]), persistent=False
        )
        self.register_buffer("shares", torch.tensor(shares), persistent=False)
        self.register_buffer("mask", taper(prior.SIZE), persistent=False)

    def __len__(self) -> int:
        return len(self.centres)

    def condition(self, field: int) -> Tensor:
        """The views' caption embeddings (views, text dimensions) for a field of colour number ``field``."""
        return self.captions[:, field]


def field_index(estimate: Tensor) -> int:
    """The number (in the vocabulary's colours) of the field of the mean of ``estimate`` ([-1, 1], N x 3 x H x W)."""
    from artkit.toyworld.fidelity import field_colour
    from artkit.toyworld.vocab import COLOUR_NAMES

    return COLOUR_NAMES.index(field_colour(estimate.mean(0, keepdim=True).cpu() / 2 + 0.5))


def taper(size: int) -> Tensor:
    """Pixel weights (size, size) of a view: 1 in its middle half, falling smoothly to 0 at its edges, so that a
    view's pull leaves no seam where it ends.

    Example:
        >>> w = taper(8)
        >>> w[4, 4].item(), w[0, 0].item() < 0.05, bool((w == w.T).all())
        (1.0, True, True)
    """
    u = ((torch.arange(size) + 0.5) / size * 2 - 1).abs()
    ramp = ((1 - u) / 0.5).clamp(0, 1)
    edge = ramp * ramp * (3 - 2 * ramp)
    return edge[:, None] * edge[None, :]
