"""Building a VQGAN from a zoo name, the shipped toy model, or a user's config + checkpoint files."""

from __future__ import annotations

import contextlib
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
import yaml

from artkit.errors import ArtkitError, ConfigError, unknown_name
from artkit.models import zoo
from artkit.models.vqgan import TOY_CONFIG, VQGAN, load_params

TOY_WEIGHTS = Path(__file__).parent.parent / "toyworld" / "weights" / "toyvqgan.safetensors"
TOY_NAMES = ("toy", "toyvqgan")


def read_taming_config(path: Path) -> tuple[dict[str, Any], bool]:
    """``(params, gumbel)`` from a taming-transformers model YAML (``model.target`` and ``model.params``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = data["model"]
        params = {k: model["params"][k] for k in ("ddconfig", "n_embed", "embed_dim")}
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"generator.config: '{path}' is not a taming-transformers model config ({type(exc).__name__}: {exc}). "
            "It needs model.params.ddconfig, n_embed and embed_dim."
        ) from None
    return params, "Gumbel" in str(model.get("target", ""))


PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def build(
    model: str, config: str | None, checkpoint: str | None, random_weights: bool, precision: str = "fp32"
) -> VQGAN:
    """The VQGAN a generator's options name, its weights in ``precision`` (cached per process)."""
    return _cast(model, config, checkpoint, random_weights, precision)


@lru_cache(maxsize=2)
def _cast(model: str, config: str | None, checkpoint: str | None, random_weights: bool, precision: str) -> VQGAN:
    vqgan = _build(model, config, checkpoint, random_weights)
    if precision == "fp32":
        return vqgan
    import copy

    return copy.deepcopy(vqgan).to(PRECISIONS[precision])


@lru_cache(maxsize=2)
def _build(model: str, config: str | None, checkpoint: str | None, random_weights: bool) -> VQGAN:
    if config is not None or checkpoint is not None:
        if config is None or checkpoint is None:
            raise ConfigError(
                "generator: give both `config` (the model YAML) and `checkpoint` (its weights), or a `model` name."
            )
        params, gumbel = read_taming_config(Path(config))
        return _with_weights(VQGAN_quiet(params, gumbel), None if random_weights else Path(checkpoint))
    if model.lower() in TOY_NAMES:
        return _toy(random_weights)
    entry = zoo.find(model)
    if entry is None:
        raise unknown_name("VQGAN model", model, [*zoo.ZOO, "toy"], where="generator.model")
    if random_weights:
        return VQGAN_quiet(entry.params, entry.gumbel).eval().requires_grad_(False)
    path, config_path = download(entry)  # before building: fail fast offline
    params, gumbel = entry.params, entry.gumbel
    if config_path is not None:  # the published config is the authority; the zoo's copy serves random_weights
        params, gumbel = read_taming_config(config_path)
    return _with_weights(VQGAN_quiet(params, gumbel), path)


def download(entry: zoo.ZooModel) -> tuple[Path, Path | None]:
    """The cached checkpoint of a zoo model and its published config (if it has one), fetched if missing."""
    from artkit.models.cache import fetch

    path = fetch(entry.name, entry.filename, entry.urls, entry.sha256)
    if not entry.config_urls:
        return path, None
    return path, fetch(entry.name, entry.config_filename, entry.config_urls, what="config")


def VQGAN_quiet(params: dict[str, Any], gumbel: bool = False) -> VQGAN:  # noqa: N802 - a constructor
    """Builds the model without taming's print of the latent shape, and without drawing from the global
    RNG: models are cached per process, so building one must not change what a run's seed draws next."""
    with contextlib.redirect_stdout(io.StringIO()), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return VQGAN(params, gumbel)


def _with_weights(vqgan: VQGAN, path: Path | None) -> VQGAN:
    if path is not None:
        from artkit.models.checkpoint import load_state_dict

        try:
            load_params(vqgan, load_state_dict(path))
        except KeyError as exc:
            raise ArtkitError(f"{path}: does not fit the model config: {exc.args[0]}.") from None
    return vqgan.eval().requires_grad_(False)


def _toy(random_weights: bool) -> VQGAN:
    from safetensors import safe_open
    from safetensors.torch import load_file

    if random_weights:
        return VQGAN_quiet(TOY_CONFIG).eval().requires_grad_(False)
    with safe_open(str(TOY_WEIGHTS), framework="pt") as handle:
        params = json.loads((handle.metadata() or {}).get("config", json.dumps(TOY_CONFIG)))
    vqgan = VQGAN_quiet(params)
    load_params(vqgan, {k: v.float() for k, v in load_file(str(TOY_WEIGHTS)).items()})
    return vqgan.eval().requires_grad_(False)
