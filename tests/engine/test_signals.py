"""Ctrl-C and SIGTERM: the first stops after the step and keeps everything; a second leaves at once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import heartbeats, tiny_preset
from PIL import Image

import artkit
from artkit.video import read_frames


def no_temporary_files(root):
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_first_signal_stops_after_the_step_and_keeps_everything(tmp_path, signal_plugin, name):
    outputs = [{"name": "metrics"}, {"name": "progress_video", "every": 1}]
    with pytest.raises(artkit.ArtkitError, match="Interrupted at step 3 of 6") as err:
        artkit.run(
            tiny_preset(steps=6, outputs=outputs),
            plugins=[signal_plugin(3, name=name)],
            out=tmp_path / "runs",
            progress=False,
        )
    assert err.value.exit_code == 130
    run_dir = next((tmp_path / "runs").iterdir())
    with Image.open(run_dir / "final.png") as png:
        assert png.text["step"] == "3"
    assert len(read_frames(run_dir / "progress.mp4")) > 4
    assert (run_dir / "state.safetensors").is_file()
    assert no_temporary_files(run_dir)


def test_second_signal_leaves_at_once(tmp_path, signal_plugin):
    with pytest.raises(artkit.ArtkitError, match="Stopped at once at step 3") as err:
        artkit.run(tiny_preset(steps=6), plugins=[signal_plugin(3, signals=2)], out=tmp_path / "runs", progress=False)
    assert err.value.exit_code == 130
    run_dir = next((tmp_path / "runs").iterdir())
    assert not (run_dir / "final.png").exists()  # nothing half-written, nothing written after the second signal
    assert no_temporary_files(run_dir)


def test_ctrl_c_from_outside_a_cli_run(tmp_path, preset_file, heartbeat_plugin):
    path = preset_file(tiny_preset(steps=200, outputs=[{"name": "metrics"}]))
    out = tmp_path / "runs"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "artkit", "run", str(path), "--plugin", heartbeat_plugin, "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while heartbeats(out) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Continue with: artkit resume" in stderr and "Traceback" not in stderr
    run_dir = next(out.iterdir())
    result = subprocess.run(
        [sys.executable, "-m", "artkit", "resume", str(run_dir), "--steps", "2", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    with Image.open(run_dir / "final.png") as png:
        assert int(png.text["step"]) >= 4
