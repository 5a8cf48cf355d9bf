"""A VQGAN built from taming-transformers' encoder, decoder and quantiser only: no pytorch-lightning,
no training code, so it runs with current torch.

The configuration is taming's ``model.params`` mapping (``ddconfig``, ``n_embed``, ``embed_dim``)
and ``gumbel`` for the Gumbel-quantised checkpoints. State-dict keys match taming's checkpoints.

Example:
    >>> model = VQGAN(TOY_CONFIG)  # taming's decoder announces its latent shape
    Working with z of shape (1, 16, 8, 8) = 1024 dimensions.
    >>> model.codebook.shape
    torch.Size([128, 16])
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

TOY_CONFIG: dict[str, Any] = {
    "embed_dim": 16,
    "n_embed": 128,
    "ddconfig": {
        "double_z": False, "z_channels": 16, "resolution": 64, "in_channels": 3, "out_ch": 3, "ch": 32,
        "ch_mult": [1, 2, 2, 4], "num_res_blocks": 1, "attn_resolutions": [], "dropout": 0.0,
    },
}  # fmt: skip


def _taming_modules() -> tuple[type, type, type, type]:
    try:
        from taming.modules.diffusionmodules.model import Decoder, Encoder
        from taming.modules.vqvae.quantize import GumbelQuantize, VectorQuantizer2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ImportError(
            f"the vqgan generator needs taming-transformers-rom1504 and einops ({exc}). "
            "Reinstall artkit: pip install -e ."
        ) from exc
    return Encoder, Decoder, VectorQuantizer2, GumbelQuantize


class VQGAN(nn.Module):
    """Encoder, quantiser and decoder of a taming VQGAN; images are in [-1, 1] as taming trained them."""

    def __init__(self, params: dict[str, Any], gumbel: bool = False) -> None:
        super().__init__()
        encoder_cls, decoder_cls, quantizer_cls, gumbel_cls = _taming_modules()
        dd = params["ddconfig"]
        self.gumbel = gumbel
        self.encoder = encoder_cls(**dd)
        self.decoder = decoder_cls(**dd)
        if gumbel:
            self.quantize = gumbel_cls(dd["z_channels"], params["embed_dim"], n_embed=params["n_embed"])
        else:
            self.quantize = quantizer_cls(params["n_embed"], params["embed_dim"], beta=0.25)
        self.quant_conv = nn.Conv2d(dd["z_channels"], params["embed_dim"], 1)
        self.post_quant_conv = nn.Conv2d(params["embed_dim"], dd["z_channels"], 1)
        self.downscale = 2 ** (len(dd["ch_mult"]) - 1)

    @property
    def codebook(self) -> Tensor:
        """The code vectors (n_embed, embed_dim)."""
        return self.quantize.embed.weight if self.gumbel else self.quantize.embedding.weight

    @property
    def dtype(self) -> torch.dtype:
        return self.post_quant_conv.weight.dtype

    def encode(self, images: Tensor) -> Tensor:
        """Continuous latents (N, embed_dim, H/f, W/f) of images in [0, 1], before quantisation (fp32)."""
        return self.quant_conv(self.encoder(images.to(self.dtype) * 2 - 1)).float()

    def decode(self, latents: Tensor) -> Tensor:
        """Images in [0, 1] (fp32) from (quantised) latents."""
        return ((self.decoder(self.post_quant_conv(latents.to(self.dtype))) + 1) / 2).float()


def quantize(latents: Tensor, codebook: Tensor) -> Tensor:
    """Each latent vector snapped to its nearest code, with the gradient passed straight through.

    Example:
        >>> codes = torch.eye(2)
        >>> quantize(torch.tensor([[[[0.9]], [[0.2]]]]), codes).flatten().tolist()
        [1.0, 0.0]
    """
    flat = latents.movedim(1, -1)  # (N, H, W, D)
    distance = flat.pow(2).sum(-1, keepdim=True) - 2 * flat @ codebook.T + codebook.pow(2).sum(-1)
    snapped = codebook[distance.argmin(-1)].movedim(-1, 1)
    return latents + (snapped - latents).detach()


def load_params(model: VQGAN, state_dict: dict[str, Tensor]) -> None:
    """Loads a taming checkpoint's state dict, ignoring its training-only parts (the loss's discriminator)."""
    wanted = model.state_dict()
    kept = {k: v for k, v in state_dict.items() if k in wanted}
    missing = sorted(set(wanted) - set(kept))
    if missing:
        raise KeyError(f"the checkpoint lacks {len(missing)} weights the config needs, e.g. {missing[:3]}")
    model.load_state_dict(kept)


@torch.no_grad()
def codebook_range(codebook: Tensor) -> tuple[Tensor, Tensor]:
    """Per-channel min and max of the codebook, (1, D, 1, 1) each: latents are kept within them."""
    return codebook.min(0).values.view(1, -1, 1, 1), codebook.max(0).values.view(1, -1, 1, 1)
