"""Writing files so that a crash never leaves half of one: write a temporary file, then rename."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from artkit.errors import ArtkitError


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """Opens a temporary file beside ``path``; on success it replaces ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, write: Callable[[IO], None], mode: str = "wb") -> None:
    """Calls ``write(handle)`` on a temporary file, then moves it to ``path``."""
    with atomic_open(path, mode) as handle:
        write(handle)


def slugify(text: str, limit: int = 48) -> str:
    """A file-name-safe form of ``text``.

    Example:
        >>> slugify("A red circle, on the LEFT!")
        'a-red-circle-on-the-left'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "run"


def new_run_dir(root: Path, label: str) -> Path:
    """Creates a new, empty run directory under ``root``; never reuses an existing one."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{slugify(label)}"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArtkitError(
            f"--out {root}: cannot create the output directory ({exc.strerror}). Pick a writable path."
        ) from None
    for n in range(1, 1000):
        path = root / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise ArtkitError(
                f"--out {root}: cannot write there ({exc.strerror}). Pick a writable directory."
            ) from None
        return path
    raise ArtkitError(f"--out {root}: too many runs named {base}; pick another --out.")
