"""The docs stay true: the plugin example runs, every hook and built-in option is documented, links resolve."""

import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import tiny_preset

from artkit import hookspecs
from artkit.cli import cli
from artkit.plugin_manager import load_plugins

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
EXAMPLE = DOCS / "examples" / "mean_colour.py"


def test_plugin_example_runs_from_the_command_line(preset_file, out_dir):
    losses = "[{name: mean_colour, colour: [0.1, 0.2, 0.9], weight: 5}]"
    args = ["run", str(preset_file(tiny_preset(steps=30))), "--plugin", str(EXAMPLE), "--set", f"losses={losses}"]
    result = CliRunner().invoke(cli, [*args, "--set", "optimizer.lr=0.2", "--out", str(out_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    (run_dir,) = out_dir.iterdir()
    red, green, blue = yaml.safe_load((run_dir / "mean_colour.txt").read_text())
    assert blue > 0.75 and red < 0.25  # started as uniform noise around 0.5


def test_every_hook_has_a_docs_section_and_a_test():
    hooks_doc = (DOCS / "hooks.md").read_text()
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))
    names = [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "artkit_spec")]
    assert len(names) == 9
    for name in names:
        assert re.search(rf"^## `{name}\(", hooks_doc, re.M), f"docs/hooks.md has no section for {name}"
        assert name in tests, f"no test mentions the hook {name}"


def test_every_builtin_component_and_option_is_documented():
    text = (DOCS / "builtins.md").read_text()
    for entry in load_plugins().registry.list():
        assert f"`{entry.name}`" in text, f"docs/builtins.md does not describe {entry.kind} {entry.name}"
        for option in entry.component.Config.model_fields:
            assert f"`{option}`" in text, f"docs/builtins.md lacks option {option} of {entry.name}"


def test_every_preset_key_is_documented():
    from artkit.schema import AnimationConfig, OptimizerConfig, RunConfig

    text = (DOCS / "presets.md").read_text()
    for key in [*RunConfig.model_fields, "extends", *OptimizerConfig.model_fields, *AnimationConfig.model_fields]:
        assert f"`{key}`" in text, f"docs/presets.md does not document `{key}`"


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens."""
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)  # a "# comment" in a code block is no heading
    headings = re.findall(r"^#+ (.+)$", prose, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_relative_links_and_their_anchors_resolve():
    broken = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path) if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text()):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken
