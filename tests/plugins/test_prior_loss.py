import pytest
import torch
from artkit_plugins.losses.prior import PriorLoss, noise_level

import artkit
from artkit.context import StepContext
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject


def loss_with(prompts, steps=100, **options):
    info = artkit.RunInfo(size=(64, 64), steps=steps, prompts=[artkit.Prompt(**p) for p in prompts])
    return PriorLoss(PriorLoss.Config(**options), info)


def at_step(image, step=1):
    return StepContext(image, step, [], [])


def test_noise_falls_log_linearly():
    assert noise_level(1, 3, 0.8, 0.2) == pytest.approx(0.8)
    assert noise_level(2, 3, 0.8, 0.2) == pytest.approx(0.4)
    assert noise_level(3, 3, 0.8, 0.2) == pytest.approx(0.2)


def test_needs_a_positive_text_prompt():
    with pytest.raises(artkit.ConfigError, match="prompts: the prior loss needs a text prompt"):
        loss_with([{"text": "a red circle", "weight": -1.0}])


def test_missing_weights_file_is_named(tmp_path):
    with pytest.raises(artkit.ConfigError, match="prior.weights: no file"):
        loss_with([{"text": "a red circle"}], weights=str(tmp_path / "nope.safetensors"))


def test_noise_must_fall():
    with pytest.raises(ValueError, match="sigma_end"):
        PriorLoss.Config(sigma_start=0.1, sigma_end=0.5)


def test_a_render_of_the_prompt_scores_better_than_another_scene():
    loss = loss_with([{"text": "a big red circle on the left on a black background"}], sigma_start=0.3, samples=4)
    shown = render([Scene("black", (ToyObject("circle", "red", "left", "big"),))], size=64, seed=0)
    other = render([Scene("white", (ToyObject("square", "blue", "right", "big"),))], size=64, seed=0)
    assert loss(at_step(shown)).item() < 0.5 * loss(at_step(other)).item()


def test_same_step_same_noise_and_later_steps_differ():
    loss = loss_with([{"text": "a red circle"}])
    image = torch.rand(1, 3, 64, 64)
    assert torch.equal(loss(at_step(image, 5)), loss(at_step(image, 5)))
    assert not torch.equal(loss(at_step(image, 5)), loss(at_step(image, 6)))


def test_gradient_pulls_a_grey_picture_towards_the_named_colour():
    def reddening(caption: str) -> float:
        loss = loss_with([{"text": caption}], sigma_start=0.5, samples=4)
        image = torch.full((1, 3, 64, 64), 0.5, requires_grad=True)
        loss(at_step(image)).backward()
        step = -image.grad[0]  # the direction gradient descent moves the picture
        return (step[0] - step[1:].mean(0)).mean().item()

    assert reddening("a big red square on a black background") > reddening("a big blue square on a black background")
