"""Registers the presets shipped with artkit (the ``artkit_presets`` package)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import artkit


@artkit.hookimpl
def register_presets(register):
    register(Path(str(files("artkit_presets"))))
