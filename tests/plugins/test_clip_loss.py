import pytest
import torch
from artkit_plugins.losses.clip import ClipLoss, cosine_distance, spherical_distance
from PIL import Image

import artkit
from artkit.context import StepContext
from artkit.testing import TinyPerceptor


def unit(*rows):
    return torch.nn.functional.normalize(torch.tensor(rows, dtype=torch.float32), dim=-1)


def test_spherical_distance_values():
    a, b = unit([1, 0]), unit([0, 1], [-1, 0], [1, 0])
    d = spherical_distance(a, b)[0]
    # angle pi/2 -> 2*(pi/4)^2, angle pi -> 2*(pi/2)^2, angle 0 -> 0
    assert torch.allclose(d, torch.tensor([2 * (torch.pi / 4) ** 2, 2 * (torch.pi / 2) ** 2, 0.0]), atol=1e-5)
    assert torch.allclose(cosine_distance(a, b)[0], torch.tensor([1.0, 2.0, 0.0]))


def ctx_for(image):
    return StepContext(image, 1, [], [TinyPerceptor()])


def loss_with(prompts, tmp_path=None):
    info = artkit.RunInfo(size=(16, 16), base_dir=tmp_path or artkit.RunInfo().base_dir)
    return ClipLoss(ClipLoss.Config(prompts=prompts), info)


def test_negative_weight_pushes_away():
    image = torch.rand(1, 3, 16, 16, requires_grad=True)
    pull = loss_with(["a red circle"])(ctx_for(image))
    (grad_pull,) = torch.autograd.grad(pull, image)
    push = loss_with([{"text": "a red circle", "weight": -1.0}])(ctx_for(image))
    (grad_push,) = torch.autograd.grad(push, image)
    assert torch.allclose(grad_push, -grad_pull)


def test_stop_floors_the_distance():
    image = torch.rand(1, 3, 16, 16, requires_grad=True)
    loss = loss_with([{"text": "a red circle", "stop": 10.0}])(ctx_for(image))
    assert loss.item() == pytest.approx(10.0)
    (grad,) = torch.autograd.grad(loss, image)
    assert grad.abs().sum() == 0


def test_image_prompt_pulls_towards_that_image(tmp_path):
    Image.new("RGB", (16, 16), (255, 0, 0)).save(tmp_path / "red.png")
    loss = loss_with([{"image": "red.png"}], tmp_path)
    red = torch.zeros(1, 3, 16, 16)
    red[:, 0] = 1
    assert loss(ctx_for(red)).item() < 1e-4 < loss(ctx_for(torch.rand(1, 3, 16, 16))).item()


def test_missing_image_prompt_names_the_prompt(tmp_path):
    with pytest.raises(artkit.ConfigError, match=r"prompts\[1\].image: image file"):
        loss_with(["a red circle", {"image": "missing.png"}], tmp_path)


def test_no_prompts_is_a_clear_error():
    with pytest.raises(artkit.ConfigError, match="--prompt"):
        loss_with([])


def test_text_embeddings_are_computed_once():
    perceptor = TinyPerceptor()
    calls = []
    original = perceptor.encode_text
    perceptor.encode_text = lambda texts: calls.append(texts) or original(texts)
    loss = loss_with(["a", "b"])
    for _ in range(3):
        loss(StepContext(torch.rand(1, 3, 16, 16), 1, [], [perceptor]))
    assert calls == [["a"], ["b"]]
