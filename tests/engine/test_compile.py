"""``compile``: torch.compile the generator and the perceptors' image encoders; same picture, same files."""

import pytest
import torch
import yaml
from conftest import tiny_preset

import artkit
from artkit.errors import ConfigError
from artkit.resolve import Overrides, prepare


def test_a_compiled_run_draws_the_picture_of_an_eager_one(tmp_path):
    eager = artkit.run(tiny_preset(), out=tmp_path / "eager", progress=False)
    compiled = artkit.run(tiny_preset(compile=True), out=tmp_path / "compiled", progress=False)
    torch.testing.assert_close(compiled.tensor, eager.tensor, rtol=0, atol=2e-3)
    assert not torch.equal(compiled.tensor, artkit.run(tiny_preset(steps=1), out=tmp_path / "x", progress=False).tensor)
    assert yaml.safe_load((compiled.run_dir / "config.yaml").read_text())["compile"] == "default"


def test_compile_without_a_cpp_compiler_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ConfigError, match="compile: needs a C\\+\\+ compiler"):
        artkit.run(tiny_preset(compile=True), out=tmp_path, progress=False)
    assert not any(tmp_path.iterdir())  # no half-made run directory


def test_compile_takes_a_mode_or_a_switch():
    plan, _ = prepare(tiny_preset(compile="reduce-overhead"), Overrides())
    assert plan.run.compile == "reduce-overhead"
    plan, _ = prepare(tiny_preset(compile=False), Overrides())
    assert plan.run.compile == "none"
    with pytest.raises(ConfigError, match="compile"):
        prepare(tiny_preset(compile="fast"), Overrides())
