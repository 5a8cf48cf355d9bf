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


@pytest.fixture(autouse=True)
def keep_torch_threads():
    """Training scripts set torch's thread count; restore it so later tests draw the same pictures
    (CPU reductions, hence optimised images, depend on the number of threads)."""
    import torch

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


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


# Plugins the engine tests load from files, as a user would.
SIGNAL_AT_STEP = """
import os, signal
import artkit

STOP_AT = {stop_at}
SIGNALS = {signals}

@artkit.hookimpl
def step_finished(run, step):
    if step == STOP_AT:
        for _ in range(SIGNALS):
            os.kill(os.getpid(), signal.{name})
"""

FAULTY_LOSS = """
import torch
import artkit

class Faulty(artkit.Loss):
    '''A loss that turns NaN on chosen calls (counted from 1), to test fault handling.'''

    class Config(artkit.Loss.Config):
        nan_on_calls: list[int] = []
        nan_from_call: int = 0

    def __init__(self, config, info):
        super().__init__(config, info)
        self.calls = 0

    def forward(self, ctx):
        self.calls += 1
        cfg = self.config
        bad = self.calls in cfg.nan_on_calls or (cfg.nan_from_call and self.calls >= cfg.nan_from_call)
        scale = float("nan") if bad else 0.0  # NaN reaches the gradients, hence the parameters
        return ctx.image.mean() * scale

@artkit.hookimpl
def register_losses(register):
    register("faulty", Faulty)
"""


@pytest.fixture
def signal_plugin(tmp_path):
    """A plugin file that sends itself ``signals`` signals (SIGINT by default) after step ``stop_at``."""

    def write(stop_at: int, signals: int = 1, name: str = "SIGINT") -> str:
        path = tmp_path / f"signaller_{stop_at}_{signals}_{name}.py"
        path.write_text(SIGNAL_AT_STEP.format(stop_at=stop_at, signals=signals, name=name))
        return str(path)

    return write


SLOW_STEPS_WITH_HEARTBEAT = """
import time
import artkit

@artkit.hookimpl
def step_finished(run, step):
    with open(run.dir / "heartbeat", "a") as beats:
        beats.write(f"{step}\\n")
    time.sleep(0.2)
"""


@pytest.fixture
def heartbeat_plugin(tmp_path) -> str:
    """A plugin file that makes every step last 0.2 s and adds a line to ``heartbeat`` in the run's folder."""
    path = tmp_path / "heartbeat.py"
    path.write_text(SLOW_STEPS_WITH_HEARTBEAT)
    return str(path)


def heartbeats(root: Path) -> int:
    """How many steps the runs under ``root`` have finished so far, by their heartbeat files."""
    return sum(len(p.read_text().splitlines()) for p in root.rglob("heartbeat"))


@pytest.fixture
def faulty_plugin(tmp_path) -> str:
    """A plugin file providing the ``faulty`` loss."""
    path = tmp_path / "faulty.py"
    path.write_text(FAULTY_LOSS)
    return str(path)
