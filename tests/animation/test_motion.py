import pytest
import torch

from artkit.animation.motion import Motion, warp


def marker_image(size=64, half=4):
    image = torch.zeros(1, 3, size, size)
    c = size // 2
    image[..., c - half : c + half, c - half : c + half] = 1.0
    return image


def extent(image):
    rows = (image[0, 0] > 0.5).any(dim=1).nonzero()
    cols = (image[0, 0] > 0.5).any(dim=0).nonzero()
    return (
        (rows.max() - rows.min() + 1).item(),
        (cols.max() - cols.min() + 1).item(),
        rows.float().mean().item(),
        cols.float().mean().item(),
    )


def test_zoom_keeps_the_centre_and_enlarges_the_marker():
    before = extent(marker_image())
    after = extent(warp(marker_image(), Motion(zoom=2.0)))
    assert after[0] == pytest.approx(2 * before[0], abs=1) and after[1] == pytest.approx(2 * before[1], abs=1)
    assert after[2] == pytest.approx(before[2], abs=0.6) and after[3] == pytest.approx(before[3], abs=0.6)


def test_translation_moves_by_pixels():
    before = extent(marker_image())
    after = extent(warp(marker_image(), Motion(translate_x=5, translate_y=-3)))
    assert after[3] - before[3] == pytest.approx(5, abs=0.1) and after[2] - before[2] == pytest.approx(-3, abs=0.1)


def test_rotation_by_90_degrees_turns_a_bar():
    image = torch.zeros(1, 3, 33, 33)
    image[..., 14:19, 4:29] = 1.0  # horizontal bar through the centre
    turned = warp(image, Motion(rotate=90))
    rows, cols, _, _ = extent(turned)
    assert rows > 20 and cols < 8


def test_still_motion_is_the_identity():
    image = torch.rand(1, 3, 8, 8)
    assert warp(image, Motion()) is image
