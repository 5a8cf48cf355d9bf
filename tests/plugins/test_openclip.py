"""The ``openclip`` perceptor runs ViTs sequence-first and image towers channels-last: the same embeddings and
gradients, faster."""

import copy

import pytest
import torch
from artkit_plugins.perceptors.openclip import OpenClipPerceptor, sequence_first_attention

import artkit


def random_vit() -> OpenClipPerceptor:
    torch.manual_seed(0)
    config = OpenClipPerceptor.Config(model="ViT-B-32", pretrained=None)
    return OpenClipPerceptor(config, artkit.RunInfo(size=(224, 224)))


def embedding_and_gradient(encode, images):
    images = images.clone().requires_grad_(True)
    embedding = encode(images)
    (gradient,) = torch.autograd.grad(embedding[:, :8].sum(), images)
    return embedding, gradient


def test_the_image_tower_runs_sequence_first_with_the_same_numbers():
    perceptor = random_vit()
    assert not perceptor.model.visual.transformer.batch_first
    assert all(not block.attn.batch_first for block in perceptor.model.visual.transformer.resblocks)
    batch_first = copy.deepcopy(perceptor.model.visual)
    batch_first.transformer.batch_first = True
    for block in batch_first.transformer.resblocks:
        block.attn.batch_first = True
    images = torch.rand(2, 3, 224, 224)
    ours, our_gradient = embedding_and_gradient(perceptor.model.visual, images)
    theirs, their_gradient = embedding_and_gradient(batch_first, images)
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(our_gradient, their_gradient)
    assert our_gradient.abs().sum() > 0


def test_only_transformer_stacks_of_standard_attention_are_switched():
    perceptor = random_vit()
    assert sequence_first_attention(perceptor.model.visual) == 0  # already switched when built
    toy = OpenClipPerceptor(OpenClipPerceptor.Config(model="toyclip"), artkit.RunInfo(size=(64, 64)))
    assert sequence_first_attention(toy.model.visual) == 0  # a ResNet: nothing to switch


def test_the_image_tower_runs_channels_last_with_the_same_numbers(tmp_path):
    perceptor = toyclip_perceptor("shapes", tmp_path)
    assert perceptor.model.visual.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    contiguous = copy.deepcopy(perceptor.model).to(memory_format=torch.contiguous_format)
    assert not contiguous.visual.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    images = torch.rand(2, 3, 128, 128)
    ours, our_gradient = embedding_and_gradient(perceptor.encode_image, images)

    def plain(x):  # toyclip's normalisation is the identity (mean 0, std 1)
        return torch.nn.functional.normalize(contiguous.encode_image(x), dim=-1)

    theirs, their_gradient = embedding_and_gradient(plain, images)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-4)  # the same up to rounding
    torch.testing.assert_close(our_gradient, their_gradient, atol=1e-5, rtol=1e-3)
    assert our_gradient.abs().sum() > 0


def toyclip_perceptor(pretrained, base_dir) -> OpenClipPerceptor:
    config = OpenClipPerceptor.Config(model="toyclip", pretrained=pretrained)
    return OpenClipPerceptor(config, artkit.RunInfo(size=(64, 64), base_dir=base_dir))


def test_toyclip_loads_a_weights_file_relative_to_the_run_directory(tmp_path):
    from safetensors.torch import load_file, save_file

    from artkit.toyworld import toyclip

    stored = load_file(str(toyclip.WEIGHTS_PATH))
    stored["logit_scale"] = stored["logit_scale"] + 1.0  # a file that differs from the shipped one
    save_file(stored, str(tmp_path / "mine.safetensors"))
    mine = toyclip_perceptor("mine.safetensors", tmp_path)
    shipped = toyclip_perceptor("default", tmp_path)
    assert mine.model.logit_scale.item() == shipped.model.logit_scale.item() + 1.0
    assert mine.input_size == 64


def test_toyclip_ships_robust_weights_by_default_and_shapes_weights_by_name(tmp_path):
    robust, default = toyclip_perceptor("robust", tmp_path), toyclip_perceptor("default", tmp_path)
    shapes = toyclip_perceptor("shapes", tmp_path)
    assert robust.input_size == default.input_size == 64 and shapes.input_size == 128
    assert torch.equal(robust.model.logit_scale, default.model.logit_scale)
    images = torch.rand(1, 3, 128, 128)
    small = torch.nn.functional.avg_pool2d(images, 2)
    assert not torch.allclose(shapes.encode_image(images), default.encode_image(small), atol=0.05)


def test_toyclip_names_a_missing_or_foreign_weights_file(tmp_path):
    with pytest.raises(artkit.ConfigError, match=r"pretrained: .*train_toyclip.*'nowhere.safetensors'"):
        toyclip_perceptor("nowhere.safetensors", tmp_path)
    (tmp_path / "foreign.safetensors").write_bytes(b"not weights")
    with pytest.raises(artkit.ConfigError, match=r"foreign.safetensors is not a toyclip weights file"):
        toyclip_perceptor("foreign.safetensors", tmp_path)
