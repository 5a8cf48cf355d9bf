"""``choice_search``: every option of each discrete choice tried at set shares of the run, the best kept."""

import json
from functools import partial

import pytest
import torch
from conftest import tiny_preset

import artkit
from artkit.engine import choice_search
from artkit.engine.choice_search import CHOICES_FILE
from artkit.engine.choice_views import phrase_embeddings, view_distance
from artkit.engine.run import build_run, execute
from artkit.resolve import prepare
from artkit.schema import ChoiceSearchConfig

KINDS = ["circle", "square", "ring"]
SHAPES = {"name": "vector", "strokes": 0, "shapes": 2, "primitives": KINDS, "stroke_length": 0.3}


def preset(at=(0.5, 1.0), steps=4, **changes):
    search = {"at": list(at), "draws": 2, **changes.pop("search", {})}
    changes.setdefault("generator", SHAPES)
    return tiny_preset(steps=steps, choice_search=search, **changes)


def finished_run(tmp_path, **changes):
    """A run of ``preset(**changes)``, finished, with its components at hand."""
    run = build_run(*prepare(preset(**changes)), tmp_path)
    execute(run)
    return run


def searches(run_dir):
    return json.loads((run_dir / CHOICES_FILE).read_text())


def test_each_shape_keeps_the_primitive_that_scored_lowest(tmp_path):
    run = finished_run(tmp_path)
    record = searches(run.dir)
    assert [search["step"] for search in record] == [2, 4]
    for search in record:
        assert [choice["choice"] for choice in search["choices"]] == ["shape 1", "shape 2"]
        for choice in search["choices"]:
            assert list(choice["scores"]) == KINDS
            assert choice["kept"] == min(choice["scores"], key=choice["scores"].get)
    generator = run.generator
    assert [generator.chosen(c["choice"]) for c in record[-1]["choices"]] == [c["kept"] for c in record[-1]["choices"]]


def test_options_are_scored_on_the_same_draws(tmp_path):
    """An option's score depends on the option only: scoring the kept one again gives its score."""
    run = finished_run(tmp_path, at=[1.0])
    last = searches(run.dir)[-1]["choices"][-1]
    assert choice_search._score(run, None, draws=2) == last["scores"][last["kept"]]


def test_the_search_leaves_the_random_streams_as_they_were(tmp_path):
    run = finished_run(tmp_path, at=[1.0])
    before = torch.get_rng_state()
    choice_search.search_choices(run)
    assert torch.equal(torch.get_rng_state(), before)


def test_a_search_is_reproducible(tmp_path):
    first = artkit.run(preset(), out=tmp_path / "a", progress=False)
    second = artkit.run(preset(), out=tmp_path / "b", progress=False)
    assert torch.equal(first.tensor, second.tensor)
    assert searches(first.run_dir) == searches(second.run_dir)


def test_a_resumed_run_searches_as_the_first_would_have(tmp_path, signal_plugin):
    whole = artkit.run(preset(at=[0.25, 0.75], steps=8), out=tmp_path / "whole", progress=False)
    with pytest.raises(artkit.ArtkitError, match="Interrupted at step 4"):
        artkit.run(preset(at=[0.25, 0.75], steps=8), plugins=[signal_plugin(4)], out=tmp_path / "parts", progress=False)
    resumed = artkit.resume(next((tmp_path / "parts").iterdir()), progress=False)
    assert torch.equal(resumed.tensor, whole.tensor)
    assert searches(resumed.run_dir) == searches(whole.run_dir)


def test_only_the_named_losses_score(tmp_path):
    run = finished_run(tmp_path, at=[1.0], search={"losses": ["smoothness"]})
    last = searches(run.dir)[-1]["choices"][-1]
    assert choice_search._score(run, ["smoothness"], draws=2) == last["scores"][last["kept"]]


def test_a_generator_without_choices_is_told_so(tmp_path):
    plain = tiny_preset(choice_search={"at": [0.5]})
    with pytest.raises(artkit.ConfigError, match="choice_search: the pixel generator makes no discrete choices"):
        artkit.run(plain, out=tmp_path, progress=False)
    assert not any(tmp_path.iterdir())  # no empty run left behind


def test_an_unknown_loss_is_named(tmp_path):
    with pytest.raises(artkit.ConfigError, match="choice_search.losses: no loss named 'prior'.*clip, smoothness"):
        artkit.run(preset(search={"losses": ["prior"]}), out=tmp_path, progress=False)


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_shares_outside_the_run_are_refused(share):
    with pytest.raises(ValueError, match="shares of the run's steps"):
        ChoiceSearchConfig(at=[share])


def test_shares_become_steps_of_the_run():
    assert ChoiceSearchConfig(at=[0.67, 0.4, 0.4]).steps(150) == {60, 100}
    assert ChoiceSearchConfig(at=[0.01]).steps(10) == {1}


PLACED = "a red circle on the left and a blue square on the right"


def test_with_views_a_placed_choice_is_scored_on_a_close_view_of_it(tmp_path):
    generator = {**SHAPES, "layout": "prompt"}
    run = finished_run(tmp_path, at=[1.0], prompts=[PLACED], generator=generator, search={"views": True})
    choices = searches(run.dir)[-1]["choices"]
    assert [c["view"]["object"] for c in choices] == ["a red circle", "a blue square"]
    for choice in choices:
        assert choice["view"]["at"] == pytest.approx(run.generator.choice_place(choice["choice"]), abs=1e-4)
        assert choice["kept"] == min(choice["scores"], key=choice["scores"].get)
    last = choices[-1]
    phrase = phrase_embeddings(run.perceptors, "a blue square")
    view = partial(view_distance, place=run.generator.choice_place("shape 2"), side=0.5, perceptors=run.perceptors)
    assert choice_search._mean_over_draws(run, 1, partial(view, phrase=phrase)) == last["scores"][last["kept"]]


def test_with_views_a_choice_no_object_is_near_is_scored_on_the_whole_picture(tmp_path):
    run = finished_run(tmp_path, at=[1.0], prompts=["a red circle"], search={"views": True})
    last = searches(run.dir)[-1]["choices"][-1]
    assert "view" not in last
    assert choice_search._score(run, None, draws=2) == last["scores"][last["kept"]]
