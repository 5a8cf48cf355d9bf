import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from conftest import tiny_preset

from artkit.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_writes_a_run_directory(preset_file, out_dir):
    path = preset_file(tiny_preset())
    result = invoke("run", str(path), "--prompt", "a blue square", "--steps", "2", "--out", str(out_dir), "--quiet")
    assert result.exit_code == 0, result.output
    (run_dir,) = out_dir.iterdir()
    assert "a-blue-square" in run_dir.name
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["steps"] == 2 and config["prompts"] == [{"text": "a blue square"}]


def test_show_prints_resolved_config_with_overrides(preset_file):
    result = invoke("show", str(preset_file(tiny_preset())), "--set", "optimizer.lr=0.3", "--size", "48x40")
    assert result.exit_code == 0
    shown = yaml.safe_load(result.output)
    assert shown["optimizer"]["lr"] == 0.3 and shown["size"] == [48, 40]


def test_presets_lists_shipped_presets_with_descriptions():
    result = invoke("presets")
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert {"quickstart", "pixel", "pixel-smooth", "clip-ensemble"} <= lines.keys()
    assert "toyclip" in lines["quickstart"]


def test_plugins_lists_builtins_and_a_plugin_file(tmp_path):
    plugin = tmp_path / "mine.py"
    plugin.write_text(
        "import artkit\nclass Zero(artkit.Loss):\n    '''Always zero.'''\n    def forward(self, ctx):\n"
        "        return ctx.image.sum() * 0\n@artkit.hookimpl\ndef register_losses(register):\n"
        "    register('zero', Zero)\n"
    )
    result = invoke("plugins", "--plugin", str(plugin))
    assert "generators:" in result.output and "losses:" in result.output
    assert "pixel" in result.output and "from artkit.pixel" in result.output
    assert "zero" in result.output and f"from {plugin.resolve()}" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no-such-preset"], "unknown preset 'no-such-preset'"),
        (["run", "quikstart"], "Did you mean 'quickstart'?"),
        (["run", "quickstart", "--size", "big"], "size must be WIDTHxHEIGHT"),
        (["run", "quickstart", "--set", "losses.0.weight=heavy"], "losses[0].weight"),
        (["show", "quickstart", "--set", "generator.name=pixle"], "Did you mean 'pixel'?"),
        (["run", "quickstart", "--plugin", "/nonexistent/p.py"], "does not exist"),
    ],
)
def test_user_errors_are_one_clean_message(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_offline_weights_fail_clearly(preset_file, out_dir):
    preset = tiny_preset(perceptors=[{"name": "openclip", "model": "RN50", "pretrained": "openai"}])
    result = CliRunner().invoke(cli, ["run", str(preset_file(preset)), "--out", str(out_dir)])
    assert result.exit_code == 2
    assert "perceptors[0]: could not load weights 'openai' for open_clip model 'RN50'" in result.output
    assert "model: toyclip" in result.output and "Traceback" not in result.output


def test_debug_shows_the_traceback():
    proc = subprocess.run([sys.executable, "-m", "artkit", "run", "nope", "--debug"], capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_console_script_without_debug_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "artkit", "run", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "unknown preset" in proc.stderr


def test_a_closed_pipe_ends_a_listing_quietly():
    # `artkit presets | head -1`: the reader leaves before the listing is written
    proc = subprocess.Popen(
        [sys.executable, "-m", "artkit", "presets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    proc.stdout.close()
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == ""


def test_a_run_that_fails_to_build_leaves_no_directory(preset_file, out_dir):
    preset = tiny_preset(generator={"name": "pixel", "init_image": "/nonexistent/cat.png"})
    result = CliRunner().invoke(cli, ["run", str(preset_file(preset)), "--out", str(out_dir)])
    assert result.exit_code == 2 and "generator.init_image" in result.output
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_bench_quality_prints_each_preset_and_its_attributes(preset_file):
    path = preset_file(tiny_preset(size=[64, 64]))
    result = invoke("bench", "--quality", str(path), "--prompts", "2", "--max-steps", "1")
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first.endswith(": 0/2 read within 1 steps")
    assert second.startswith("  read at some check: colour ") and "/2" in second


def test_bench_prints_time_settings_and_split(preset_file):
    result = invoke("bench", str(preset_file(tiny_preset())), "--steps", "1", "--device", "cpu")
    assert result.exit_code == 0, result.output
    timing, settings, split = result.output.splitlines()
    assert " s/step on cpu, peak " in timing and "baseline" not in timing
    assert settings.startswith("  settings: 32x32, 4 cutouts per step, autocast none, compile none, ")
    assert split.startswith("  split: generator ")
