import torch
from artkit_plugins.augmentations.cutouts import Cutouts

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


def test_one_batched_call_for_all_cuts(monkeypatch):
    cutouts = make(cutn=8)
    calls = []
    original = cutouts.augment.forward
    monkeypatch.setattr(cutouts.augment, "forward", lambda x, *a, **k: calls.append(x.shape) or original(x, *a, **k))
    cutouts(torch.rand(1, 3, 32, 32), 12)
    assert calls == [torch.Size([8, 3, 12, 12])]
