import json
import signal
import subprocess
import sys
import time

from click.testing import CliRunner
from conftest import heartbeats, tiny_preset

from artkit.cli import cli
from artkit.toyworld.drawing import torch_threads
from artkit.toyworld.evalbench import evaluate
from artkit.toyworld.prompts import benchmark_prompts


def test_benchmark_prompts_are_varied_and_reproducible():
    prompts = benchmark_prompts(9, seed=3)
    assert prompts == benchmark_prompts(9, seed=3)
    assert {len(p.objects) for p in prompts} == {1, 2}
    assert any(p.background for p in prompts)


def test_eval_prints_one_row_per_budget(tmp_path):
    args = ["eval", "quickstart", "--prompts", "2", "--budgets", "2,3", "--json", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["steps"] for r in rows] == [2, 3]
    assert all(r["prompts"] == 2 and 0 <= r["colour"] <= 1 and -1 <= r["toyclip"] <= 1 for r in rows)


def test_eval_with_workers_gives_the_rows_of_one_thread_runs(tmp_path):
    def rows(**options):
        found = evaluate(["quickstart"], [2, 3], 2, tmp_path, **options)
        return [{k: v for k, v in row.items() if k != "seconds"} for row in found]

    with torch_threads(1):
        one_at_a_time = rows()
    side_by_side = rows(workers=2)
    assert [r["steps"] for r in side_by_side] == [2, 3]
    assert side_by_side == one_at_a_time


def test_eval_rejects_bad_budgets():
    result = CliRunner().invoke(cli, ["eval", "--budgets", "ten"])
    assert result.exit_code == 2 and "--budgets 'ten'" in result.output


def test_eval_rejects_no_workers():
    result = CliRunner().invoke(cli, ["eval", "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.output


def test_eval_stopped_by_sigterm_stops_its_workers(tmp_path, preset_file, heartbeat_plugin):
    path = preset_file(tiny_preset(steps=50))
    out = tmp_path / "runs"
    cmd = [sys.executable, "-m", "artkit", "eval", str(path), "--prompts", "4", "--budgets", "50", "--workers", "2"]
    cmd += ["--plugin", heartbeat_plugin, "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while heartbeats(out) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)  # the parent alone, as `kill PID` does
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    beats = heartbeats(out)
    time.sleep(1.0)
    assert heartbeats(out) == beats  # no worker is still drawing
