"""Loads plugins (installed entry points and plain files) and fills a :class:`Registry` from them.

Built-in plugins are ordinary entry points in the ``artkit`` group, loaded exactly like third-party
ones. Two environment variables help debugging:

- ``ARTKIT_LOAD_PLUGINS=pixel,clip``: load only these entry points (empty: none);
- ``ARTKIT_TRACE_HOOKS=1``: print every hook call.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pluggy

from artkit import hookspecs
from artkit.errors import PluginError
from artkit.registry import KINDS, PLURALS, Registry

ENTRY_POINT_GROUP = "artkit"


@dataclass
class Plugins:
    """A plugin manager, the components its plugins registered and their preset directories."""

    pm: pluggy.PluginManager
    registry: Registry = field(default_factory=Registry)
    preset_dirs: list[Path] = field(default_factory=list)

    @property
    def hook(self) -> pluggy.HookRelay:
        return self.pm.hook


def load_plugins(files: Sequence[str | Path] = (), entry_points: bool = True) -> Plugins:
    """A fresh plugin manager with installed plugins and the plugin ``files`` loaded.

    Example:
        >>> plugins = load_plugins()
        >>> "pixel" in plugins.registry.names("generator")
        True
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    if os.environ.get("ARTKIT_TRACE_HOOKS"):
        pm.trace.root.setwriter(lambda msg: print(msg, end="", file=sys.stderr))
        pm.enable_tracing()
    if entry_points:
        _load_entry_points(pm, _allowed_entry_points())
    for path in files:
        load_plugin_file(pm, path)
    _check_pending(pm)
    return _collect(pm)


def _allowed_entry_points() -> set[str] | None:
    value = os.environ.get("ARTKIT_LOAD_PLUGINS")
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _load_entry_points(pm: pluggy.PluginManager, allowed: set[str] | None) -> None:
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if allowed is not None and ep.name not in allowed:
            continue
        if pm.get_plugin(ep.name) is not None:
            raise PluginError(f"Two installed packages declare the plugin '{ep.name}' ({ep.value}); uninstall one.")
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin must fail loudly, never go silently missing
            dist = ep.dist.name if ep.dist else "unknown package"
            raise PluginError(
                f"Plugin '{ep.name}' (from {dist}, {ep.value}) failed to import: {type(exc).__name__}: {exc}. "
                f"Fix or uninstall it, or leave it out with ARTKIT_LOAD_PLUGINS."
            ) from exc
        pm.register(module, name=ep.name)


def load_plugin_file(pm: pluggy.PluginManager, path: str | Path) -> ModuleType:
    """Imports a single-file plugin and registers it under its path. Importing runs its code."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise PluginError(f"Plugin file '{path}' does not exist: check the path given to --plugin or `plugins:`.")
    if pm.get_plugin(str(path)) is not None:
        return pm.get_plugin(str(path))
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    module_name = f"artkit_user_plugin_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"Plugin file '{path}' is not a Python module: give a .py file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise PluginError(f"Plugin file '{path}' failed to import: {type(exc).__name__}: {exc}") from exc
    pm.register(module, name=str(path))
    return module


def _check_pending(pm: pluggy.PluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"{exc} Hooks artkit knows: {', '.join(_hook_names())}.") from exc


def _hook_names() -> list[str]:
    return sorted(n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "artkit_spec"))


def _collect(pm: pluggy.PluginManager) -> Plugins:
    plugins = Plugins(pm)
    for kind in KINDS:
        for impl in _impls(pm, f"register_{PLURALS[kind]}"):
            impl.function(register=plugins.registry.registrar(kind, impl.plugin_name))
    for impl in _impls(pm, "register_presets"):
        impl.function(register=lambda path: plugins.preset_dirs.append(Path(path)))
    return plugins


def _impls(pm: pluggy.PluginManager, hook_name: str) -> Iterable[pluggy.HookImpl]:
    # registration order, so the first plugin to claim a name keeps it and the error names the second
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def plugin_names(plugins: Plugins) -> list[str]:
    """Every plugin registered with the manager: entry point names and plugin file paths."""
    return sorted(name for name, _ in plugins.pm.list_name_plugin())
