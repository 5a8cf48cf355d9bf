"""Finding, reading and merging presets: ``extends``, CLI overrides and ``--set a.b=value``.

Presets are data. They are read with ``yaml.safe_load`` (no Python objects), must be UTF-8 text of at
most 1 MB, and nothing in them is evaluated.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from artkit.errors import ConfigError, unknown_name

MAX_PRESET_BYTES = 1_000_000
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")
SUFFIXES = (".yaml", ".yml")


def available_presets(dirs: Iterable[Path]) -> dict[str, Path]:
    """Preset names and files from the registered directories; an earlier directory wins a name."""
    found: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.y*ml")):
            if path.suffix in SUFFIXES:
                found.setdefault(path.stem, path)
    return found


def find_preset(name_or_path: str, dirs: Iterable[Path], where: str = "") -> Path:
    """The file of a preset given by name (``quickstart``) or by path (``./mine.yaml``)."""
    path = Path(name_or_path).expanduser()
    if path.suffix in SUFFIXES or "/" in name_or_path or path.is_file():
        if not path.is_file():
            raise ConfigError(f"{where or 'preset'}: file '{name_or_path}' does not exist.")
        return path.resolve()
    presets = available_presets(dirs)
    if name_or_path not in presets:
        raise unknown_name("preset", name_or_path, presets, where)
    return presets[name_or_path]


def read_yaml(path: Path) -> dict[str, Any]:
    """A preset file's mapping, or a clear error for files that are too big, binary or malformed."""
    size = path.stat().st_size
    if size > MAX_PRESET_BYTES:
        raise ConfigError(
            f"{path}: preset is {size:,} bytes; the limit is {MAX_PRESET_BYTES:,}. Is this a preset file?"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}). Save the preset as UTF-8 YAML.") from None
    if "\x00" in text:
        raise ConfigError(f"{path}: contains NUL bytes; a preset must be YAML text, not a binary file.")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: a preset must be a mapping of keys (seed:, steps:, ...), not a {type(data).__name__}."
        )
    return data


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``: mappings merge key by key, everything else is replaced.

    A component that names a different plugin (``name``) replaces the base's whole mapping, since
    the base's options belong to another plugin.

    Example:
        >>> deep_merge({"a": {"x": 1, "y": 2}, "l": [1]}, {"a": {"y": 3}, "l": [2]})
        {'a': {'x': 1, 'y': 3}, 'l': [2]}
        >>> deep_merge({"g": {"name": "pixel", "pixel_size": 4}}, {"g": {"name": "fft"}})
        {'g': {'name': 'fft'}}
    """
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not _names_differ(merged[key], value):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _names_differ(base: dict[str, Any], override: dict[str, Any]) -> bool:
    return "name" in override and "name" in base and override["name"] != base["name"]


def load_preset(name_or_path: str, dirs: Sequence[Path]) -> dict[str, Any]:
    """A preset's data with its ``extends`` chain merged in and plugin paths made absolute."""
    return _load(find_preset(name_or_path, dirs), dirs, chain=())


def _load(path: Path, dirs: Sequence[Path], chain: tuple[Path, ...]) -> dict[str, Any]:
    if path in chain:
        cycle = " -> ".join(p.stem for p in (*chain, path))
        raise ConfigError(f"{chain[0]}: `extends` loops back on itself ({cycle}). Remove one `extends`.")
    data = read_yaml(path)
    _absolute_plugins(data, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ConfigError(f"{path}: extends: must be a preset name or file. Got {parent!r}.")
    parent_path = _parent_path(parent, path, dirs)
    return deep_merge(_load(parent_path, dirs, (*chain, path)), data)


def _parent_path(parent: str, child: Path, dirs: Sequence[Path]) -> Path:
    sibling = child.parent / parent
    if sibling.suffix in SUFFIXES and sibling.is_file():
        return sibling.resolve()
    return find_preset(parent, dirs, where=f"{child}: extends")


def _absolute_plugins(data: dict[str, Any], path: Path) -> None:
    plugins = data.get("plugins")
    if isinstance(plugins, list):
        data["plugins"] = [str((path.parent / p).resolve()) if isinstance(p, str) else p for p in plugins]


def apply_set(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Applies one ``--set key.path=value`` (value read as YAML) and returns the data.

    Setting a component's ``name`` to another plugin drops the old plugin's options.

    Example:
        >>> apply_set({"losses": [{"name": "clip"}]}, "losses.0.weight=2")
        {'losses': [{'name': 'clip', 'weight': 2}]}
        >>> apply_set({"generator": {"name": "pixel", "pixel_size": 4}}, "generator.name=fft")
        {'generator': {'name': 'fft'}}
    """
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, like --set optimizer.lr=0.1")
    try:  # "#ff8800" on a command line is a hex colour, not a YAML comment
        value = raw.strip() if raw.lstrip().startswith("#") else yaml.safe_load(raw)
    except yaml.YAMLError:
        raise ConfigError(f"--set {assignment!r}: the value is not valid YAML; quote it.") from None
    if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
        value = float(value)  # YAML 1.1 reads 1e-3 as text; on a command line it is a number
    parts = key.strip().replace("[", ".").replace("]", "").split(".")
    _assign(data, parts, value, assignment)
    return data


def _assign(node: Any, parts: list[str], value: Any, assignment: str) -> None:
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"--set {assignment!r}: '{part}' is not an index of a list of {len(node)} items.")
            part = int(part)
        elif isinstance(node, dict):
            if not last and not isinstance(node.get(part), (dict, list)):
                node[part] = {}
        else:
            raise ConfigError(f"--set {assignment!r}: '{'.'.join(parts[:i])}' is not a mapping or list.")
        if last and part == "name" and isinstance(node, dict) and _names_differ(node, {"name": value}):
            node.clear()
            node[part] = value
        elif last:
            node[part] = value
        else:
            node = node[part]
