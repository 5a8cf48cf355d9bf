"""Errors a user can fix. The CLI prints them as a short message and exits non-zero, no traceback."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ArtkitError(Exception):
    """An error in the user's input or environment, with a message that says how to fix it."""

    exit_code = 2


class ConfigError(ArtkitError):
    """A preset, override or option that does not validate."""


class PluginError(ArtkitError):
    """A plugin that cannot be loaded, or two plugins that claim one name."""


class UnknownNameError(ConfigError):
    """A component, preset or model name that nothing registered."""


class ModelUnavailableError(ArtkitError):
    """Weights that are not on disk and cannot be downloaded (offline, dead link)."""


class RunInterrupted(ArtkitError):
    """The user stopped a run (Ctrl-C / SIGTERM); its outputs were kept."""

    exit_code = 130


def suggest(name: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for ``name`` among ``choices``, or an empty string.

    Example:
        >>> suggest("pixle", ["pixel", "vqgan"])
        " Did you mean 'pixel'?"
    """
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def unknown_name(kind: str, name: str, choices: Iterable[str], where: str = "") -> UnknownNameError:
    """Builds the error for a name nobody registered, listing the valid ones and the nearest."""
    choices = sorted(choices)
    prefix = f"{where}: " if where else ""
    valid = ", ".join(choices) if choices else "(none registered)"
    return UnknownNameError(f"{prefix}unknown {kind} '{name}'.{suggest(name, choices)} Valid {kind}s: {valid}.")
