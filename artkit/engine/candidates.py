"""``candidates``: try several starts of the generator for a few steps each, then run the best one in full.

A start that falls into a poor arrangement early (a shape in the wrong colour, an object in the wrong place)
rarely recovers, and which start does is luck. With ``candidates: {count: 3, steps: 50}`` the run draws
three starts (the run's own, then with seeds ``seed + 1`` and ``seed + 2``), optimises each for 50 steps
without writing anything, and restarts the one whose loss ended lowest from its first step, with every output
on. Candidate 0 is exactly the run ``count: 1`` would make, so the choice costs ``count * steps`` extra steps
and the outputs, resume state and video are those of an ordinary run. ``candidates.json`` in the run's
directory records each candidate's loss and the choice.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from artkit.engine.setup import make_optimizer, seed_everything
from artkit.engine.state import RngStates, rng_states, set_rng_states
from artkit.files import atomic_write

if TYPE_CHECKING:
    from artkit.engine.run import Run
    from artkit.engine.signals import StopRequest

CANDIDATES_FILE = "candidates.json"
SCORED_SHARE = 0.2  # a candidate's score: its mean loss over the last fifth of its steps


@dataclass
class Start:
    """Where a candidate begins: the generator's tensors and the RNGs' states."""

    seed: int
    tensors: dict[str, Tensor]
    rng: RngStates


def choose_start(run: Run, stop: StopRequest, progress: Any = None) -> int | None:
    """Tries ``run``'s candidate starts and leaves ``run`` at step 0 of the best; returns its index.

    Does nothing (returns None) for a single candidate or a run that has chosen before (a resumed one, even
    one stopped during the trials, at step 0: its ``candidates.json`` is there). A stop request ends the
    trial early: the best start tried so far is kept. ``progress``, when it has a ``describe(text)``
    method, is told which candidate is being tried.
    """
    config = run.plan.run.candidates
    if config.count == 1 or run.step > 0 or (run.dir / CANDIDATES_FILE).exists():
        return None
    steps = min(config.steps, run.steps)
    starts, scores = [], []
    for index in range(config.count):
        if stop.requested:
            break
        _describe(progress, f"candidate {index + 1}/{config.count}")
        starts.append(_own_start(run) if index == 0 else _drawn_start(run, run.plan.run.seed + index))
        scores.append(_trial_score(run, starts[-1], steps, stop))
    best = min(range(len(scores)), key=lambda i: scores[i])
    _install(run, starts[best])
    _record(run, starts, scores, best, steps)
    _describe(progress, f"candidate {best + 1} of {config.count}")
    return best


def _describe(progress: Any, text: str) -> None:
    describe = getattr(progress, "describe", None)
    if describe is not None:
        describe(text)


def _own_start(run: Run) -> Start:
    return Start(run.plan.run.seed, start_tensors(run.generator), rng_states())


def _drawn_start(run: Run, seed: int) -> Start:
    """A start drawn as the run's own generator was: seeded, then built (and dropped: only its tensors stay)."""
    seed_everything(seed)
    fresh = run.plan.generator.build(run.info).to(run.info.device)
    return Start(seed, start_tensors(fresh), rng_states())


def start_tensors(generator: torch.nn.Module) -> dict[str, Tensor]:
    """Copies of what a start sets: trainable parameters and buffers (frozen weights are the same in every start)."""
    named = [*((k, p) for k, p in generator.named_parameters() if p.requires_grad), *generator.named_buffers()]
    return {name: tensor.detach().clone() for name, tensor in named}


def set_start_tensors(generator: torch.nn.Module, tensors: dict[str, Tensor]) -> None:
    """Copies ``tensors`` (from :func:`start_tensors`) into ``generator``'s parameters and buffers."""
    current = dict(generator.named_parameters()) | dict(generator.named_buffers())
    with torch.no_grad():
        for name, tensor in tensors.items():
            current[name].copy_(tensor)


def _install(run: Run, start: Start) -> None:
    """Puts ``start`` in ``run``: its tensors, a fresh optimiser, the RNGs as they were, step 0."""
    set_start_tensors(run.generator, start.tensors)
    run.optimizer = make_optimizer(run.plan.run.optimizer, run.generator)
    set_rng_states(start.rng)
    run.step, run.losses, run.image = 0, {}, None


def _trial_score(run: Run, start: Start, steps: int, stop: StopRequest) -> float:
    """``steps`` steps from ``start``, writing nothing; the mean total loss of the last of them (inf if not finite)."""
    _install(run, start)
    scored = max(1, round(steps * SCORED_SHARE))
    losses = []
    for step in range(steps):
        if stop.requested:
            break
        run.step_once()
        if step >= steps - scored:
            losses.append(run.losses["total"])
    score = torch.stack(losses).mean().item() if losses else math.inf
    return score if math.isfinite(score) else math.inf


def _record(run: Run, starts: list[Start], scores: list[float], best: int, steps: int) -> None:
    tried = [
        {"candidate": i, "seed": start.seed, "loss": None if math.isinf(score) else round(score, 6)}
        for i, (start, score) in enumerate(zip(starts, scores, strict=True))
    ]
    record = {"steps": steps, "chosen": best, "candidates": tried}
    atomic_write(run.dir / CANDIDATES_FILE, lambda handle: handle.write(json.dumps(record, indent=2) + "\n"), mode="w")
