"""The hooks artkit calls. Plugins implement them with ``@artkit.hookimpl``.

Hooks are always called with keyword arguments. Registration hooks are called once per plugin manager,
in "all results" mode: every plugin that implements one is called, and its return value is ignored.
See docs/hooks.md for each hook with an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from artkit.engine.run import Run

PROJECT_NAME = "artkit"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

RegisterComponent = Callable[..., None]


@hookspec
def register_generators(register: RegisterComponent) -> None:
    """Register generators: ``register("pixel", PixelGenerator, aliases=("pixels",))``."""


@hookspec
def register_losses(register: RegisterComponent) -> None:
    """Register losses: ``register("clip", ClipLoss)``."""


@hookspec
def register_augmentations(register: RegisterComponent) -> None:
    """Register augmentations (image -> batch of cutouts): ``register("cutouts", Cutouts)``."""


@hookspec
def register_perceptors(register: RegisterComponent) -> None:
    """Register perceptors (image/text encoders): ``register("openclip", OpenClipPerceptor)``."""


@hookspec
def register_outputs(register: RegisterComponent) -> None:
    """Register outputs (files written as a run goes): ``register("png", PngOutput)``."""


@hookspec
def register_presets(register: Callable[[Any], None]) -> None:
    """Register a directory of YAML presets: ``register(Path(__file__).parent / "presets")``."""


@hookspec
def run_started(run: Run) -> None:
    """Called once the run's components are built, before the first step."""


@hookspec
def step_finished(run: Run, step: int) -> None:
    """Called after each optimiser step; ``step`` counts from 1. ``run.losses`` holds its loss terms."""


@hookspec
def run_finished(run: Run) -> None:
    """Called when the run ends, finished or interrupted (``run.interrupted``), after ``final.png``."""
