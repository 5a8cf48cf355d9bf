"""Turns pydantic's validation errors into one line per field, named by its path in the preset."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from artkit.errors import ConfigError


def field_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """``("losses", 1, "weight")`` -> ``losses[1].weight``.

    Example:
        >>> field_path(("losses", 1, "weight"))
        'losses[1].weight'
    """
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(preset)"


def _describe(error: dict, prefix: str) -> str:
    loc = [p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling; `artkit plugins` and docs/presets.md list the valid ones)"
    elif error["type"] not in ("missing", "value_error"):
        message += f" (got {error['input']!r})"
    return f"  {field_path(loc, prefix)}: {message}"


def config_error(exc: ValidationError, prefix: str = "", source: str = "") -> ConfigError:
    """A :class:`ConfigError` listing each invalid field, one per line."""
    head = f"Invalid preset{f' {source}' if source else ''}:"
    lines = [_describe(e, prefix) for e in exc.errors()]
    return ConfigError("\n".join([head, *dict.fromkeys(lines)]))
