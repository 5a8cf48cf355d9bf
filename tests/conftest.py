"""Shared fixtures. Nothing here touches the network: the hub is set offline for every test."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def tiny_preset(**changes: Any) -> dict[str, Any]:
    """A complete preset that runs in well under a second: 32x32, random-initialised toyclip."""
    preset: dict[str, Any] = {
        "seed": 0,
        "size": [32, 32],
        "steps": 3,
        "device": "cpu",
        "prompts": ["a red circle"],
        "generator": {"name": "pixel"},
        "perceptors": [{"name": "openclip", "model": "toyclip", "pretrained": None}],
        "augmentations": [{"name": "cutouts", "cutn": 4}],
        "losses": [{"name": "clip"}, {"name": "smoothness", "weight": 0.1}],
        "outputs": [{"name": "metrics"}],
    }
    preset.update(changes)
    return preset


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def preset_file(tmp_path: Path):
    """Writes a preset mapping to a YAML file and returns its path."""
    import yaml

    def write(data: dict[str, Any], name: str = "preset.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data))
        return path

    return write
