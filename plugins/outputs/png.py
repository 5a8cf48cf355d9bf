"""The ``png`` output: snapshots every N steps in ``steps/`` (``final.png`` is always written)."""

from __future__ import annotations

from pydantic import Field

import artkit
from artkit.images import save_png


class PngOutput(artkit.Output):
    """Writes ``steps/step_00050.png`` every ``every`` steps, with prompt, seed and config embedded."""

    class Config(artkit.ComponentConfig):
        every: int = Field(default=50, ge=1, description="save a snapshot every this many steps")

    def step(self, run, step: int) -> None:
        if step % self.config.every == 0:
            save_png(run.image, run.dir / "steps" / f"step_{step:05d}.png", run.png_text())
