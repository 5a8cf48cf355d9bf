import pytest
import torch
from artkit_plugins.losses.prior import ObjectViews, PriorLoss, field_index, noise_level

import artkit
from artkit.context import StepContext
from artkit.images import close_views
from artkit.toyworld.prior import caption_embeddings
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject
from artkit.toyworld.vocab import COLOURS


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


def test_weights_conditioned_on_an_unknown_toyclip_are_refused_by_name(tmp_path):
    from artkit.toyworld import prior

    path = tmp_path / "other.safetensors"
    prior.save(prior.Denoiser(text=("robust", "sketches")), path, {"seed": "0"})
    with pytest.raises(artkit.ConfigError, match="prior.weights: .* toyclip sketches"):
        loss_with([{"text": "a red circle"}], weights=str(path))


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


def two_objects(first: str, second: str):
    objects = (ToyObject(first, "red", "left", "small"), ToyObject(second, "blue", "right", "small"))
    return render([Scene("black", objects)], size=64, seed=0)


def test_a_close_view_centres_its_object():
    picture = two_objects("square", "circle")
    left, right = close_views(picture, [(0.25, 0.5), (0.75, 0.5)], 0.6, 32)
    red, blue = torch.tensor([0.9, 0.1, 0.1]), torch.tensor([0.12, 0.25, 0.92])
    assert (left[:, 16, 16] - red).abs().max() < 0.1 and (right[:, 16, 16] - blue).abs().max() < 0.1
    assert left[:, :2, :2].max() < 0.15  # the corner is the black field


def test_each_placed_shaped_object_gets_a_view_and_a_share_of_its_prompt():
    views = ObjectViews(
        [
            ("a red square on the left and a blue circle on the right", 0.75),
            ("a green ring", 0.25),
            ("a big white star at the top", 0.25),
        ],
        caption_embeddings,
    )
    assert views.centres == [(0.25, 0.5), (0.75, 0.5)]  # the ring is not placed, the big star needs no view
    assert views.shares.tolist() == [0.375, 0.375]
    assert views.condition(0).shape == (2, 128)


def test_a_view_names_the_field_of_the_picture_unless_the_prompt_names_one():
    free = ObjectViews([("a red square on the left", 1.0)], caption_embeddings)
    assert not torch.equal(free.condition(1), free.condition(2))
    fixed = ObjectViews([("a red square on the left on a white background", 1.0)], caption_embeddings)
    assert torch.equal(fixed.condition(1), fixed.condition(2))


def test_the_field_is_read_from_the_estimate():
    estimate = torch.full((2, 3, 32, 32), -1.0)
    estimate[:, 1] = 0.44  # green, in [-1, 1]
    estimate[:, :, 10:20, 10:20] = 0.8
    assert field_index(estimate) == list(COLOURS).index("green")


def test_views_add_nothing_where_no_object_is_placed():
    image = torch.rand(1, 3, 64, 64)
    plain = loss_with([{"text": "a red circle"}])(at_step(image, 3))
    viewed = loss_with([{"text": "a red circle"}], object_weight=3.0)(at_step(image, 3))
    assert torch.equal(plain, viewed)


def test_the_views_prefer_the_named_shapes():
    prompt = [{"text": "a red square on the left and a blue circle on the right"}]

    def view_term(picture):
        options = {"sigma_start": 1.0, "samples": 4}
        whole = loss_with(prompt, **options)(at_step(picture)).item()
        return loss_with(prompt, object_weight=1.0, **options)(at_step(picture)).item() - whole

    assert view_term(two_objects("square", "circle")) < view_term(two_objects("circle", "square"))


def test_views_draw_the_same_noise_at_the_same_step():
    loss = loss_with([{"text": "a red square on the left and a blue circle on the right"}], object_weight=1.0)
    image = torch.rand(1, 3, 64, 64)
    assert torch.equal(loss(at_step(image, 4)), loss(at_step(image, 4)))
