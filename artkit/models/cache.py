"""Downloading model files into a per-user cache: mirrors in turn, a progress bar, an atomic write,
and a sha256 check (the published hash, or the one recorded at first download, checked on every load).

The cache is ``$ARTKIT_CACHE`` or ``~/.cache/artkit``; recorded hashes live in its ``hashes.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from artkit.errors import ArtkitError, ModelUnavailableError
from artkit.files import atomic_open, atomic_write

CHUNK = 1 << 20
TIMEOUT_S = 30


def cache_dir() -> Path:
    """Where downloaded weights live."""
    return Path(os.environ.get("ARTKIT_CACHE", Path.home() / ".cache" / "artkit")).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _hashes_path() -> Path:
    return cache_dir() / "hashes.json"


def recorded_hashes() -> dict[str, str]:
    path = _hashes_path()
    return json.loads(path.read_text()) if path.is_file() else {}


def _record_hash(name: str, digest: str) -> None:
    hashes = {**recorded_hashes(), name: digest}
    atomic_write(_hashes_path(), lambda h: h.write(json.dumps(hashes, indent=1, sort_keys=True)), mode="w")


def verify(path: Path, expected: str | None) -> str:
    """Checks ``path`` against ``expected`` (or the hash recorded for its name, recording it the first
    time); returns the digest, raising a clear error on a mismatch."""
    digest = sha256_of(path)
    known = expected or recorded_hashes().get(path.name)
    if known is None:
        _record_hash(path.name, digest)
    elif digest != known:
        raise ArtkitError(
            f"{path}: sha256 {digest[:16]}... does not match the expected {known[:16]}...; the file is damaged or "
            f"not the published one. Delete it and download again (artkit models download)."
        )
    return digest


def fetch(name: str, filename: str, urls: Sequence[str], sha256: str | None = None, what: str = "weights") -> Path:
    """The cached file ``filename``, downloaded from the first address that works if missing, verified."""
    path = cache_dir() / filename
    if not path.is_file():
        errors = []
        for url in urls:
            try:
                _download(url, path, f"{name} {what}")
                break
            except OSError as exc:
                errors.append(f"{_host(url)}: {getattr(exc, 'reason', None) or exc}")
        else:
            raise ModelUnavailableError(
                f"{name}: cannot download the {what} (no network, or every mirror failed: {'; '.join(errors)}). "
                f"On a connected machine run `artkit models download {name}` and copy {path} here, "
                f"or give your own files with `config:` and `checkpoint:`, or use `model: toy` offline."
            )
    verify(path, sha256)
    return path


def _host(url: str) -> str:
    return url.split("/")[2] if "//" in url else url


def _download(url: str, path: Path, label: str) -> None:
    from tqdm.auto import tqdm

    request = urllib.request.Request(url, headers={"User-Agent": "artkit"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - https/http addresses from the zoo
        total = int(response.headers.get("Content-Length") or 0) or None
        with atomic_open(path, "wb") as out, tqdm(total=total, unit="B", unit_scale=True, desc=label) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
