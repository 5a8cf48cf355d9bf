"""Property-based: malformed presets and overrides end in a clean message, never a traceback or a hang.

Hypothesis mutates a valid preset (junk values, unknown keys, deleted keys, wrong nesting), writes raw
bytes as preset files, and throws random ``--set`` overrides at ``artkit show``, which loads,
merges and validates everything a run would.
"""

import string

import yaml
from click.testing import CliRunner
from conftest import tiny_preset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from artkit.cli import cli

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYS = [*tiny_preset(), "extends", "optimizer", "description", "plugins", "name", "weight", "cutn", "lr", "text"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["pixel", "clip", "toyclip", "-1", "1e309", "64x64", "nan", "~"]),
)  # fmt: skip
keys = st.one_of(st.sampled_from(KEYS), st.text(alphabet=string.ascii_letters + "_.[]0123456789", max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


def assert_clean(result):
    assert "Traceback" not in result.output, result.output
    if result.exit_code != 0:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.output.startswith("Error: "), result.output


def show(path, *extra):
    return CliRunner().invoke(cli, ["show", str(path), *extra], catch_exceptions=True)


@SETTINGS
@given(
    changes=st.dictionaries(keys, values, min_size=1, max_size=4), dropped=st.sets(st.sampled_from(KEYS), max_size=3)
)
def test_mutated_presets_fail_cleanly(tmp_path, changes, dropped):
    data = {k: v for k, v in tiny_preset().items() if k not in dropped}
    data.update(changes)
    data.pop("extends", None)  # an `extends` of a random name is its own case, below
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert_clean(show(path))


@SETTINGS
@given(content=st.binary(max_size=200))
def test_arbitrary_bytes_fail_cleanly(tmp_path, content):
    path = tmp_path / "bytes.yaml"
    path.write_bytes(content)
    assert_clean(show(path))


@SETTINGS
@given(parent=st.text(max_size=30))
def test_random_extends_fail_cleanly(tmp_path, parent):
    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump({**tiny_preset(), "extends": parent}))
    assert_clean(show(path))


@SETTINGS
@given(
    assignments=st.lists(
        st.tuples(keys, st.text(alphabet=string.printable, max_size=20)).map(lambda kv: f"{kv[0]}={kv[1]}")
        | st.text(max_size=20),
        min_size=1,
        max_size=3,
    )
)
def test_random_overrides_fail_cleanly(tmp_path, assignments):
    path = tmp_path / "base.yaml"
    if not path.exists():
        path.write_text(yaml.safe_dump(tiny_preset()))
    args = [arg for a in assignments for arg in ("--set", a)]
    assert_clean(show(path, *args))


PATHS = [
    "seed", "size", "steps", "device", "prompts", "prompts[0]", "prompts[0].weight", "generator", "generator.name",
    "generator.pixel_size", "generator.init", "perceptors[0].model", "perceptors[0].pretrained",
    "augmentations[0].cutn", "augmentations[0].min_size", "losses[0]", "losses[1].weight", "optimizer.lr",
    "optimizer.schedule", "outputs", "outputs[0].every", "checkpoint_every", "max_faults",
]  # fmt: skip


@SETTINGS
@given(path=st.sampled_from(PATHS), value=values)
def test_junk_at_real_paths_fails_cleanly(tmp_path, path, value):
    base = tmp_path / "base.yaml"
    if not base.exists():
        base.write_text(yaml.safe_dump(tiny_preset()))
    flow = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()
    assert_clean(show(base, "--set", f"{path}={flow}"))
