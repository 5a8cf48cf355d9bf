"""The ``openclip`` perceptor: any open_clip model, by architecture and pretrained tag.

Several entries in a preset's ``perceptors`` make an ensemble: the ``clip`` loss averages over them.
``model: toyclip`` is artkit's own small CLIP, shipped in the package and trained on the toy world.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field
from torch import Tensor

import artkit
from artkit.errors import ModelUnavailableError, unknown_name
from artkit.logs import quiet_root_logger

DEFAULT = "default"


class OpenClipPerceptor(artkit.Perceptor):
    """An open_clip model (``model``, ``pretrained`` tag or file); text embeddings are cached.

    ``pretrained: default`` means ``openai`` where that tag exists, the shipped weights for toyclip,
    and the first published tag otherwise; ``pretrained: null`` builds the model with random weights.
    """

    class Config(artkit.ComponentConfig):
        model: str = "ViT-B-32"
        pretrained: str | None = Field(default=DEFAULT, description="a tag, a local weights file, or null")
        precision: Literal["fp32", "fp16", "bf16"] = "fp32"
        cache_dir: str | None = None

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        self.model, normalisation = _create(config, info)
        self.model.requires_grad_(False)
        sequence_first_attention(self.model.visual)
        self.model.visual.to(memory_format=torch.channels_last)  # see encode_image
        size = self.model.visual.image_size
        self.input_size = int(size[0] if isinstance(size, (tuple, list)) else size)
        mean, std = normalisation
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1), persistent=False)
        self._tokenizer = _tokenizer(config.model)
        self._text_cache: dict[str, Tensor] = {}

    @property
    def label(self) -> str:
        return f"{self.config.model}/{self.config.pretrained}"

    def encode_image(self, images: Tensor) -> Tensor:
        """Embeddings (N, D) of ``images`` (N, 3, S, S) in [0, 1], unit length.

        The image tower runs channels-last: the same numbers up to rounding, and a convolutional tower's
        forward and backward take a quarter to two fifths less time on the CPU (toyclip, 16 cuts, one thread:
        0.029 s -> 0.022 s at 64 px, 0.116 s -> 0.069 s at 128 px); a ViT's are unchanged.
        """
        dtype = next(self.model.parameters()).dtype
        pixels = ((images - self.mean) / self.std).to(dtype).contiguous(memory_format=torch.channels_last)
        features = self.model.encode_image(pixels)
        return torch.nn.functional.normalize(features.float(), dim=-1)

    @torch.no_grad()
    def encode_text(self, texts: list[str]) -> Tensor:
        missing = [t for t in dict.fromkeys(texts) if t not in self._text_cache]
        if missing:
            tokens = self._tokenizer(missing).to(self.mean.device)
            features = torch.nn.functional.normalize(self.model.encode_text(tokens).float(), dim=-1)
            self._text_cache.update(zip(missing, features, strict=True))
        return torch.stack([self._text_cache[t] for t in texts])


def sequence_first_attention(tower: torch.nn.Module) -> int:
    """Runs open_clip's transformer stacks in ``tower`` sequence-first; returns how many it switched.

    Batch-first, ``nn.MultiheadAttention`` transposes its input to a non-contiguous tensor, and its
    input projection (``torch.matmul``, unable to fold the batch) then copies the projection weight
    once per token position (seen in bf16). Sequence-first, the same numbers come out (the classic
    CLIP's layout), and ViT-B-32's bf16 forward and backward take half the time on the CPU
    (4.3 s -> 2.2 s for 32 cutouts).
    Stacks of other attention blocks (open_clip's custom ones are batch-first only) are left alone.
    """
    from open_clip.transformer import Transformer

    switched = 0
    for stack in tower.modules():
        blocks = list(getattr(stack, "resblocks", []))
        if isinstance(stack, Transformer) and stack.batch_first and blocks and all(
            isinstance(getattr(b, "attn", None), torch.nn.MultiheadAttention) for b in blocks
        ):  # fmt: skip
            stack.batch_first = False
            for block in blocks:
                block.attn.batch_first = False
            switched += 1
    return switched


def _create(config: OpenClipPerceptor.Config, info: artkit.RunInfo) -> tuple[torch.nn.Module, tuple[Any, Any]]:
    if config.model == "toyclip":
        return _create_toyclip(config, info), ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    import open_clip

    if config.model not in open_clip.list_models():
        raise unknown_name("open_clip model", config.model, open_clip.list_models(), "model")
    pretrained = _resolve_tag(config)
    with quiet_root_logger():
        try:
            model = open_clip.create_model(
                config.model, pretrained=pretrained, precision=config.precision, cache_dir=config.cache_dir
            )
        except Exception as exc:  # network errors come in many types; all mean the same to the user
            raise _unavailable(config, pretrained, exc) from exc
    pre = getattr(model.visual, "preprocess_cfg", None) or {}
    mean = pre.get("mean", open_clip.OPENAI_DATASET_MEAN)
    std = pre.get("std", open_clip.OPENAI_DATASET_STD)
    return model.eval(), (mean, std)


def _create_toyclip(config: OpenClipPerceptor.Config, info: artkit.RunInfo) -> torch.nn.Module:
    from artkit.toyworld import toyclip

    weights = _toyclip_weights(config.pretrained, info)
    try:
        model = toyclip.create(pretrained=config.pretrained is not None, weights=weights)
    except Exception as exc:  # a foreign or damaged file fails in safetensors or in load_state_dict
        raise artkit.ConfigError(
            f"pretrained: {weights} is not a toyclip weights file ({type(exc).__name__}: {str(exc)[:200]}). "
            "Write one with `python -m artkit.toyworld.train_toyclip --out FILE`."
        ) from exc
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[config.precision]
    return model.to(dtype)


def _toyclip_weights(pretrained: str | None, info: artkit.RunInfo) -> Path:
    """Shipped weights for ``default``, ``artkit``, ``robust``, ``shapes`` or null; else a file from ``train_toyclip``."""
    from artkit.toyworld import toyclip

    if pretrained in (DEFAULT, "artkit", None):
        return toyclip.WEIGHTS_PATH
    if pretrained in toyclip.SHIPPED_WEIGHTS:
        return toyclip.SHIPPED_WEIGHTS[pretrained]
    path = info.resolve_path(pretrained)
    if path.suffix != ".safetensors" or not path.is_file():
        raise artkit.ConfigError(
            f"pretrained: toyclip loads its shipped weights (default, the same as robust; or shapes), null for "
            f"random ones, or a .safetensors file written by `python -m artkit.toyworld.train_toyclip`. Got {pretrained!r}."
        )
    return path


def _resolve_tag(config: OpenClipPerceptor.Config) -> str | None:
    import open_clip

    if config.pretrained is None:
        return None
    tags = open_clip.list_pretrained_tags_by_model(config.model)
    if config.pretrained == DEFAULT:
        return "openai" if "openai" in tags else (tags[0] if tags else None)
    if config.pretrained not in tags and not Path(config.pretrained).expanduser().is_file():
        raise artkit.ConfigError(
            f"pretrained: '{config.pretrained}' is neither a published tag of {config.model} "
            f"({', '.join(tags) or 'none'}) nor an existing weights file."
        )
    return config.pretrained


def _unavailable(config: OpenClipPerceptor.Config, tag: str | None, exc: Exception) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"could not load weights '{tag}' for open_clip model '{config.model}': {str(exc).splitlines()[0][:200]}\n"
        "  artkit may be offline, or the download failed. Either download them once on a connected machine "
        "(they are cached in ~/.cache/huggingface, or cache_dir), give a local file with "
        "`pretrained: /path/to/open_clip_pytorch_model.bin`, or use `model: toyclip`, which needs no download."
    )


def _tokenizer(model: str):
    if model == "toyclip":
        from artkit.toyworld import toyclip

        return toyclip.tokenizer()
    import open_clip

    return open_clip.get_tokenizer(model)
