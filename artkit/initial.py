"""Where a generator's first image comes from: noise, a colour or an image file.

Generators share these options by deriving their ``Config`` from :class:`InitOptions` and call
:func:`initial_image` for the picture they should start from.

Example:
    >>> cfg = InitOptions(init="red", init_noise=0.0)
    >>> initial_image(cfg, RunInfo(size=(4, 2)), (2, 4))[0, :, 0, 0].tolist()
    [0.8999999761581421, 0.10000000149011612, 0.10000000149011612]
"""

from __future__ import annotations

import torch
from pydantic import Field, field_validator
from torch import Tensor

from artkit.colours import parse_colour
from artkit.components import ComponentConfig, RunInfo
from artkit.images import load_image


class InitOptions(ComponentConfig):
    """The init options every built-in generator accepts."""

    init: str | list[float] = Field(default="noise", description="'noise', a colour name, a hex code or [r, g, b]")
    init_noise: float = Field(default=0.1, ge=0, description="noise added to a colour or image init")
    init_image: str | None = Field(default=None, description="start from this image file")

    @field_validator("init")
    @classmethod
    def _check_init(cls, value: str | list[float]) -> str | list[float]:
        if value != "noise":
            parse_colour(value)
        return value


def initial_image(config: InitOptions, info: RunInfo, size: tuple[int, int]) -> Tensor:
    """The starting picture (1, 3, H, W) in [0, 1] at ``size`` = (H, W), drawn from the global RNG."""
    height, width = size
    if config.init_image is not None:
        image = load_image(info.resolve_path(config.init_image), (width, height), field="generator.init_image")
    elif config.init == "noise":
        return torch.rand(1, 3, height, width)
    else:
        image = torch.tensor(parse_colour(config.init)).view(1, 3, 1, 1).expand(1, 3, height, width)
    return (image + config.init_noise * torch.randn(1, 3, height, width)).clamp(0, 1)
