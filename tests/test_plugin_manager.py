import ast
from pathlib import Path

import pytest

from artkit.errors import PluginError
from artkit.plugin_manager import load_plugins
from artkit.registry import KINDS

ROOT = Path(__file__).parent.parent

PLUGIN = '''
import torch
import artkit

class Flat(artkit.Generator):
    """A flat colour."""
    def __init__(self, config, info):
        super().__init__(config, info)
        self.value = torch.nn.Parameter(torch.zeros(1))
    def forward(self):
        w, h = self.info.size
        return torch.sigmoid(self.value).expand(1, 3, h, w)

@artkit.hookimpl
def register_generators(register):
    register("flat", Flat)
'''


def test_builtins_come_from_entry_points():
    plugins = load_plugins()
    entry = plugins.registry.get("generator", "pixel")
    assert entry.plugin == "artkit.pixel"
    assert {"clip", "smoothness"} <= set(plugins.registry.names("loss"))
    assert any((d / "quickstart.yaml").is_file() for d in plugins.preset_dirs)


def test_plugin_file_registers_a_component(tmp_path):
    path = tmp_path / "flat.py"
    path.write_text(PLUGIN)
    plugins = load_plugins([path])
    assert plugins.registry.get("generator", "flat").plugin == str(path.resolve())


def test_duplicate_name_from_a_file_names_both_plugins(tmp_path):
    path = tmp_path / "dup.py"
    path.write_text(PLUGIN.replace('"flat"', '"pixel"'))
    with pytest.raises(PluginError) as err:
        load_plugins([path])
    assert "artkit.pixel" in str(err.value) and str(path.resolve()) in str(err.value)


def test_misspelt_hook_fails_loudly(tmp_path):
    path = tmp_path / "typo.py"
    path.write_text("import artkit\n@artkit.hookimpl\ndef register_generator(register):\n    pass\n")
    with pytest.raises(PluginError) as err:
        load_plugins([path])
    assert "register_generator" in str(err.value) and "register_generators" in str(err.value)


def test_plugin_file_that_fails_to_import_is_reported(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import no_such_module_xyz\n")
    with pytest.raises(PluginError, match="failed to import.*no_such_module_xyz"):
        load_plugins([path])


def test_missing_plugin_file(tmp_path):
    with pytest.raises(PluginError, match="does not exist"):
        load_plugins([tmp_path / "nope.py"])


def test_load_subset_of_entry_points(monkeypatch):
    monkeypatch.setenv("ARTKIT_LOAD_PLUGINS", "artkit.pixel")
    plugins = load_plugins()
    assert plugins.registry.names("generator") == ["pixel"]
    assert plugins.registry.names("loss") == []


def test_core_never_imports_the_builtin_plugins_package():
    offenders = []
    for path in (ROOT / "artkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("artkit_plugins", "plugins")]
    assert offenders == []


def _imports_torch(code: str) -> bool:
    import subprocess
    import sys

    code += "; import sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1] == "True"


def test_importing_artkit_does_not_import_torch():
    assert not _imports_torch("import artkit")


def test_loading_the_builtin_plugins_does_not_import_torch():
    # listing presets or plugin names loads every plugin; the components load when a run uses them
    code = "from artkit.plugin_manager import load_plugins; assert load_plugins().registry.names('generator')"
    assert not _imports_torch(code)


def test_every_builtin_component_resolves_to_its_kind():
    import artkit

    bases = {kind: getattr(artkit, kind.capitalize()) for kind in KINDS}
    entries = [e for e in load_plugins().registry.list() if e.plugin.startswith("artkit.")]
    assert len(entries) == 13
    for entry in entries:
        assert isinstance(entry.target, str), f"{entry.name} should register lazily"
        assert issubclass(entry.component, bases[entry.kind]), entry.name


EVERY_KIND = '''
import torch
import artkit
from pathlib import Path
from artkit.testing import TinyPerceptor

class Shrink(artkit.Augmentation):
    """Whole image, resized."""
    def forward(self, image, size):
        return torch.nn.functional.interpolate(image, size=(size, size), mode="area").expand(2, -1, -1, -1)

class StepLog(artkit.Output):
    """Writes the step numbers."""
    def step(self, run, step):
        with open(run.dir / "steps.txt", "a") as f:
            f.write(f"{step}\\n")

@artkit.hookimpl
def register_perceptors(register):
    register("tiny", TinyPerceptor)

@artkit.hookimpl
def register_augmentations(register):
    register("shrink", Shrink)

@artkit.hookimpl
def register_outputs(register):
    register("steplog", StepLog)

@artkit.hookimpl
def register_presets(register):
    register(Path(__file__).parent / "my_presets")
'''

MY_PRESET = """
description: A preset shipped by a plugin
size: [16, 16]
steps: 3
device: cpu
prompts: [a red circle]
perceptors: [tiny]
augmentations: [shrink]
losses: [clip]
outputs: [steplog]
"""


def test_a_plugin_file_can_supply_every_kind(tmp_path):
    import artkit

    (tmp_path / "my_presets").mkdir()
    (tmp_path / "my_presets" / "mine.yaml").write_text(MY_PRESET)
    plugin = tmp_path / "every_kind.py"
    plugin.write_text(EVERY_KIND)
    result = artkit.run("mine", plugins=[plugin], out=tmp_path / "runs", progress=False)
    assert (result.run_dir / "steps.txt").read_text().split() == ["1", "2", "3"]
    assert result.config["perceptors"] == [{"name": "tiny", "dim": 8}]
