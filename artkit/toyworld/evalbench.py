"""The toy-world fidelity benchmark behind ``artkit eval``: run prompts through presets at several step
budgets and report how often the judge reads what each prompt asked for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from artkit.toyworld.drawing import Drawn, Request, draw_each
from artkit.toyworld.fidelity import ATTRIBUTES, judge_prompt, toyclip_score
from artkit.toyworld.prompts import benchmark_prompts


@dataclass
class Cell:
    """Results of one preset at one step budget."""

    preset: str
    steps: int
    verdicts: list[dict[str, bool]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        row: dict[str, Any] = {"preset": self.preset, "steps": self.steps, "prompts": len(self.verdicts)}
        for attribute in ATTRIBUTES:
            hits = [v[attribute] for v in self.verdicts if attribute in v]
            row[attribute] = round(mean(hits), 3) if hits else None
        row["all"] = round(mean(all(v.values()) for v in self.verdicts), 3)
        row["toyclip"] = round(mean(self.scores), 4)
        row["seconds"] = round(mean(self.seconds), 2)
        return row


def evaluate(
    presets: Sequence[str],
    budgets: Sequence[int],
    n_prompts: int,
    out: Path,
    seed: int = 0,
    on_result: Callable[[Cell], None] | None = None,
    plugins: Sequence[str] = (),
    workers: int = 1,
) -> list[dict[str, Any]]:
    """Runs every prompt through every preset at every budget; one summary row per (preset, budget).

    ``workers`` > 1 draws that many runs side by side, one torch thread each (see
    :mod:`artkit.toyworld.drawing`): faster on a small CPU, but the pictures are one-thread pictures and
    the seconds are those of a run sharing the CPU. ``on_result`` sees each cell as soon as it is complete.
    """
    prompts = benchmark_prompts(n_prompts, seed)
    cells = [Cell(preset, steps) for preset in presets for steps in budgets]
    requests = [Request(cell.preset, prompt, steps=cell.steps, seed=seed) for cell in cells for prompt in prompts]
    rows = []
    with closing(draw_each(requests, out, workers, plugins, threads=1 if workers > 1 else None)) as drawn:
        for cell in cells:
            for _ in prompts:
                _record(cell, next(drawn))
            rows.append(cell.summary())
            if on_result:
                on_result(cell)
    return rows


def _record(cell: Cell, drawn: Drawn) -> None:
    prompt, tensor = drawn.request.prompt, drawn.result.tensor
    cell.seconds.append(drawn.seconds)
    cell.verdicts.append(judge_prompt(tensor, prompt))
    cell.scores.append(toyclip_score(tensor, prompt.text))
