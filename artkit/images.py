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


def close_views(image: Tensor, centres: list[tuple[float, float]], side: float, size: int) -> Tensor:
    """Square views of ``image`` (1, 3, H, W) around ``centres`` ((x, y) shares of the width and height),
    ``side`` of the picture wide, each resampled to ``size`` px; the border repeats beyond the edge.
    Shape (len(centres), 3, size, size).

    Example:
        >>> image = torch.zeros(1, 3, 64, 64)
        >>> image[..., :, :32] = 1.0  # the left half white
        >>> views = close_views(image, [(0.25, 0.5), (0.75, 0.5)], 0.5, 32)
        >>> views.shape, views[0].mean().item(), views[1].mean().item()
        (torch.Size([2, 3, 32, 32]), 1.0, 0.0)
    """
    theta = torch.zeros(len(centres), 2, 3, device=image.device, dtype=image.dtype)
    theta[:, 0, 0] = theta[:, 1, 1] = side
    theta[:, :, 2] = torch.tensor(centres, device=image.device, dtype=image.dtype) * 2 - 1
    grid = torch.nn.functional.affine_grid(theta, [len(centres), 3, size, size], align_corners=False)
    scale = max(size, round(size / side))  # area-downsampled first, so that a small view is not aliased
    small = (
        torch.nn.functional.interpolate(image, size=(scale, scale), mode="area") if image.shape[-1] > scale else image
    )
    return torch.nn.functional.grid_sample(
        small.expand(len(centres), -1, -1, -1), grid, padding_mode="border", align_corners=False
    )


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
