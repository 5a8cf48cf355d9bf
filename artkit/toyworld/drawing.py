"""Draw many toy-world pictures at once: runs side by side in worker processes, one thread each.

A toy-world run's tensors are too small to keep two CPU threads busy (the quick start: 12.2 s on one
thread, 11.5 s on two, on 2 cores), so runs side by side with a thread each draw more pictures in the
same time: on 2 cores, 1.25 to 1.45 times as many (measured on the end-to-end tests and on ``artkit
eval``). With one thread a picture does not depend on the machine's core count either (CPU kernels
split their sums by thread).

Example:
    >>> from artkit.toyworld.prompts import single
    >>> drawn = draw_all([Request("quickstart", single("red", "circle", "left"))], "runs")  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from artkit.toyworld.prompts import ToyPrompt

if TYPE_CHECKING:
    from artkit.api import RunResult

MAX_WORKERS = 4  # toy-world runs hold about 0.5 GB each


@dataclass(frozen=True)
class Request:
    """One run to draw: ``preset`` on ``prompt`` (negatives included); ``steps`` and ``seed`` override the preset's."""

    preset: str
    prompt: ToyPrompt
    steps: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Drawn:
    """A drawn request: the run's result and its wall time in seconds."""

    request: Request
    result: RunResult
    seconds: float


def draw_all(requests: Sequence[Request], out: str | Path, workers: int | None = None) -> dict[Request, RunResult]:
    """Runs each request once, in ``workers`` processes (default: one per core, at most 4).

    Requests are started in the order given: put the longest first. The pictures are those of
    :func:`draw`, whatever the number of workers.
    """
    unique = list(dict.fromkeys(requests))
    return {drawn.request: drawn.result for drawn in draw_each(unique, out, workers)}


def draw_each(
    requests: Sequence[Request],
    out: str | Path,
    workers: int | None = None,
    plugins: Sequence[str] = (),
    threads: int | None = 1,
) -> Iterator[Drawn]:
    """Draws each request and yields them in the order given, each as soon as it and those before it are
    done. ``plugins`` are plugin files every run loads; ``threads`` is torch's thread count in each run
    (``None``: leave it; only without workers)."""
    workers = min(workers or default_workers(), len(requests))
    if workers <= 1:
        yield from (draw(request, out, plugins, threads) for request in requests)
        return
    if threads is None:
        raise ValueError("runs side by side need a thread count each (threads=1)")
    context = multiprocessing.get_context("spawn")  # no forked torch thread pools
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(draw, request, out, tuple(plugins), threads) for request in requests]
        yield from (future.result() for future in futures)


def draw(request: Request, out: str | Path, plugins: Sequence[str] = (), threads: int | None = 1) -> Drawn:
    """One run of ``request`` on ``threads`` torch threads (``None``: as they are), without a progress bar."""
    import artkit

    with torch_threads(threads):
        start = time.perf_counter()
        result = artkit.run(
            request.preset, prompts=request.prompt.prompts, steps=request.steps, seed=request.seed,
            plugins=plugins, out=out, progress=False,
        )  # fmt: skip
        return Drawn(request, result, time.perf_counter() - start)


def default_workers() -> int:
    """One worker per core, at most :data:`MAX_WORKERS`."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """torch on ``count`` threads for the duration (``None``: unchanged); the previous count is restored after."""
    import torch

    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
