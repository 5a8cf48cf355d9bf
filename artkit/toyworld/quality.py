"""Time to quality on the toy world: how many steps and seconds until the judge reads the prompt.

Each prompt runs once with the preset's settings up to ``max_steps`` (its learning-rate schedule spans
``max_steps``); every ``every`` steps the judge reads the picture, outside the timed part. A prompt is
reached at the first check where every attribute it names is read correctly; each attribute is also
timed on its own (the first check that reads it).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from artkit.toyworld.fidelity import judge_prompt
from artkit.toyworld.prompts import ToyPrompt, benchmark_prompts

TOY_PRESETS = [
    "quickstart",
    "toyclip-quickstart",
    "fft-quickstart",
    "palette-quickstart",
    "vqgan-quickstart",
    "vector-quickstart",
]


def first_read(
    preset: str, prompt: ToyPrompt, max_steps: int, every: int, seed: int, plugins: Sequence[str]
) -> dict[str, Any]:
    """Steps and optimisation seconds until the judge first reads ``prompt`` (None if never)."""
    from artkit.engine.run import build_run
    from artkit.resolve import Overrides, prepare

    overrides = Overrides(prompts=prompt.prompts, steps=max_steps, seed=seed, plugin_files=list(plugins),
                          sets=["outputs=[]", "checkpoint_every=0"])  # fmt: skip
    plan, loaded = prepare(preset, overrides)
    with tempfile.TemporaryDirectory(prefix="artkit-quality-") as out_dir:
        return _steps_until_read(build_run(plan, loaded, Path(out_dir)), prompt, max_steps, every)


def _steps_until_read(run, prompt: ToyPrompt, max_steps: int, every: int) -> dict[str, Any]:
    seconds, attributes = 0.0, {}
    while run.step < max_steps:
        start = time.perf_counter()
        for _ in range(min(every, max_steps - run.step)):
            run.step_once()
        seconds += time.perf_counter() - start
        verdict = judge_prompt(run.current_image(), prompt)
        attributes = {name: attributes.get(name) or (run.step if read else None) for name, read in verdict.items()}
        if all(verdict.values()):
            return {"steps": run.step, "seconds": round(seconds, 2), "attributes": attributes}
    return {"steps": None, "seconds": None, "attributes": attributes}


def time_to_quality(presets: Sequence[str], n_prompts: int = 6, max_steps: int = 200, every: int = 25,
                    seed: int = 0, plugins: Sequence[str] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """One summary per preset: share of prompts reached, median steps and seconds of those reached,
    and per attribute (colour, shape, position, background) how many prompts had it read at some
    check and the median first step it was read at."""
    prompts = benchmark_prompts(n_prompts, seed)
    rows = []
    for preset in presets:
        results = [first_read(preset, p, max_steps, every, seed, plugins) for p in prompts]
        reached = [r for r in results if r["steps"] is not None]
        rows.append({
            "preset": preset, "prompts": len(prompts), "reached": len(reached), "max_steps": max_steps,
            "median_steps": statistics.median(r["steps"] for r in reached) if reached else None,
            "median_seconds": statistics.median(r["seconds"] for r in reached) if reached else None,
            "attributes": attribute_summary([r["attributes"] for r in results]),
        })  # fmt: skip
    return rows


def attribute_summary(first_steps: list[dict[str, int | None]]) -> dict[str, dict[str, Any]]:
    """Per attribute: prompts that name it, how many had it read, the median first step of those.

    Example:
        >>> attribute_summary([{"colour": 25, "shape": None}, {"colour": 75, "shape": None}])["colour"]
        {'prompts': 2, 'reached': 2, 'median_steps': 50.0}
    """
    summary = {}
    for name in dict.fromkeys(k for steps in first_steps for k in steps):
        steps = [s[name] for s in first_steps if name in s]
        read = [v for v in steps if v is not None]
        summary[name] = {"prompts": len(steps), "reached": len(read),
                         "median_steps": statistics.median(read) if read else None}  # fmt: skip
    return summary
