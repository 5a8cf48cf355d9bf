"""Writing files: atomic, and a full or read-only disk is reported clearly and early."""

import errno
import os
from collections import namedtuple

import pytest
from conftest import tiny_preset

import artkit
from artkit import files
from artkit.files import WriteError, atomic_write

Usage = namedtuple("Usage", "total used free")


def test_atomic_write_replaces_in_one_step(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write(path, lambda h: h.write("one"), mode="w")
    atomic_write(path, lambda h: h.write("two"), mode="w")
    assert path.read_text() == "two" and os.listdir(tmp_path) == ["a.txt"]


def test_a_failed_write_keeps_the_old_file_and_names_the_new_one(tmp_path, monkeypatch):
    path = tmp_path / "final.png"
    path.write_text("old")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(WriteError, match=f"cannot write {path} \\(No space left on device\\). Free some disk space"):
        atomic_write(path, lambda h: h.write("new"), mode="w")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["final.png"]


def test_a_nearly_full_disk_is_refused_before_the_first_step(tmp_path, monkeypatch):
    monkeypatch.setattr(files.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 2**20, 2**20))
    with pytest.raises(artkit.ArtkitError, match="only 1 MiB free on that disk; a run needs at least 64 MiB"):
        artkit.run(tiny_preset(), out=tmp_path / "runs", progress=False)


def test_an_output_path_that_cannot_be_a_directory(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(artkit.ArtkitError, match="--out .*file.txt/runs: cannot create the output directory"):
        artkit.run(tiny_preset(), out=blocker / "runs", progress=False)


def test_disk_full_during_a_run_stops_with_a_clear_message(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from artkit.cli import cli

    real_replace = os.replace

    def fill_at_first_snapshot(src, dst):
        if str(dst).endswith(".png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", fill_at_first_snapshot)
    import yaml

    preset = tmp_path / "p.yaml"
    preset.write_text(yaml.safe_dump(tiny_preset(outputs=[{"name": "png", "every": 1}])))
    result = CliRunner().invoke(cli, ["run", str(preset), "--out", str(tmp_path / "runs"), "--quiet"])
    assert result.exit_code == 1
    assert "No space left on device). Free some disk space, or choose another --out." in result.output
    assert "Traceback" not in result.output
