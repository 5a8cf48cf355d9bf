"""The ``metrics`` output: every ``every`` steps, one JSON line with the step's losses."""

from __future__ import annotations

import json
import time

from pydantic import Field

import artkit


class MetricsOutput(artkit.Output):
    """Appends ``{"step", "seconds", "lr", "loss", "losses"}`` lines to ``metrics.jsonl``."""

    class Config(artkit.ComponentConfig):
        every: int = Field(default=1, ge=1, description="log every this many steps (each log syncs the device)")

    def start(self, run) -> None:
        self._file = open(run.dir / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - closed in finish
        self._t0 = time.perf_counter()

    def step(self, run, step: int) -> None:
        if step % self.config.every and step != run.steps:
            return
        values = {k: round(float(v), 6) for k, v in run.losses.items()}
        record = {
            "step": step,
            "seconds": round(time.perf_counter() - self._t0, 3),
            "lr": run.lr,
            "loss": values.pop("total"),
            "losses": values,
        }
        run.metrics.append(record)
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def finish(self, run) -> None:
        self._file.close()
