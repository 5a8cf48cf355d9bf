"""Base classes of everything a plugin can provide.

Each component declares its options as a nested pydantic model ``Config`` (unknown keys are errors)
and is built as ``Component(config, info)``, where ``info`` describes the run (size, device, prompts).

Example:
    >>> import torch
    >>> class Flat(Generator):
    ...     '''A flat grey image.'''
    ...     def forward(self):
    ...         w, h = self.info.size
    ...         return torch.full((1, 3, h, w), 0.5)
    >>> Flat(Flat.Config(), RunInfo(size=(8, 4)))().shape
    torch.Size([1, 3, 4, 8])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from pydantic import BaseModel, ConfigDict
from torch import Tensor, nn

if TYPE_CHECKING:
    from artkit.context import StepContext
    from artkit.engine.run import Run
    from artkit.prompts import Prompt


class ComponentConfig(BaseModel):
    """Base of every component's ``Config``: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


@dataclass
class RunInfo:
    """What every component may need to know about the run it is part of."""

    size: tuple[int, int] = (64, 64)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    seed: int = 0
    steps: int = 100
    prompts: list[Prompt] = field(default_factory=list)
    base_dir: Path = field(default_factory=Path.cwd)

    def resolve_path(self, path: str | Path) -> Path:
        """A path from a preset, relative to the preset's directory."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.base_dir / path


class _Component:
    Config: ClassVar[type[ComponentConfig]] = ComponentConfig

    def _setup(self, config: ComponentConfig, info: RunInfo) -> None:
        self.config = config
        self.info = info


class Generator(_Component, nn.Module):
    """Makes the image from its parameters. ``forward()`` returns (1, 3, H, W) in [0, 1]."""

    def __init__(self, config: ComponentConfig, info: RunInfo) -> None:
        nn.Module.__init__(self)
        self._setup(config, info)

    def forward(self) -> Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def project(self) -> None:
        """Called after each optimiser step: put parameters back into their valid range."""

    def param_groups(self, lr: float) -> list[dict[str, Any]]:
        """Optimiser parameter groups; override to give parts their own learning rate."""
        return [{"params": [p for p in self.parameters() if p.requires_grad], "lr": lr}]

    def write_files(self, directory: Path) -> None:
        """Called at the end of a run, after ``final.png``: extra files (the vector generator's ``final.svg``)."""

    def choices(self) -> dict[str, list[str]]:
        """The generator's discrete choices, each by name with its options' names (``choice_search`` tries
        them). The default, none; a generator that has some also implements ``chosen`` and ``choose``.

        Example: the vector generator with two primitive shapes offers
        ``{"shape 1": ["circle", "square", ...], "shape 2": [...]}``.
        """
        return {}

    def chosen(self, choice: str) -> str:
        """The option ``choice`` holds now (the strongest, where the generator weighs several)."""
        raise NotImplementedError(f"the {type(self).__name__} generator makes no choice {choice!r}")

    @torch.no_grad()
    def choose(self, choice: str, option: str) -> None:
        """Sets ``choice`` to ``option``, firmly: ``forward()`` then draws that option (gradients may move it on)."""
        raise NotImplementedError(f"the {type(self).__name__} generator makes no choice {choice!r}")

    def choice_place(self, choice: str) -> tuple[float, float] | None:
        """Where the part of the picture that ``choice`` draws is now, as ``(x, y)`` shares of the width and
        height from the top left; None (the default) where it has no one place. ``choice_search`` with
        ``views: true`` scores a placed choice on a close view of its part.
        """
        return None

    @torch.no_grad()
    def set_image(self, image: Tensor) -> None:
        """Re-initialise the parameters so that ``forward()`` draws ``image`` (1, 3, H, W) as closely as it can.

        Animations start each frame from the previous one this way. A generator that cannot do it
        keeps this default, which refuses with a clear message.
        """
        raise NotImplementedError(
            f"the {type(self).__name__} generator cannot start from an image, so it cannot be animated; "
            "use a generator that can (pixel, fft, palette, vqgan)"
        )


class Loss(_Component, nn.Module):
    """Scores a step. ``forward(ctx)`` returns a scalar; the engine multiplies it by ``weight``."""

    class Config(ComponentConfig):
        weight: float = 1.0

    def __init__(self, config: ComponentConfig, info: RunInfo) -> None:
        nn.Module.__init__(self)
        self._setup(config, info)

    def forward(self, ctx: StepContext) -> Tensor:
        raise NotImplementedError


class Augmentation(_Component, nn.Module):
    """Maps the image (1, 3, H, W) to a batch of cutouts (N, 3, size, size), in one batched call."""

    def __init__(self, config: ComponentConfig, info: RunInfo) -> None:
        nn.Module.__init__(self)
        self._setup(config, info)

    def forward(self, image: Tensor, size: int) -> Tensor:
        raise NotImplementedError


class Perceptor(_Component, nn.Module):
    """Encodes images and texts into one space; embeddings are L2-normalised, shape (N, D)."""

    input_size: int = 224

    def __init__(self, config: ComponentConfig, info: RunInfo) -> None:
        nn.Module.__init__(self)
        self._setup(config, info)

    @property
    def label(self) -> str:
        """A short name for logs and metrics."""
        return type(self).__name__

    def encode_image(self, images: Tensor) -> Tensor:
        raise NotImplementedError

    def encode_text(self, texts: list[str]) -> Tensor:
        raise NotImplementedError


class Output(_Component):
    """Writes files as a run goes. Its methods are called at the start, after each step and at the end."""

    def __init__(self, config: ComponentConfig, info: RunInfo) -> None:
        self._setup(config, info)

    def start(self, run: Run) -> None:
        """Called once, before the first step."""

    def step(self, run: Run, step: int) -> None:
        """Called after each step; ``step`` counts from 1."""

    def finish(self, run: Run) -> None:
        """Called at the end, also when the run was interrupted (``run.interrupted``)."""
