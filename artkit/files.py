"""Writing files so that a crash never leaves half of one: write a temporary file, then rename."""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from artkit.errors import ArtkitError

#: Below this much free space a run does not start: its first snapshots would not fit.
MIN_FREE_BYTES = 64 * 2**20


class WriteError(ArtkitError):
    """A file could not be written (disk full, read-only, no permission)."""

    exit_code = 1

    def __init__(self, path: Path, exc: OSError) -> None:
        hint = "Free some disk space" if exc.errno == errno.ENOSPC else "Check the permissions"
        super().__init__(f"cannot write {path} ({exc.strerror or exc}). {hint}, or choose another --out.")


def check_free_space(directory: Path, needed: int = MIN_FREE_BYTES) -> None:
    """Refuses to start a run in ``directory`` when the disk has less than ``needed`` bytes free."""
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise ArtkitError(
            f"--out {directory}: only {free // 2**20} MiB free on that disk; a run needs at least "
            f"{needed // 2**20} MiB. Free some space or choose another --out."
        )


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """Opens a temporary file beside ``path``; on success it replaces ``path`` in one step.

    A write that fails (disk full, no permission) raises :class:`WriteError`, which names the file;
    the previous version of ``path``, if any, is left as it was.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(path, exc) from None
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(path, exc) from None
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
        _probe_writable(path, root)
        check_free_space(path)
        return path
    raise ArtkitError(f"--out {root}: too many runs named {base}; pick another --out.")


def _probe_writable(path: Path, root: Path) -> None:
    """Writes and removes a small file, so a read-only directory is reported before the first step."""
    probe = path / ".write-test"
    try:
        probe.write_bytes(b"artkit")
        probe.unlink()
    except OSError as exc:
        raise ArtkitError(
            f"--out {root}: cannot write files there ({exc.strerror}). Pick a writable directory."
        ) from None
