"""The cutouts' colour jitter: one colour matrix per image, with the meaning of each of its four amounts."""

import math

import torch
from artkit_plugins.augmentations.jitter import ColourJitter
from kornia.enhance import adjust_hue, adjust_saturation_with_gray_subtraction

LUMA = torch.tensor([0.299, 0.587, 0.114])


def colour_map(matrix: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    return torch.einsum("nij,njhw->nihw", matrix, images)


def luma(images: torch.Tensor) -> torch.Tensor:
    """Each pixel's grey (N, H, W)."""
    return (LUMA.view(1, 3, 1, 1) * images).sum(1)


def test_images_not_chosen_pass_unchanged():
    images = torch.rand(8, 3, 16, 16)
    assert torch.equal(ColourJitter(0.5, 0.5, 0.5, 0.2, p=0.0)(images), images)
    changed = ColourJitter(0.5, 0.5, 0.5, 0.2, p=1.0)(images)
    assert all(not torch.allclose(a, b) for a, b in zip(changed, images, strict=True))


def test_only_chosen_images_change():
    torch.manual_seed(3)
    images = torch.rand(64, 3, 8, 8)
    changed = ColourJitter(0.2, 0.2, 0.2, 0.05, p=0.5)(images)
    same = torch.tensor([torch.equal(a, b) for a, b in zip(changed, images, strict=True)])
    assert 16 < int(same.sum()) < 48


def test_saturation_moves_each_pixel_from_its_grey_as_kornia_does():
    jitter, images = ColourJitter(0, 0, 0, 0, p=1.0), torch.rand(3, 3, 8, 8)
    factors = torch.tensor([0.0, 0.8, 1.3])
    ours = colour_map(jitter.saturation_matrix(factors), images)
    torch.testing.assert_close(ours.clamp(0, 1), adjust_saturation_with_gray_subtraction(images, factors))  # it clamps
    grey = luma(images[:1]).unsqueeze(1).expand(-1, 3, -1, -1)
    torch.testing.assert_close(ours[:1], grey)  # factor 0: grey


def test_hue_keeps_luma_and_turns_the_way_hsv_does():
    jitter, images = ColourJitter(0, 0, 0, 0, p=1.0), torch.rand(2, 3, 8, 8)
    turned = colour_map(jitter.hue_matrix(torch.tensor([0.1, 1.0])), images)
    torch.testing.assert_close(luma(turned), luma(images))
    torch.testing.assert_close(turned[1], images[1], atol=1e-5, rtol=0)  # a full turn
    red = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)
    ours = colour_map(jitter.hue_matrix(torch.tensor([0.03])), red).clamp(0, 1).flatten()
    hsv = adjust_hue(red, torch.tensor([0.03 * 2 * math.pi])).flatten()
    assert ours[1] > 0.02 and hsv[1] > 0.02 and ours[2] == hsv[2] == 0  # both towards yellow, not magenta


def test_contrast_keeps_the_mean_grey_and_brightness_scales():
    torch.manual_seed(0)
    images = torch.rand(16, 3, 8, 8)
    contrasted = ColourJitter(0, 0.5, 0, 0, p=1.0)(images)
    torch.testing.assert_close(luma(contrasted).mean(dim=(1, 2)), luma(images).mean(dim=(1, 2)))
    assert not torch.allclose(contrasted, images)
    brightened = ColourJitter(0.5, 0, 0, 0, p=1.0)(images)
    ratio = brightened / images
    torch.testing.assert_close(ratio, ratio[:, :1, :1, :1].expand_as(ratio))  # one factor per image
    assert 0.5 <= ratio.min() and ratio.max() <= 1.5


def test_the_same_seed_gives_the_same_jitter_and_gradients_flow():
    images = torch.rand(4, 3, 8, 8, requires_grad=True)
    jitter = ColourJitter(0.1, 0.1, 0.1, 0.05, p=0.5)
    torch.manual_seed(7)
    first = jitter(images)
    torch.manual_seed(7)
    assert torch.equal(jitter(images), first)
    first.sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0


def test_bf16_images_get_the_float32_jitter_in_bf16():
    images, jitter = torch.rand(4, 3, 8, 8), ColourJitter(0.1, 0.1, 0.1, 0.05, p=1.0)
    torch.manual_seed(2)
    full = jitter(images)
    torch.manual_seed(2)
    half = jitter(images.bfloat16())
    assert half.dtype == torch.bfloat16
    torch.testing.assert_close(half.float(), full, atol=0.02, rtol=0)
