"""NaN/Inf during a run: roll back, lower the learning rate, go on; stop after repeated faults."""

import json
import logging

import pytest
import torch
from conftest import tiny_preset
from PIL import Image

import artkit
from artkit.engine.faults import NumericalFault


def faulty_preset(**faulty):
    losses = [{"name": "clip"}, {"name": "faulty", **faulty}]
    return tiny_preset(steps=8, losses=losses, fault_check_every=1, outputs=[{"name": "metrics"}])


def test_one_fault_is_rolled_back_and_the_run_goes_on(tmp_path, faulty_plugin, caplog):
    with caplog.at_level(logging.WARNING, logger="artkit"):
        result = artkit.run(faulty_preset(nan_on_calls=[4]), plugins=[faulty_plugin], out=tmp_path, progress=False)
    assert "NaN/Inf at step 4: rolled back to step 3 and halved the learning rate" in caplog.text
    assert torch.isfinite(result.tensor).all()
    records = [json.loads(line) for line in (result.run_dir / "metrics.jsonl").read_text().splitlines()]
    lrs = {r["step"]: r["lr"] for r in records}  # the last record of each step wins
    assert lrs[8] == pytest.approx(records[0]["lr"] / 2)
    with Image.open(result.run_dir / "final.png") as png:
        assert png.text["step"] == "8"


def test_repeated_faults_stop_with_the_last_good_image(tmp_path, faulty_plugin):
    data = faulty_preset(nan_from_call=5)
    data["max_faults"] = 2
    with pytest.raises(
        NumericalFault, match="NaN/Inf at step 5, 3 times.*final.png is the last good image \\(step 4\\)"
    ) as err:
        artkit.run(data, plugins=[faulty_plugin], out=tmp_path / "runs", progress=False)
    assert err.value.exit_code == 1
    run_dir = next((tmp_path / "runs").iterdir())
    with Image.open(run_dir / "final.png") as png:
        assert png.text["step"] == "4"
        assert png.getextrema() != ((0, 0), (0, 0), (0, 0))


def test_checks_every_n_steps(tmp_path, faulty_plugin, caplog):
    data = faulty_preset(nan_on_calls=[2])
    data["fault_check_every"] = 4
    with caplog.at_level(logging.WARNING, logger="artkit"):
        artkit.run(data, plugins=[faulty_plugin], out=tmp_path, progress=False)
    assert "NaN/Inf at step 4: rolled back to step 0" in caplog.text


def test_cli_reports_the_fault_without_a_traceback(tmp_path, faulty_plugin, preset_file):
    from click.testing import CliRunner

    from artkit.cli import cli

    data = faulty_preset(nan_from_call=1)
    data["max_faults"] = 0
    result = CliRunner().invoke(
        cli, ["run", str(preset_file(data)), "--plugin", faulty_plugin, "--out", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 1
    assert "Error: The loss or the parameters became NaN/Inf at step 1" in result.output
    assert "Traceback" not in result.output


def test_cuda_out_of_memory_is_explained(tmp_path):
    plugin = tmp_path / "oom.py"
    plugin.write_text(
        "import torch, artkit\n@artkit.hookimpl\ndef run_started(run):\n"
        "    def boom():\n        raise torch.cuda.OutOfMemoryError('CUDA out of memory. Tried to allocate 2.00 GiB')\n"
        "    run.step_once = boom\n"
    )
    with pytest.raises(artkit.ArtkitError, match="CUDA ran out of memory at step 1 .*--set autocast=bf16") as err:
        artkit.run(tiny_preset(), plugins=[plugin], out=tmp_path / "runs", progress=False)
    run_dir = next((tmp_path / "runs").iterdir())
    assert (run_dir / "final.png").is_file()
    assert err.value.exit_code == 2
