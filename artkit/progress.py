"""A progress bar that suits both a terminal and a notebook (tqdm.auto), showing step, loss and speed."""

from __future__ import annotations

from typing import Any

LOSS_EVERY = 10  # reading the loss syncs with the device; do it every few steps, not every step


class ProgressBar:
    """Call it after each step; close it at the end."""

    def __init__(self, total: int, description: str = "artkit", enabled: bool = True, initial: int = 0) -> None:
        from tqdm.auto import tqdm

        self._description = description
        self._bar = tqdm(
            total=total, initial=initial, desc=description, unit="step", disable=not enabled, dynamic_ncols=True
        )

    def __call__(self, run: Any) -> None:
        self._bar.update(run.step - self._bar.n)
        if run.step % LOSS_EVERY == 0 or run.step == run.steps:
            self._bar.set_postfix(loss=f"{run.losses['total'].item():.4f}", refresh=False)

    def describe(self, text: str) -> None:
        """Adds ``text`` to the bar's description (``candidates`` says which start it is trying)."""
        self._bar.set_description(f"{self._description} ({text})")

    def close(self) -> None:
        self._bar.close()
