"""Training batches: captions true of their scenes, the background prior for captions that name none, and
shape negatives."""

import random

import torch

from artkit.toyworld.data import BackgroundPrior, make_batch
from artkit.toyworld.vocab import COLOURS, HELD_OUT_PAIRS, SHAPES


def batch(prior=None, seed=0):
    return make_batch(random.Random(seed), torch.Generator().manual_seed(seed), 32, 96, augment=False,
                      background_prior=prior)  # fmt: skip


def test_a_caption_without_a_background_implies_the_prior_colour():
    drawn = batch(BackgroundPrior("white", p=1.0))
    unnamed = [i for i, c in enumerate(drawn.captions) if "background" not in c]
    assert 10 < len(unnamed) < len(drawn.captions)
    for i, scene in enumerate(drawn.scenes):
        has_white_object = any(o.colour == "white" for o in scene.objects)
        if i in unnamed and not has_white_object:
            assert scene.background == "white"
            corner = drawn.images[i, :, 0, 0]
            assert torch.allclose(corner, torch.tensor(COLOURS["white"]), atol=0.15)
        elif i not in unnamed:
            assert f"{scene.background} background" in drawn.captions[i]


def test_without_a_prior_backgrounds_stay_varied_and_the_prior_changes_only_them():
    plain, with_prior = batch(), batch(BackgroundPrior("black", p=1.0))
    assert len({s.background for s in plain.scenes}) > 4
    assert plain.captions == with_prior.captions
    assert [s.objects for s in plain.scenes] == [s.objects for s in with_prior.scenes]
    assert sum(s.background == "black" for s in with_prior.scenes) > sum(s.background == "black" for s in plain.scenes)


def test_shape_negatives_change_only_a_shape_and_never_name_held_out_pairs():
    drawn = make_batch(random.Random(2), torch.Generator().manual_seed(2), 32, 64, augment=False, shape_negatives=3)
    assert len(drawn.shape_negatives) > 64 * 2
    assert not set(drawn.shape_negatives) & set(drawn.captions)
    for twin in drawn.shape_negatives:
        assert any(_one_shape_apart(caption, twin) for caption in drawn.captions), twin
        assert not any(f"{colour} {shape}" in twin for colour, shape in HELD_OUT_PAIRS), twin


def _one_shape_apart(a: str, b: str) -> bool:
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return False
    differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    return len(differing) == 1 and all(w.strip(",") in SHAPES for w in differing[0])


def test_no_shape_negatives_by_default():
    assert batch().shape_negatives == []


def twins(seed=0, **options):
    return make_batch(random.Random(seed), torch.Generator().manual_seed(seed), 32, 24, twin_images=True, **options)


def test_a_twin_image_changes_one_shape_and_nothing_else():
    drawn = twins()
    for scene, twin in zip(drawn.scenes, drawn.twin_scenes, strict=True):
        changed = [(a, b) for a, b in zip(scene.objects, twin.objects, strict=True) if a != b]
        assert len(changed) == 1 and twin.background == scene.background
        ((a, b),) = changed
        assert a.shape != b.shape and (a.colour, a.position, a.size) == (b.colour, b.position, b.size)
        assert (b.colour, b.shape) not in HELD_OUT_PAIRS
    assert drawn.twin_differs.all()  # every caption names the shape it changes
    assert (drawn.images - drawn.twin_images).flatten(1).norm(dim=1).min() > 1.0


def test_a_twin_is_drawn_with_the_same_jitter_noise_and_augmentation(monkeypatch):
    from artkit.toyworld import data

    monkeypatch.setattr(data, "shape_twin", lambda scene, rng: scene)  # a "twin" that changes nothing
    drawn = twins(seed=3, augment=True)
    assert torch.equal(drawn.images, drawn.twin_images)
    assert not drawn.twin_differs.any()


def test_twins_leave_the_batch_as_it_was_without_them():
    plain = make_batch(random.Random(5), torch.Generator().manual_seed(5), 32, 24)
    with_twins = twins(seed=5, augment=True)
    assert torch.equal(plain.images, with_twins.images) and plain.captions == with_twins.captions
    assert plain.twin_images is None
