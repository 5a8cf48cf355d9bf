"""``artkit resume``: continue a run from the state saved in its directory.

Example:
    >>> result = artkit.resume("runs/20261128-a-red-circle", steps=100)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from artkit.api import RunResult, finish_result
from artkit.engine.run import build_run
from artkit.engine.state import STATE_FILE, load_state, read_state
from artkit.errors import ArtkitError
from artkit.presets import read_yaml
from artkit.progress import ProgressBar
from artkit.resolve import Overrides, prepare


def resume(
    run_dir: str | Path,
    *,
    steps: int | None = None,
    prompts: Sequence[str | dict[str, Any]] | str | None = None,
    plugins: Sequence[str | Path] = (),
    progress: bool = True,
) -> RunResult:
    """Continues the run in ``run_dir`` from its saved parameters, optimiser state, step and RNG state.

    With no changes, the result equals an uninterrupted run with the same seed (on the same machine).
    ``steps`` runs that many more steps (default: the rest of the configured steps); ``prompts``
    replaces the prompts and continues from the current picture. Files are added to the same directory.
    """
    run_dir = Path(run_dir)
    config = run_dir / "config.yaml"
    if not config.is_file():
        raise ArtkitError(
            f"{run_dir}: no config.yaml here. Give the directory of a run, like runs/2026...-a-red-circle."
        )
    _, info = read_state(run_dir / STATE_FILE)
    done, configured = int(info["step"]), int(info["steps"])
    if steps is None and done >= configured:
        raise ArtkitError(f"{run_dir}: this run already finished all {configured} steps. Give --steps N to run N more.")
    if steps is not None and (read_yaml(config) or {}).get("animation"):
        raise ArtkitError(
            f"{run_dir}: an animation resumes to its last frame; --steps does not apply. "
            "To make it longer, raise animation.frames in a copy of config.yaml and run that."
        )
    total = done + steps if steps is not None else configured
    if isinstance(prompts, str):
        prompts = [prompts]
    plan, loaded = prepare(str(config), Overrides(prompts=prompts, steps=total, plugin_files=list(plugins)))
    the_run = build_run(plan, loaded, run_dir.parent, run_dir=run_dir)
    the_run.resumed_from = load_state(the_run, run_dir / STATE_FILE)
    the_run.image = the_run.current_image()
    bar = ProgressBar(total, description=run_dir.name, enabled=progress, initial=the_run.step)
    return finish_result(the_run, bar)
