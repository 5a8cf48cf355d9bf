"""From a preset name plus overrides to a validated plan: every component found and its options checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from artkit.components import ComponentConfig
from artkit.errors import ArtkitError, ConfigError
from artkit.plugin_manager import Plugins, load_plugins
from artkit.presets import apply_set, load_preset
from artkit.registry import Entry
from artkit.schema import RunConfig
from artkit.validation import config_error

COMPONENT_LISTS = {"perceptors": "perceptor", "losses": "loss", "augmentations": "augmentation", "outputs": "output"}


@dataclass
class ComponentPlan:
    """A component to build: its registry entry and its validated options."""

    entry: Entry
    config: ComponentConfig
    where: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.entry.name, **self.config.model_dump(mode="json")}

    def build(self, info: Any) -> Any:
        """Instantiates the component; its errors are prefixed with where it sits in the preset."""
        try:
            return self.entry.component(self.config, info)
        except ArtkitError as exc:
            message = str(exc)
            if not message.startswith(self.where):
                raise type(exc)(f"{self.where}: {message}") from exc.__cause__
            raise


@dataclass
class Plan:
    """A resolved run: the top-level settings and each component with its options."""

    run: RunConfig
    generator: ComponentPlan
    lists: dict[str, list[ComponentPlan]] = field(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """The full configuration, defaults included: written as ``config.yaml``, runnable again."""
        data = self.run.model_dump(mode="json", exclude_none=True)
        data["prompts"] = [p.model_dump(mode="json", exclude_defaults=True) for p in self.run.prompts]
        data["size"] = list(self.run.size)
        data["generator"] = self.generator.as_dict()
        for key, plans in self.lists.items():
            data[key] = [p.as_dict() for p in plans]
        return data


@dataclass
class Overrides:
    """What the command line (or ``artkit.run``) changes on top of a preset."""

    prompts: Sequence[Any] | None = None
    seed: int | None = None
    steps: int | None = None
    size: Any = None
    sets: Sequence[str] = ()
    plugin_files: Sequence[str | Path] = ()
    allow_preset_plugins: bool = True

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        for key in ("prompts", "seed", "steps", "size"):
            value = getattr(self, key)
            if value is not None:
                data[key] = list(value) if key == "prompts" else value
        for assignment in self.sets:
            apply_set(data, assignment)
        return data


def prepare(preset: str | dict[str, Any], overrides: Overrides | None = None) -> tuple[Plan, Plugins]:
    """Loads plugins and the preset, applies overrides, and validates everything.

    ``preset`` is a preset name, a YAML file, or an already-loaded mapping.
    """
    overrides = overrides or Overrides()
    plugins = load_plugins(overrides.plugin_files)
    data = dict(preset) if isinstance(preset, dict) else load_preset(preset, plugins.preset_dirs)
    data = overrides.apply(data)
    preset_plugins = _preset_plugins(data, overrides)
    if preset_plugins:
        plugins = load_plugins([*overrides.plugin_files, *preset_plugins])
    source = preset if isinstance(preset, str) else ""
    try:
        run = RunConfig.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, source=source) from None
    return _plan(run, plugins, source), plugins


def _preset_plugins(data: dict[str, Any], overrides: Overrides) -> list[str]:
    files = data.get("plugins") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError("plugins: must be a list of plugin file paths, like [./my_plugin.py].")
    if files and not overrides.allow_preset_plugins:
        raise ConfigError(
            f"plugins: this preset loads plugin code ({', '.join(files)}) and --no-plugins was given. "
            "Read the files, then run without --no-plugins if you trust them."
        )
    return files


def _plan(run: RunConfig, plugins: Plugins, source: str) -> Plan:
    generator = _component(plugins, "generator", run.generator, "generator", source)
    lists = {
        key: [_component(plugins, kind, spec, f"{key}[{i}]", source) for i, spec in enumerate(getattr(run, key))]
        for key, kind in COMPONENT_LISTS.items()
    }
    if not lists["losses"]:
        raise ConfigError("losses: a run needs at least one loss, like [{name: clip}].")
    return Plan(run, generator, lists)


def _component(plugins: Plugins, kind: str, spec: dict[str, Any], where: str, source: str) -> ComponentPlan:
    name = spec.get("name")
    if not isinstance(name, str):
        raise ConfigError(f"{where}.name: missing; every {kind} entry needs a `name`, like {{name: ...}}.")
    entry = plugins.registry.get(kind, name, where=f"{where}.name")
    options = {k: v for k, v in spec.items() if k != "name"}
    try:
        config = entry.component.Config.model_validate(options)
    except ValidationError as exc:
        raise config_error(exc, prefix=where, source=source) from None
    return ComponentPlan(entry, config, where)
