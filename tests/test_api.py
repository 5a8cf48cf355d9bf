import importlib
import json

import torch
import yaml
from conftest import tiny_preset
from PIL import Image

import artkit


def test_run_returns_image_dir_and_metrics(out_dir):
    result = artkit.run(tiny_preset(), out=out_dir, progress=False)
    assert result.image.size == (32, 32) and result.tensor.shape == (1, 3, 32, 32)
    assert {p.name for p in result.run_dir.iterdir()} >= {"final.png", "config.yaml", "metrics.jsonl"}
    lines = (result.run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2, 3]
    assert result.metrics[-1]["losses"].keys() == {"clip", "smoothness"}
    assert result._repr_png_().startswith(b"\x89PNG")


def test_final_png_records_prompt_seed_and_config(out_dir):
    result = artkit.run(tiny_preset(seed=11), prompts=["a blue star"], out=out_dir, progress=False)
    with Image.open(result.run_dir / "final.png") as png:
        text = dict(png.text)
    assert text["prompt"] == "a blue star" and text["seed"] == "11"
    assert yaml.safe_load(text["config"])["seed"] == 11


def test_same_seed_same_pixels(out_dir):
    first = artkit.run(tiny_preset(seed=5), out=out_dir, progress=False)
    second = artkit.run(tiny_preset(seed=5), out=out_dir, progress=False)
    third = artkit.run(tiny_preset(seed=6), out=out_dir, progress=False)
    assert first.run_dir != second.run_dir  # never overwrites
    assert torch.equal(first.tensor, second.tensor)
    assert not torch.equal(first.tensor, third.tensor)


def test_config_yaml_reruns_to_the_same_image(out_dir):
    first = artkit.run(tiny_preset(seed=2), out=out_dir, progress=False)
    again = artkit.run(str(first.run_dir / "config.yaml"), out=out_dir, progress=False)
    assert torch.equal(first.tensor, again.tensor)


def test_optimisation_lowers_the_loss(out_dir):
    result = artkit.run(tiny_preset(steps=25, optimizer={"name": "adam", "lr": 0.1}), out=out_dir, progress=False)
    losses = [m["losses"]["clip"] for m in result.metrics]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5


def test_hooks_are_called(tmp_path, out_dir):
    plugin = tmp_path / "observer.py"
    plugin.write_text(
        "import artkit\nCALLS = []\n"
        "@artkit.hookimpl\ndef run_started(run):\n    CALLS.append(('start', run.step))\n"
        "@artkit.hookimpl\ndef step_finished(run, step):\n    CALLS.append(('step', step, sorted(run.losses)))\n"
        "@artkit.hookimpl\ndef run_finished(run):\n    CALLS.append(('end', run.step, (run.dir / 'final.png').exists()))\n"
    )
    result = artkit.run(tiny_preset(steps=2), plugins=[plugin], out=out_dir, progress=False)
    import sys

    module = next(m for n, m in sys.modules.items() if n.startswith("artkit_user_plugin_observer"))
    assert module.CALLS == [
        ("start", 0),
        ("step", 1, ["clip", "smoothness", "total"]),
        ("step", 2, ["clip", "smoothness", "total"]),
        ("end", 2, True),
    ]
    assert result.run_dir.exists()


def test_interrupt_keeps_final_image(tmp_path, out_dir):
    plugin = tmp_path / "stopper.py"
    plugin.write_text(
        "import artkit\n@artkit.hookimpl\ndef step_finished(run, step):\n"
        "    if step == 2:\n        raise KeyboardInterrupt\n"
    )
    import pytest

    with pytest.raises(artkit.ArtkitError, match="Interrupted at step 2 of 5") as err:
        artkit.run(tiny_preset(steps=5), plugins=[plugin], out=out_dir, progress=False)
    assert err.value.exit_code == 130
    run_dir = next(out_dir.iterdir())
    with Image.open(run_dir / "final.png") as png:
        assert png.text["step"] == "2"
    assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 2


def test_resume_stays_the_function_after_its_module_is_imported():
    importlib.import_module("artkit.resuming")  # as the CLI and doctest collection do
    assert callable(artkit.resume) and artkit.resume.__name__ == "resume"
