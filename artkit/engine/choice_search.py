"""``choice_search``: at set points of a run, try every option of each of the generator's discrete choices.

Some generators hold discrete choices behind soft weights: each of the ``vector`` generator's primitive
shapes weighs six primitives. Gradient descent settles such a weighting early (a softmax passes almost no
gradient to the options once one leads) and seldom leaves it, even where another option would score better:
a ring begun as a square stays a square. ``choice_search: {at: [0.4, 0.67]}`` stops the run after 40% and
67% of its steps and, one choice at a time, sets it to each of its options, scores the picture by the run's
losses (or those named in ``losses``) on ``draws`` fixed draws of cutouts and noise, the same for every
option, and keeps the option that scored lowest before going on to the next choice. With ``views: true`` a
choice that draws an object the prompt places is scored on a close view of it instead
(:mod:`artkit.engine.choice_views`).

The draws are seeded from the run's seed and the step, and the random number generators are put back
afterwards, so a run with a search is as reproducible as one without and a resumed run searches as the
first would have. ``choices.json`` in the run's directory records every search: each option's score and
the option kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from artkit.components import Generator
from artkit.engine.choice_views import Pairing, paired_objects, phrase_embeddings, view_distance
from artkit.engine.setup import autocast_context
from artkit.engine.state import rng_states, set_rng_states
from artkit.errors import ConfigError
from artkit.files import atomic_write
from artkit.schema import ChoiceSearchConfig

if TYPE_CHECKING:
    from artkit.engine.run import Run

CHOICES_FILE = "choices.json"
DRAW_SEED = 7_919  # a draw's seed: the run's seed times this, plus 101 times the step, plus the draw


def check_choice_search(
    config: ChoiceSearchConfig, generator: Generator, generator_name: str, losses: Iterable[str]
) -> None:
    """A clear error, before the run starts, for a search it cannot make."""
    if not config.at:
        return
    if not generator.choices():
        raise ConfigError(
            f"choice_search: the {generator_name} generator makes no discrete choices here, so there is nothing to "
            "search; remove `choice_search` (the vector generator with `primitives` makes them)"
        )
    names = list(losses)
    unknown = [name for name in config.losses if name not in names]
    if unknown:
        raise ConfigError(
            f"choice_search.losses: no loss named {', '.join(map(repr, unknown))}; this run's losses are "
            f"{', '.join(names)} (a second loss of one kind is NAME_2)"
        )


def search_choices(run: Run) -> list[dict[str, Any]]:
    """Tries every option of each of ``run.generator``'s choices in turn and keeps the best of each.

    Returns (and appends to ``choices.json``) one record per choice: its options' scores, the option it
    had (the strongest) and the one kept; with ``views``, a choice scored on a close view also names the
    view's object and place.
    """
    config = run.plan.run.choice_search
    paired = paired_objects(run) if config.views else {}
    records = []
    for choice, options in run.generator.choices().items():
        had = run.generator.chosen(choice)
        score, view = _scorer(run, paired.get(choice))
        scores = []
        for option in options:
            run.generator.choose(choice, option)
            scores.append(score())
        kept = options[min(range(len(options)), key=scores.__getitem__)]
        run.generator.choose(choice, kept)
        records.append({"choice": choice, "had": had, "kept": kept, "scores": _named(options, scores), **view})
    _record(run, records)
    return records


def _scorer(run: Run, paired: Pairing | None) -> tuple[Callable[[], float], dict[str, Any]]:
    """How to score a choice's options (on a close view where it is paired with an object, else on the
    whole picture), and what to record of the view."""
    config = run.plan.run.choice_search
    if paired is None:
        return partial(_score, run, config.losses or None, config.draws), {}
    phrase = phrase_embeddings(run.perceptors, paired.object.phrase)
    view = partial(view_distance, place=paired.place, side=config.view_side, perceptors=run.perceptors, phrase=phrase)
    record = {"view": {"object": paired.object.phrase, "at": [round(v, 4) for v in paired.place]}}
    return partial(_mean_over_draws, run, 1, view), record  # one draw: a view has no random cutouts


def _score(run: Run, names: Sequence[str] | None, draws: int) -> float:
    """The weighted sum of the losses ``names`` (None: all) on the generator's picture now, averaged over
    ``draws`` seeded draws."""

    def losses(image: Tensor) -> float:
        return sum(float(term) for term in run.loss_terms(image, run.step, names).values())

    return _mean_over_draws(run, draws, losses)


@torch.no_grad()
def _mean_over_draws(run: Run, draws: int, measure: Callable[[Tensor], float]) -> float:
    """``measure`` of the generator's picture now, averaged over ``draws`` draws seeded from the run's seed and
    step; the random streams are put back afterwards."""
    saved = rng_states()
    try:
        total = 0.0
        for draw in range(draws):
            torch.manual_seed(run.plan.run.seed * DRAW_SEED + run.step * 101 + draw)
            with autocast_context(run.plan.run.autocast, run.info.device):
                image = run.generator()
            total += measure(image)
        return round(total / draws, 6) if math.isfinite(total) else math.inf  # a failing option is never kept
    finally:
        set_rng_states(saved)


def _named(options: Sequence[str], scores: Sequence[float]) -> dict[str, float | None]:
    """Each option's score, None for one that failed (JSON has no infinity)."""
    return {option: score if math.isfinite(score) else None for option, score in zip(options, scores, strict=True)}


def _record(run: Run, records: list[dict[str, Any]]) -> None:
    path = run.dir / CHOICES_FILE
    searches = json.loads(path.read_text()) if path.is_file() else []
    searches = [s for s in searches if s["step"] < run.step]  # a redone step (rolled back, resumed) replaces its own
    searches.append({"step": run.step, "choices": records})
    atomic_write(path, lambda handle: handle.write(json.dumps(searches, indent=2) + "\n"), mode="w")
