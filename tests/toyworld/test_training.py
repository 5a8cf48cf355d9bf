import pytest

from artkit.toyworld import train_judge, train_prior, train_toyclip, train_toyvqgan


@pytest.mark.parametrize(
    ("module", "defaults"),
    [
        (train_toyclip, {"seed": 0, "batch_size": 160, "eval_every": 100}),
        (train_judge, {"seed": 1, "batch_size": 128, "lr": 3e-3, "eval_every": 250}),
        (train_toyvqgan, {"seed": 3, "batch_size": 16, "size": 64, "render_size": 128}),
        (train_prior, {"seed": 4, "batch_size": 48, "sigma_mean": -1.2, "fine_layout": False}),
    ],
)
def test_every_training_script_takes_the_shared_options_with_its_own_defaults(module, defaults, tmp_path):
    args = module.parser().parse_args([])
    assert {key: getattr(args, key) for key in defaults} == defaults
    assert args.threads == 2
    given = module.parser().parse_args(["--seed", "9", "--steps", "3", "--out", str(tmp_path / "w.safetensors")])
    assert (given.seed, given.steps, given.out) == (9, 3, tmp_path / "w.safetensors")
