"""Draw many toy-world pictures at once: runs side by side in worker processes, one thread each.

A toy-world run's tensors are too small to keep two CPU threads busy (the quick start: 12.2 s on one
thread, 11.5 s on two, on 2 cores), so two runs side by side with a thread each draw nearly twice as
many pictures in the same time. With one thread a picture does not depend on the machine's core count
either (CPU kernels split their sums by thread).

Example:
    >>> from artkit.toyworld.prompts import single
    >>> drawn = draw_all([("quickstart", single("red", "circle", "left"))], "runs")  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from artkit.api import RunResult
from artkit.toyworld.prompts import ToyPrompt

Request = tuple[str, ToyPrompt]  # (preset, prompt)
MAX_WORKERS = 4  # toy-world runs hold about 0.5 GB each


def draw_all(requests: Sequence[Request], out: str | Path, workers: int | None = None) -> dict[Request, RunResult]:
    """Runs each (preset, prompt) once, in ``workers`` processes (default: one per core, at most 4).

    Requests are started in the order given: put the longest first. The pictures are those of
    :func:`draw`, whatever the number of workers.
    """
    unique = list(dict.fromkeys(requests))
    workers = min(workers or default_workers(), len(unique))
    if workers <= 1:
        return {request: draw(*request, out) for request in unique}
    context = multiprocessing.get_context("spawn")  # no forked torch thread pools
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {request: pool.submit(draw, *request, out) for request in unique}
        return {request: future.result() for request, future in futures.items()}


def draw(preset: str, prompt: ToyPrompt, out: str | Path) -> RunResult:
    """One run of ``preset`` on ``prompt``'s prompts (negatives included), on one thread, without a progress bar."""
    import artkit

    with one_thread():
        return artkit.run(preset, prompts=prompt.prompts, out=out, progress=False)


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread for the duration; the previous count is restored after."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
