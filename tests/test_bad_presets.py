"""A corpus of broken presets: each ends in its own clear message, exit code 2, and no traceback."""

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from artkit.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = yaml.safe_load((FIXTURES / "bad_presets.yaml").read_text())


def test_corpus_is_complete():
    files = {p.name for p in (FIXTURES / "bad_presets").iterdir()} - {"recursive_b.yaml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_preset_gives_its_message(name, tmp_path):
    path = FIXTURES / "bad_presets" / name
    # `run` so that errors found while building components (missing files) are covered too
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 2, result.output
    assert EXPECTED[name] in result.output
    assert "Traceback" not in result.output
