import pytest
from conftest import tiny_preset

from artkit.errors import ConfigError, UnknownNameError
from artkit.resolve import Overrides, prepare


def test_resolved_config_fills_defaults():
    plan, _ = prepare(tiny_preset())
    resolved = plan.resolved()
    assert resolved["generator"]["parameterization"] == "sigmoid"
    assert resolved["augmentations"][0]["cutn"] == 4 and "min_size" in resolved["augmentations"][0]
    assert resolved["losses"][0]["weight"] == 1.0
    assert resolved["prompts"] == [{"text": "a red circle"}]


def test_resolved_config_validates_again():
    plan, _ = prepare(tiny_preset())
    again, _ = prepare(plan.resolved())
    assert again.resolved() == plan.resolved()


def test_overrides_apply():
    plan, _ = prepare(
        tiny_preset(), Overrides(prompts=["a blue square"], seed=7, steps=2, size="40x24", sets=["losses.1.weight=0.5"])
    )
    assert plan.run.seed == 7 and plan.run.steps == 2 and plan.run.size == (40, 24)
    assert plan.run.prompts[0].text == "a blue square"
    assert plan.lists["losses"][1].config.weight == 0.5


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"losses": [{"name": "clip", "weight": "heavy"}]}, "losses[0].weight: Input should be a valid number"),
        ({"losses": [{"name": "clip", "wieght": 1}]}, "losses[0].wieght: unknown key"),
        ({"size": [-4, 32]}, "size: Value error, each side must be between 8"),
        ({"steps": 0}, "steps: Input should be greater than or equal to 1"),
        ({"colour": "red"}, "colour: unknown key"),
        ({"prompts": [""]}, "prompts[0]: Value error, `text` must not be empty"),
        ({"device": "gpu"}, "device: Value error, device must be auto"),
        ({"losses": []}, "losses: a run needs at least one loss"),
        ({"augmentations": [{"cutn": 3}]}, "augmentations[0].name: missing"),
        (
            {"augmentations": [{"name": "cutouts", "min_size": 0.9, "max_size": 0.5}]},
            "augmentations[0]: Value error, min_size",
        ),
    ],
)
def test_errors_name_the_field(changes, expected):
    with pytest.raises(ConfigError) as err:
        prepare(tiny_preset(**changes))
    assert expected in str(err.value)


def test_unknown_component_lists_valid_names():
    with pytest.raises(UnknownNameError) as err:
        prepare(tiny_preset(generator={"name": "pixle"}))
    assert "generator.name: unknown generator 'pixle'. Did you mean 'pixel'?" in str(err.value)


def test_preset_plugins_refused_with_no_plugins(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("")
    with pytest.raises(ConfigError, match="--no-plugins"):
        prepare(tiny_preset(plugins=[str(path)]), Overrides(allow_preset_plugins=False))
