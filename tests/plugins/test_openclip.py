"""The ``openclip`` perceptor runs ViTs sequence-first: the same embeddings and gradients, without the copies."""

import copy

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
