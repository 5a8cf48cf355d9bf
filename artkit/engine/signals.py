"""Stopping a run by signal: the first Ctrl-C (or SIGTERM) stops after the current step and keeps
everything; a second one stops at once."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("artkit")


class ImmediateStop(KeyboardInterrupt):
    """A second Ctrl-C: leave now. Files already written stay whole (every write is atomic)."""


class StopRequest:
    """Set by the first Ctrl-C / SIGTERM; the loop checks it between steps."""

    def __init__(self) -> None:
        self.requested = False

    def handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise ImmediateStop
        self.requested = True
        log.warning("Stopping after this step and saving (press Ctrl-C again to quit at once).")


@contextmanager
def _handling(signals: tuple[signal.Signals, ...], handler: Callable[[int, Any], None]) -> Iterator[None]:
    """``handler`` answers ``signals`` while the block runs, and the previous handlers after it (main thread
    only; elsewhere signals are left alone)."""
    try:
        previous = {sig: signal.signal(sig, handler) for sig in signals}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


@contextmanager
def graceful_stop() -> Iterator[StopRequest]:
    """Installs the two-stage handler for SIGINT and SIGTERM while the block runs (main thread only;
    elsewhere signals are left alone and a plain ``KeyboardInterrupt`` still stops the run)."""
    request = StopRequest()
    with _handling((signal.SIGINT, signal.SIGTERM), request.handle):
        yield request


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``KeyboardInterrupt`` in the main thread as Ctrl-C does, so
    that the block's clean-up runs (by default ``kill PID`` ends the process on the spot, leaving any
    worker processes it started to run on). Elsewhere than the main thread, signals are left alone.

    Example:
        >>> with terminate_as_interrupt():
        ...     pass
    """
    with _handling((signal.SIGTERM,), _interrupt):
        yield
