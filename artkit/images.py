"""Reading and writing images as tensors (1, 3, H, W) in [0, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, PngImagePlugin, UnidentifiedImageError
from torch import Tensor

from artkit.errors import ConfigError
from artkit.files import atomic_write


def load_image(path: Path, size: tuple[int, int] | None = None, field: str = "image") -> Tensor:
    """Reads an image file as a tensor (1, 3, H, W), resized to ``size`` = (W, H) if given.

    Errors name the preset ``field`` that gave the path.
    """
    if not path.is_file():
        raise ConfigError(
            f"{field}: image file '{path}' does not exist. Check the path (relative to the current directory)."
        )
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            if size is not None and img.size != tuple(size):
                img = img.resize(tuple(size), Image.Resampling.LANCZOS)
            array = np.asarray(img, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as exc:
        raise ConfigError(
            f"{field}: '{path}' is not an image artkit can read ({exc}). Use a PNG or JPEG file."
        ) from None
    return torch.from_numpy(array.copy()).permute(2, 0, 1).unsqueeze(0)


def to_pil(image: Tensor) -> Image.Image:
    """The first image of a batch (or a single (3, H, W) image) as a PIL image."""
    if image.dim() == 4:
        image = image[0]
    array = (image.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array)


def save_png(image: Tensor | Image.Image, path: Path, text: dict[str, str] | None = None) -> None:
    """Writes a PNG atomically, with ``text`` stored as PNG text chunks (prompt, seed, config)."""
    pil = image if isinstance(image, Image.Image) else to_pil(image)
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    atomic_write(path, lambda handle: pil.save(handle, format="PNG", pnginfo=info))
