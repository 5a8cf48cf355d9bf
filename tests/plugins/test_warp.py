import math

import torch
from artkit_plugins.augmentations.warp import sample_cuts, square_corners
from kornia.geometry.transform import crop_and_resize, get_perspective_transform, rotate, translate, warp_perspective


def smooth_image(height=48, width=64, seed=0):
    coarse = torch.rand(1, 3, 4, 5, generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=True)


def crop_boxes(n, side, height, width, seed=1):
    rng = torch.Generator().manual_seed(seed)
    x0 = torch.rand(n, generator=rng) * (width - side)
    y0 = torch.rand(n, generator=rng) * (height - side)
    x1, y1 = x0 + side - 1, y0 + side - 1
    return torch.stack(
        [torch.stack(c, -1) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))],
        dim=1,
    )


def untouched(n, size):
    return torch.zeros(n), torch.zeros(n, 2), square_corners(size).expand(n, -1, -1)


def test_a_plain_cut_is_the_crop_resized():
    image, boxes = smooth_image(), crop_boxes(6, 30, 48, 64)
    expected = crop_and_resize(image.expand(6, -1, -1, -1), boxes, (16, 16), align_corners=True)
    assert torch.allclose(sample_cuts(image, boxes, 16, *untouched(6, 16)), expected, atol=1e-5)


def test_turn_and_shift_match_rotating_and_translating_the_crop():
    image, boxes = smooth_image(), crop_boxes(4, 30, 48, 64)
    crop = crop_and_resize(image.expand(4, -1, -1, -1), boxes, (32, 32), align_corners=True)
    _, none, corners = untouched(4, 32)
    turn = torch.full((4,), 12.0)
    turned = sample_cuts(image, boxes, 32, torch.deg2rad(turn), none, corners)
    expected = rotate(crop, -turn, align_corners=True)
    assert (turned - expected)[..., 8:24, 8:24].abs().max() < 0.01
    shift = torch.tensor([[3.0, -2.0]]).expand(4, -1)
    shifted = sample_cuts(image, boxes, 32, torch.zeros(4), shift, corners)
    assert (shifted - translate(crop, shift, align_corners=True))[..., 4:28, 4:28].abs().max() < 1e-4


def test_a_squeeze_is_the_perspective_warp_of_the_crop_with_black_outside():
    image, boxes = smooth_image(), crop_boxes(2, 30, 48, 64)
    crop = crop_and_resize(image.expand(2, -1, -1, -1), boxes, (32, 32), align_corners=True)
    squeezed = square_corners(32) + 4 * torch.tensor([[[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]])
    squeezed = squeezed.expand(2, -1, -1)
    cuts = sample_cuts(image, boxes, 32, torch.zeros(2), torch.zeros(2, 2), squeezed)
    forward = get_perspective_transform(square_corners(32).expand(2, -1, -1), squeezed)
    expected = warp_perspective(crop, forward, (32, 32), align_corners=True)
    assert (cuts - expected)[..., 6:26, 6:26].abs().max() < 0.01  # one resampling, not two
    assert torch.all(cuts[..., :3, :] == 0) and torch.all(cuts[..., :, -3:] == 0)


def test_pixels_from_beyond_the_image_mirror_at_its_border():
    image = torch.zeros(1, 1, 8, 8)
    image[..., :, :2] = 1  # a bright left edge
    whole = square_corners(8)
    cuts = sample_cuts(image, whole, 8, torch.zeros(1), torch.tensor([[3.0, 0.0]]), square_corners(8))
    # shifted right by 3, columns 0-2 read x = -3, -2, -1: mirrored about the first pixel, columns 3, 2, 1
    assert cuts[0, 0, 0, :6].tolist() == [0.0, 0.0, 1.0, 1.0, 1.0, 0.0]


def test_gradients_reach_the_image_from_every_cut():
    image = smooth_image().requires_grad_(True)
    boxes = crop_boxes(3, 20, 48, 64)
    turn, shift = torch.tensor([0.0, 0.2, -0.1]), torch.tensor([[0.0, 0.0], [1.0, 2.0], [-2.0, 0.0]])
    cuts = sample_cuts(image, boxes, 12, turn, shift, square_corners(12).expand(3, -1, -1))
    for i in range(3):
        (grad,) = torch.autograd.grad(cuts[i].sum(), image, retain_graph=True)
        assert grad.abs().sum() > 0


def test_half_precision_images_give_half_precision_cuts():
    image = smooth_image().to(torch.bfloat16)
    boxes = crop_boxes(2, 20, 48, 64)
    cuts = sample_cuts(image, boxes, 8, *untouched(2, 8))
    assert cuts.dtype == torch.bfloat16 and cuts.shape == (2, 3, 8, 8)
    assert math.isfinite(cuts.float().sum().item())
