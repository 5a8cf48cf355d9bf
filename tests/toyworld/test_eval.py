import json

from click.testing import CliRunner

from artkit.cli import cli
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


def test_eval_rejects_bad_budgets():
    result = CliRunner().invoke(cli, ["eval", "--budgets", "ten"])
    assert result.exit_code == 2 and "--budgets 'ten'" in result.output
