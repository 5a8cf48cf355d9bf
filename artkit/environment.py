"""What a run ran on: versions, device and threads, kept in ``environment.json`` beside ``config.yaml``.

The same seed and config give the same image only with the same torch, device and thread count. Each
session of a run (the first, then every resume) appends its record, and a resume on a different setup
warns that the rest of the run will not match an uninterrupted one.

Example:
    >>> import torch
    >>> sorted(current(torch.device("cpu")))
    ['artkit', 'device', 'from_step', 'platform', 'python', 'threads', 'torch']
"""

from __future__ import annotations

import json
import logging
import platform
from pathlib import Path
from typing import Any

import torch

from artkit.files import atomic_write

ENVIRONMENT_FILE = "environment.json"
# What changes the pictures: a resume that changes one of these does not continue the same image.
PICTURE_KEYS = ("artkit", "torch", "device", "threads")

log = logging.getLogger("artkit")


def current(device: torch.device, step: int = 0) -> dict[str, Any]:
    """This process's setup, for a session that starts at ``step``."""
    from artkit import __version__

    return {
        "from_step": step,
        "artkit": __version__,
        "torch": torch.__version__,
        "device": device_name(device),
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def device_name(device: torch.device) -> str:
    """``cpu``, or the accelerator with its model: ``cuda:0 (NVIDIA H200)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return str(device)


def record(run_dir: Path, device: torch.device, step: int) -> list[str]:
    """Appends this session to ``run_dir/environment.json``; returns how it differs from the last one.

    A fresh run (``step`` 0) starts the file anew; a resume keeps the earlier sessions.
    """
    path = run_dir / ENVIRONMENT_FILE
    sessions = _read(path) if step > 0 else []
    now = current(device, step)
    changes = differences(sessions[-1], now) if sessions else []
    if changes:
        log.warning(
            "Resumed on a different setup (%s); from step %d the picture will differ from an uninterrupted run's. %s",
            "; ".join(changes),
            step,
            _same_setup_hint(sessions[-1], now),
        )
    text = json.dumps({"sessions": [*sessions, now]}, indent=2) + "\n"
    atomic_write(path, lambda handle: handle.write(text), mode="w")
    return changes


def _same_setup_hint(before: dict[str, Any], after: dict[str, Any]) -> str:
    """How to resume on the recorded setup: the thread count can be set, the rest needs the first machine."""
    if _changed_keys(before, after) == ["threads"]:
        return f"For the same image, resume with OMP_NUM_THREADS={before['threads']}."
    return "For the same image, resume where the run started."


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """``["threads 2 -> 8"]``: the picture-changing keys that differ."""
    return [f"{key} {before.get(key)} -> {after[key]}" for key in _changed_keys(before, after)]


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [key for key in PICTURE_KEYS if before.get(key) != after[key]]


def _read(path: Path) -> list[dict[str, Any]]:
    """The recorded sessions; none from a missing or unreadable file (runs before this file existed)."""
    try:
        sessions = json.loads(path.read_text())["sessions"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [s for s in sessions if isinstance(s, dict)] if isinstance(sessions, list) else []
