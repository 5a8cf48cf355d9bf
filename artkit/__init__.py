"""artkit: text-guided generative art by optimisation, built from plugins.

``import artkit`` stays light: torch and the component classes load on first use.

Example:
    >>> import artkit
    >>> artkit.hookimpl  # doctest: +ELLIPSIS
    <pluggy...HookimplMarker object at ...>
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from artkit.errors import ArtkitError, ConfigError, PluginError
from artkit.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "Generator": "artkit.components",
    "Loss": "artkit.components",
    "Augmentation": "artkit.components",
    "Perceptor": "artkit.components",
    "Output": "artkit.components",
    "ComponentConfig": "artkit.components",
    "RunInfo": "artkit.components",
    "StepContext": "artkit.context",
    "Prompt": "artkit.prompts",
    "run": "artkit.api",
    "RunResult": "artkit.api",
    "resume": "artkit.resuming",  # not artkit.resume: importing that module would hide the function
}

__all__ = ["ArtkitError", "ConfigError", "PluginError", "hookimpl", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'artkit' has no attribute {name!r}")
