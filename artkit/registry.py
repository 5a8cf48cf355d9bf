"""Names of components, and the plugin that registered each.

The core owns naming: a plugin registers ``(name, class, aliases)`` and the registry refuses a name
(or alias) that another plugin already took, naming both plugins, rather than overwriting it silently.
In place of the class a plugin may give a ``"module:Class"`` reference, imported when first used.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from artkit.errors import PluginError, unknown_name

KINDS: tuple[str, ...] = ("generator", "loss", "augmentation", "perceptor", "output")
PLURALS: dict[str, str] = {
    "generator": "generators",
    "loss": "losses",
    "augmentation": "augmentations",
    "perceptor": "perceptors",
    "output": "outputs",
}


@dataclass(frozen=True)
class Entry:
    """One registered component: its class, or a ``"module:Class"`` reference imported on first use."""

    kind: str
    name: str
    target: type | str
    plugin: str
    aliases: tuple[str, ...] = ()

    @property
    def component(self) -> type:
        """The component class; a ``"module:Class"`` reference is imported on first use."""
        return _import_reference(self) if isinstance(self.target, str) else self.target

    @property
    def description(self) -> str:
        doc = (self.component.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


@dataclass
class Registry:
    """Components by kind and name.

    Example:
        >>> reg = Registry()
        >>> reg.add("loss", "tv", object, plugin="mine")
        >>> reg.get("loss", "tv").plugin
        'mine'
    """

    _entries: dict[str, dict[str, Entry]] = field(default_factory=lambda: {k: {} for k in KINDS})
    _aliases: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})

    def add(self, kind: str, name: str, component: type | str, plugin: str, aliases: tuple[str, ...] = ()) -> None:
        if not isinstance(name, str) or not name:
            raise PluginError(
                f"Plugin '{plugin}' registered a {kind} with an invalid name {name!r}: use a non-empty string."
            )
        if isinstance(component, str):
            _check_reference(component, kind, name, plugin)
        entry = Entry(kind, name, component, plugin, tuple(aliases))
        for key in (name, *entry.aliases):
            self._claim(kind, key, entry)
        self._entries[kind][name] = entry

    def _claim(self, kind: str, key: str, entry: Entry) -> None:
        owner = self._owner(kind, key)
        if owner is not None:
            raise PluginError(
                f"Duplicate {kind} name '{key}': registered by plugin '{owner.plugin}' and by plugin "
                f"'{entry.plugin}'. Rename one of them or drop one plugin (ARTKIT_LOAD_PLUGINS)."
            )
        self._aliases[kind][key] = entry.name

    def _owner(self, kind: str, key: str) -> Entry | None:
        name = self._aliases[kind].get(key)
        return self._entries[kind].get(name) if name is not None else None

    def get(self, kind: str, name: str, where: str = "") -> Entry:
        """The entry called ``name`` (or an alias); an error listing valid names if there is none."""
        entry = self._owner(kind, name)
        if entry is None:
            raise unknown_name(kind, name, self._aliases[kind], where)
        return entry

    def names(self, kind: str) -> list[str]:
        return sorted(self._entries[kind])

    def list(self, kind: str | None = None, filter: str | None = None) -> Iterator[Entry]:
        """Entries of one kind (or all), sorted, optionally filtered by a glob on the name."""
        for k in KINDS if kind is None else (kind,):
            for name in self.names(k):
                if filter is None or fnmatch.fnmatch(name, filter):
                    yield self._entries[k][name]

    def registrar(self, kind: str, plugin: str) -> Any:
        """The ``register`` callback handed to a plugin's ``register_*`` hook."""

        def register(name: str, component: type | str, aliases: tuple[str, ...] | list[str] = ()) -> None:
            self.add(kind, name, component, plugin, tuple(aliases))

        return register


def _check_reference(reference: str, kind: str, name: str, plugin: str) -> None:
    module, _, attribute = reference.partition(":")
    if not module or not attribute:
        raise PluginError(
            f"Plugin '{plugin}' registered {kind} '{name}' as {reference!r}: a lazy component is named "
            f"'package.module:ClassName'."
        )


def _import_reference(entry: Entry) -> type:
    reference = str(entry.target)
    module, _, attribute = reference.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except Exception as exc:  # a broken plugin must fail loudly, naming itself
        raise PluginError(
            f"Plugin '{entry.plugin}' registered {entry.kind} '{entry.name}' as '{reference}', which failed to "
            f"import: {type(exc).__name__}: {exc}. Fix or uninstall the plugin."
        ) from exc
