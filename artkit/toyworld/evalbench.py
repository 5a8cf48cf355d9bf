"""The toy-world fidelity benchmark behind ``artkit eval``: run prompts through presets at several step
budgets and report how often the judge reads what each prompt asked for."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from artkit.toyworld.fidelity import ATTRIBUTES, judge_prompt, toyclip_score
from artkit.toyworld.prompts import ToyPrompt, benchmark_prompts


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
) -> list[dict[str, Any]]:
    """Runs every prompt through every preset at every budget; one summary row per (preset, budget)."""
    from artkit.api import run

    prompts = benchmark_prompts(n_prompts, seed)
    rows = []
    for preset in presets:
        for steps in budgets:
            cell = Cell(preset, steps)
            for prompt in prompts:
                _one(cell, functools.partial(run, plugins=plugins), preset, prompt, steps, out, seed)
            rows.append(cell.summary())
            if on_result:
                on_result(cell)
    return rows


def _one(cell: Cell, run: Callable[..., Any], preset: str, prompt: ToyPrompt, steps: int, out: Path, seed: int) -> None:
    start = time.perf_counter()
    result = run(preset, prompts=prompt.prompts, steps=steps, seed=seed, out=out, progress=False)
    cell.seconds.append(time.perf_counter() - start)
    cell.verdicts.append(judge_prompt(result.tensor, prompt))
    cell.scores.append(toyclip_score(result.tensor, prompt.text))
