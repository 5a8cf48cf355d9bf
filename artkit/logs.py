"""Quieting libraries that log on the root logger (open_clip's "initialized randomly", download failures)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_root_logger(level: int = logging.CRITICAL) -> Iterator[None]:
    """Raises the root logger's level for the duration; artkit reports such failures itself."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(level)
    try:
        yield
    finally:
        root.setLevel(previous)
