"""The Python API: ``artkit.run(preset, prompts=...)``. The CLI is a thin layer over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from torch import Tensor

from artkit.engine.run import Run, build_run, execute
from artkit.images import to_pil
from artkit.progress import ProgressBar
from artkit.resolve import Overrides, Plan, prepare


@dataclass
class RunResult:
    """What a run made: the image (PIL and tensor), its directory, metrics and resolved config."""

    image: Image.Image
    tensor: Tensor
    run_dir: Path
    metrics: list[dict[str, Any]]
    config: dict[str, Any]

    def _repr_png_(self) -> bytes:  # shows the image in a notebook
        import io

        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG")
        return buffer.getvalue()


def run(
    preset: str | dict[str, Any],
    prompts: Sequence[str | dict[str, Any]] | str | None = None,
    *,
    seed: int | None = None,
    steps: int | None = None,
    size: Any = None,
    set: Sequence[str] = (),  # noqa: A002 - mirrors the CLI's --set
    out: str | Path = "runs",
    plugins: Sequence[str | Path] = (),
    allow_preset_plugins: bool = True,
    progress: bool = True,
) -> RunResult:
    """Runs a preset (a name, a YAML file or a mapping) and returns what it made.

    Example:
        >>> result = artkit.run("quickstart", prompts=["a red circle on the left"], steps=50)  # doctest: +SKIP
        >>> result.image.save("circle.png")  # doctest: +SKIP
    """
    if isinstance(prompts, str):
        prompts = [prompts]
    overrides = Overrides(prompts, seed, steps, size, list(set), list(plugins), allow_preset_plugins)
    plan, loaded = prepare(preset, overrides)
    return run_plan(plan, loaded, Path(out), progress)


def run_plan(plan: Plan, plugins: Any, out: Path, progress: bool = True) -> RunResult:
    """Builds and runs a prepared plan."""
    the_run: Run = build_run(plan, plugins, out)
    return finish_result(the_run, ProgressBar(plan.run.steps, description=the_run.dir.name, enabled=progress))


def finish_result(the_run: Run, bar: ProgressBar) -> RunResult:
    """Runs the remaining steps of a built run and returns what it made."""
    try:
        execute(the_run, bar)
    finally:
        bar.close()
    tensor = the_run.current_image().cpu()
    return RunResult(to_pil(tensor), tensor, the_run.dir, the_run.metrics, the_run.plan.resolved())
