import math

import torch
from artkit_plugins.augmentations.cutouts import Cutouts
from artkit_plugins.augmentations.warp import square_corners

import artkit


def make(**options):
    return Cutouts(Cutouts.Config(**options), artkit.RunInfo(size=(32, 32)))


def test_whole_cuts_show_the_whole_image():
    cutouts = make(cutn=4, whole=1.0, affine_p=0, perspective_p=0, jitter_p=0, noise=0)
    image = torch.zeros(1, 3, 32, 32)
    image[:, 0, :, :16] = 1  # red left half
    cuts = cutouts(image, 16)
    assert cuts.shape == (4, 3, 16, 16)
    assert torch.all(cuts[:, 0, :, :7] > 0.99) and torch.all(cuts[:, 0, :, 9:] < 0.01)


def test_crops_stay_within_size_bounds():
    cutouts = make(cutn=64, whole=0.0, min_size=0.5, max_size=0.75)
    boxes = cutouts.boxes(40, 40, torch.device("cpu"))
    sides = (boxes[:, 1, 0] - boxes[:, 0, 0] + 1).round()
    assert sides.min() >= 20 and sides.max() <= 30
    assert boxes[..., 0].min() >= 0 and boxes[..., 0].max() <= 39


def test_one_resampling_of_the_image_for_all_cuts(monkeypatch):
    cutouts = make(cutn=8, affine_p=1.0, perspective_p=1.0)
    calls = []
    original = torch.nn.functional.grid_sample
    monkeypatch.setattr(
        torch.nn.functional, "grid_sample", lambda x, grid, **k: calls.append(grid.shape) or original(x, grid, **k)
    )
    assert cutouts(torch.rand(1, 3, 32, 32), 12).shape == (8, 3, 12, 12)
    assert calls == [torch.Size([1, 8 * 12, 12, 2])]


def test_turns_and_squeezes_only_for_the_chosen_share_of_cuts():
    cutouts = make(cutn=400, affine_p=0.5, perspective_p=0.3, degrees=10.0, translate=0.05, distortion=0.2)
    torch.manual_seed(0)
    turn, shift = cutouts.turns(20, torch.device("cpu"))
    assert 0.4 < (turn != 0).float().mean() < 0.6 and turn.abs().max() <= math.radians(10.0)
    assert torch.equal(turn == 0, (shift == 0).all(-1)) and shift.abs().max() <= 0.05 * 20
    moved = (cutouts.squeezes(20, torch.device("cpu")) - square_corners(20)).abs()
    assert 0.2 < (moved.amax((1, 2)) > 0).float().mean() < 0.4 and moved.max() <= 0.2 * 19 / 2


def test_a_squeezed_cut_has_black_corners():
    cutouts = make(cutn=4, whole=1.0, affine_p=0, perspective_p=1.0, distortion=0.5, jitter_p=0, noise=0)
    torch.manual_seed(0)
    cuts = cutouts(torch.ones(1, 3, 32, 32), 32)
    corners = cuts[..., [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners == 0).float().mean() > 0.5 and cuts[..., 16, 16].min() == 1
