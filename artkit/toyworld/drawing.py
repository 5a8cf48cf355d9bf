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
import multiprocessing.connection
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from artkit.errors import ArtkitError
from artkit.toyworld.prompts import ToyPrompt

if TYPE_CHECKING:
    from artkit.api import RunResult

MAX_WORKERS = 4  # toy-world runs hold about 0.5 GB each
STOP_GRACE_SECONDS = 5.0  # how long a stopped worker has to save its run before it is killed


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
        try:
            yield from (future.result() for future in futures)
        except BrokenProcessPool as exc:
            stop_workers(pool)
            raise ArtkitError(
                f"a worker process died while drawing ({exc}); out of memory? Run with fewer workers."
            ) from exc
        except BaseException:  # an error, Ctrl-C, or the caller closing the generator early
            if not all(future.done() for future in futures):
                stop_workers(pool)
            raise


def stop_workers(pool: ProcessPoolExecutor, grace: float = STOP_GRACE_SECONDS) -> None:
    """Cancels ``pool``'s runs not yet handed to a worker and stops its workers: SIGTERM, which a run answers
    by saving and stopping after its step, then, for a worker still alive after ``grace`` seconds, SIGKILL.
    Returns once the pool has reaped them.

    Without it, leaving a ``with ProcessPoolExecutor`` block waits for every run already submitted. Python
    3.11 has no public handle on a pool's processes (3.14 adds ``terminate_workers``), hence the private names.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    reaper = getattr(pool, "_executor_manager_thread", None)  # joins the workers; joining them here too races it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    alive = {process.sentinel: process for process in processes}
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        for sentinel in multiprocessing.connection.wait(list(alive), deadline - time.monotonic()):
            del alive[sentinel]
    for process in alive.values():
        process.kill()
    if reaper is not None:
        reaper.join(grace)


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
