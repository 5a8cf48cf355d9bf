"""Guided negatives are made the way a run makes its pictures, at the model's own input size."""

import pytest
import torch

from artkit.toyworld import toyclip
from artkit.toyworld.adversarial import guided_images


@pytest.mark.parametrize("size", [64, 128])
def test_guided_images_are_at_the_model_s_input_size_and_move_towards_their_caption(size):
    torch.manual_seed(0)
    model = toyclip.build(image_size=size).eval()
    text_emb = model.encode_text(toyclip.tokenizer()(["a red circle on the left", "a blue square at the top"]))
    images = guided_images(model, text_emb, torch.Generator().manual_seed(0), steps=5)
    assert images.shape == (2, 3, size, size) and 0 <= images.min() and images.max() <= 1
    grey = torch.full_like(images, 0.5)

    def cosine(pictures):
        with torch.no_grad():
            return torch.nn.functional.cosine_similarity(model.encode_image(pictures), text_emb.detach()).mean()

    assert cosine(images) > cosine(grey)
