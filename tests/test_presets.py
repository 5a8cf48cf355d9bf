import pytest

from artkit.errors import ConfigError, UnknownNameError
from artkit.presets import apply_set, deep_merge, find_preset, load_preset, read_yaml


def test_deep_merge_merges_mappings_and_replaces_lists():
    base = {"optimizer": {"name": "adam", "lr": 0.1}, "losses": [{"name": "clip"}]}
    merged = deep_merge(base, {"optimizer": {"lr": 0.2}, "losses": [{"name": "smoothness"}]})
    assert merged == {"optimizer": {"name": "adam", "lr": 0.2}, "losses": [{"name": "smoothness"}]}
    assert base["optimizer"]["lr"] == 0.1  # inputs untouched


def test_extends_by_file_and_by_name(tmp_path):
    (tmp_path / "base.yaml").write_text("steps: 10\noptimizer: {name: adam, lr: 0.1}\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\noptimizer: {lr: 0.3}\n")
    assert load_preset(str(tmp_path / "child.yaml"), []) == {"steps": 10, "optimizer": {"name": "adam", "lr": 0.3}}
    (tmp_path / "named.yaml").write_text("extends: base\nseed: 4\n")
    assert load_preset(str(tmp_path / "named.yaml"), [tmp_path])["steps"] == 10


def test_recursive_extends_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="loops back"):
        load_preset(str(tmp_path / "a.yaml"), [])


def test_unknown_preset_suggests_nearest(tmp_path):
    (tmp_path / "quickstart.yaml").write_text("steps: 1\n")
    with pytest.raises(UnknownNameError, match="Did you mean 'quickstart'"):
        find_preset("quikstart", [tmp_path])


def test_plugin_paths_are_relative_to_the_preset(tmp_path):
    (tmp_path / "p.yaml").write_text("plugins: [./mine.py]\n")
    assert load_preset(str(tmp_path / "p.yaml"), [])["plugins"] == [str(tmp_path / "mine.py")]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"steps: [1, 2\n", "invalid YAML at line"),
        (b"- just\n- a list\n", "must be a mapping"),
        (b"a: !!python/object/apply:os.system ['echo hi']\n", "invalid YAML"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        read_yaml(path)


def test_apply_set_paths_and_yaml_values():
    data = {"losses": [{"name": "clip"}], "optimizer": {"lr": 0.1}}
    apply_set(data, "losses[0].weight=0.5")
    apply_set(data, "optimizer.lr=2e-2")
    apply_set(data, "generator.name=pixel")
    apply_set(data, "generator.init=#ff8800")
    assert data["losses"][0]["weight"] == 0.5 and data["optimizer"]["lr"] == 0.02
    assert data["generator"] == {"name": "pixel", "init": "#ff8800"}


@pytest.mark.parametrize("assignment", ["noequals", "losses.5.weight=1", "=3"])
def test_apply_set_errors(assignment):
    with pytest.raises(ConfigError, match="--set"):
        apply_set({"losses": [{"name": "clip"}]}, assignment)
