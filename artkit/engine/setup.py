"""Device choice, seeding, optimiser construction, mixed precision and compilation for a run."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from artkit.components import Generator, Perceptor
from artkit.errors import ConfigError
from artkit.schema import OptimizerConfig


def pick_device(name: str) -> torch.device:
    """``auto`` picks CUDA, then Apple MPS, then the CPU; a named device must exist."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device: '{name}' was asked for but CUDA is not available here. Use device: auto or cpu.")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ConfigError("device: 'mps' was asked for but Apple MPS is not available here. Use device: auto or cpu.")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seeds every RNG a run draws from: Python, NumPy, torch (CPU and CUDA; kornia uses torch's)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def make_optimizer(config: OptimizerConfig, generator: Generator) -> torch.optim.Optimizer:
    groups = generator.param_groups(config.lr)
    if not any(g["params"] for g in groups):
        raise ConfigError("generator: it has no trainable parameters, so there is nothing to optimise.")
    if config.name == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    cls = torch.optim.AdamW if config.name == "adamw" else torch.optim.Adam
    return cls(groups, lr=config.lr, weight_decay=config.weight_decay)


def lr_factor(config: OptimizerConfig, step: int, steps: int) -> float:
    """The learning-rate multiplier at ``step`` (from 0): warm-up, then the schedule.

    ``step`` divides the rate by 10 at 75% of the steps, as Pixray does.

    Example:
        >>> lr_factor(OptimizerConfig(schedule="step"), 80, 100)
        0.1
    """
    if step < config.warmup:
        return (step + 1) / config.warmup
    if config.schedule == "cosine":
        progress = (step - config.warmup) / max(1, steps - config.warmup)
        return 0.5 * (1 + float(np.cos(np.pi * progress)))
    if config.schedule == "step":
        return 0.1 if step >= 0.75 * steps else 1.0
    return 1.0


def autocast_context(mode: str, device: torch.device) -> contextlib.AbstractContextManager:
    """The mixed-precision context of a step: ``none``, ``bf16``, ``fp16`` (CUDA only) or ``auto``
    (bf16 on CUDA and on CPUs with native bf16, else none). Losses are summed in fp32 either way."""
    dtype = _autocast_dtype(mode, device)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def _autocast_dtype(mode: str, device: torch.device) -> torch.dtype | None:
    if mode == "none" or device.type not in ("cpu", "cuda"):
        return None
    if mode == "fp16":
        if device.type != "cuda":
            raise ConfigError("autocast: fp16 needs CUDA; use bf16 on the CPU.")
        return torch.float16
    if mode == "auto" and device.type == "cpu" and not cpu_has_bf16():
        return None
    return torch.bfloat16


def compile_models(generator: Generator, perceptors: Sequence[Perceptor], mode: str, device: torch.device) -> None:
    """``compile:``: ``torch.compile`` the generator's forward and each perceptor's image encoder, in place.

    Parameters and state dicts are untouched (checkpoints and resume work as without). The first step
    pays the compilation. ``reduce-overhead`` adds CUDA graphs on CUDA.
    """
    if mode == "none":
        return
    _check_compiler(device)
    generator.compile(mode=mode)
    for perceptor in perceptors:
        perceptor.encode_image = torch.compile(perceptor.encode_image, mode=mode)


def _check_compiler(device: torch.device) -> None:
    """torch.compile builds kernels with a C++ compiler on the CPU and with Triton on CUDA."""
    if device.type == "cuda" and importlib.util.find_spec("triton") is None:
        raise ConfigError("compile: needs Triton on CUDA (pip install triton), or set compile: none.")
    compilers = [c for c in (os.environ.get("CXX"), "g++", "c++", "clang++") if c]
    if device.type == "cpu" and not any(shutil.which(c) for c in compilers):
        raise ConfigError(
            "compile: needs a C++ compiler on the CPU (g++ or clang++ on PATH, or $CXX), or set compile: none."
        )


def cpu_has_bf16() -> bool:
    """Whether this CPU computes in bf16 natively (AVX-512 BF16 or AMX), where bf16 autocast pays off."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
