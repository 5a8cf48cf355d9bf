"""The ``vqgan`` generator: a VQGAN latent, quantised to the codebook straight-through and decoded
(the VQGAN+CLIP method), with any taming-transformers checkpoint or artkit's offline toy model."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field
from torch import Tensor
from torch.utils.checkpoint import checkpoint

import artkit
from artkit.initial import InitOptions, initial_image
from artkit.models.loading import build
from artkit.models.vqgan import codebook_range, quantize


class VQGANGenerator(artkit.Generator):
    """Optimises the latent z of a VQGAN; the image is the decoder's picture of z snapped to the codebook.

    ``model`` names a zoo checkpoint (downloaded once, sha256-checked) or ``toy`` (shipped, offline);
    ``config`` + ``checkpoint`` load your own taming files.
    """

    class Config(InitOptions):
        model: str = Field(default="imagenet-f16-16384", description="a zoo name (artkit models list) or toy")
        config: str | None = Field(default=None, description="your own taming model YAML (with checkpoint)")
        checkpoint: str | None = Field(
            default=None, description="your own weights: .ckpt (weights-only) or .safetensors"
        )
        random_weights: bool = Field(default=False, description="the architecture with random weights (no download)")
        quantize: bool = Field(default=True, description="snap z to the codebook (straight-through gradients)")
        precision: Literal["fp32", "bf16", "fp16"] = Field(default="fp32", description="the decoder's weights")
        init_noise: float = Field(default=0.0, ge=0, description="noise added to a colour or image init")
        checkpoint_decoder: bool = Field(
            default=False, description="recompute the decoder in the backward pass: less memory, ~1.3x its time"
        )

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        model = build(
            config.model,
            _path(info, config.config),
            _path(info, config.checkpoint),
            config.random_weights,
            config.precision,
        )
        object.__setattr__(self, "vqgan", model.to(info.device))  # frozen and shared: not a submodule, not in state
        width, height = info.size
        factor = model.downscale
        if width % factor or height % factor:
            raise artkit.ConfigError(
                f"size: each side must be a multiple of {factor} for this VQGAN (got {width}x{height})."
            )
        self.latent_size = (height // factor, width // factor)
        self.register_buffer("codebook", model.codebook.detach().float().clone(), persistent=False)
        z_min, z_max = codebook_range(self.codebook)
        self.register_buffer("z_min", z_min, persistent=False)
        self.register_buffer("z_max", z_max, persistent=False)
        self.z = torch.nn.Parameter(self._initial_latent().to(self.codebook))

    def _initial_latent(self) -> Tensor:
        cfg, (h, w) = self.config, self.latent_size
        if cfg.init == "noise" and cfg.init_image is None:
            tokens = torch.randint(len(self.codebook), (h * w,))
            return self.codebook.cpu()[tokens].T.reshape(1, -1, h, w)
        return self._encode(initial_image(cfg, self.info, (h * self.vqgan.downscale, w * self.vqgan.downscale)))

    @torch.no_grad()
    def _encode(self, image: Tensor) -> Tensor:
        return self.vqgan.encode(image.to(self.codebook)).cpu()

    @torch.no_grad()
    def set_image(self, image: Tensor) -> None:
        """Start again from ``image`` through the encoder (as close as the codebook allows)."""
        self.z.copy_(self._encode(image).to(self.z))

    def forward(self) -> Tensor:
        z = quantize(self.z, self.codebook) if self.config.quantize else self.z
        if self.config.checkpoint_decoder and torch.is_grad_enabled():
            return _clamp_with_grad(checkpoint(self.vqgan.decode, z, use_reentrant=False))
        return _clamp_with_grad(self.vqgan.decode(z))

    @torch.no_grad()
    def project(self) -> None:
        self.z.copy_(torch.maximum(torch.minimum(self.z, self.z_max), self.z_min))

    def _apply(self, fn, recurse=True):  # moves the shared VQGAN with the generator (.to, .cuda, .half)
        super()._apply(fn, recurse)
        object.__setattr__(self, "vqgan", self.vqgan._apply(fn))
        return self


def _clamp_with_grad(image: Tensor) -> Tensor:
    """Clamp to [0, 1] in the forward pass, but let the gradient through (VQGAN+CLIP's ClampWithGrad)."""
    return image + (image.clamp(0, 1) - image).detach()


def _path(info: artkit.RunInfo, value: str | None) -> str | None:
    return None if value is None else str(info.resolve_path(value))
