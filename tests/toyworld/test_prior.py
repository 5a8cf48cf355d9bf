import random

import pytest
import torch

from artkit.toyworld import prior
from artkit.toyworld.prior import SIZE, TEXT_DIM, Denoiser, caption_embeddings, guided, sample
from artkit.toyworld.scene import Scene, ToyObject


@pytest.fixture(scope="module")
def shipped():
    return prior.load()


def scene_image(scene: Scene, seed: int = 0) -> torch.Tensor:
    from artkit.toyworld.render import render

    image = render([scene], size=2 * SIZE, seed=seed)
    return torch.nn.functional.avg_pool2d(image, 2) * 2 - 1


def test_tiny_noise_returns_the_input():
    torch.manual_seed(0)
    model = Denoiser().eval()
    x = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    out = model(x, torch.full((2,), 1e-4), torch.zeros(2, TEXT_DIM))
    assert torch.allclose(out, x, atol=1e-3)


def test_guidance_scale_one_is_the_conditional_estimate():
    torch.manual_seed(0)
    model = Denoiser().eval()
    x, sigma, text = torch.randn(2, 3, SIZE, SIZE), torch.full((2,), 0.5), torch.randn(2, TEXT_DIM)
    with torch.no_grad():
        assert torch.allclose(guided(model, x, sigma, text, 1.0), model(x, sigma, text))
        uncond = model(x, sigma, torch.zeros_like(text))
        doubled = guided(model, x, sigma, text, 2.0)
    assert torch.allclose(doubled, 2 * model(x, sigma, text) - uncond, atol=1e-5)


def test_samples_are_images_and_reproducible():
    model = Denoiser().eval()
    text = torch.zeros(2, TEXT_DIM)
    a, b = sample(model, text, steps=3, seed=5), sample(model, text, steps=3, seed=5)
    assert a.shape == (2, 3, SIZE, SIZE) and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b)


@pytest.mark.parametrize(
    "options",
    [{}, {"coords": True}, {"coords": True, "layout": True}, {"coords": True, "layout": True, "fine_layout": True}],
)
def test_save_and_load_round_trip(tmp_path, options):
    torch.manual_seed(0)
    model = Denoiser(**options).eval()
    for layout in (model.layout, model.fine_layout):
        if layout is not None:  # starts at zero; make it matter
            torch.nn.init.normal_(layout.mix.weight, std=0.1)
    prior.save(model, tmp_path / "p.safetensors", {"seed": "0"})
    loaded = prior.load(tmp_path / "p.safetensors")
    assert loaded.config == model.config
    x, sigma, text = torch.randn(1, 3, SIZE, SIZE), torch.full((1,), 0.3), torch.randn(1, TEXT_DIM)
    with torch.no_grad():
        assert torch.allclose(loaded(x, sigma, text), model(x, sigma, text), atol=2e-2)
    assert not any(p.requires_grad for p in loaded.parameters())


def test_growing_coordinates_and_a_layout_keeps_what_the_model_computes():
    from artkit.toyworld.train_prior import grown

    torch.manual_seed(0)
    model = Denoiser().eval()
    bigger = grown(model, coords=True, layout=True, fine_layout=True).eval()
    assert bigger.config["coords"] and bigger.config["layout"] and bigger.config["fine_layout"]
    x, sigma, text = torch.randn(2, 3, SIZE, SIZE), torch.full((2,), 1.0), torch.randn(2, TEXT_DIM)
    with torch.no_grad():
        assert torch.allclose(bigger(x, sigma, text), model(x, sigma, text), atol=1e-5)
    assert grown(bigger, coords=False, layout=False) is bigger  # nothing to add


def test_a_few_training_steps_lower_the_denoising_loss():
    from artkit.toyworld.train_prior import batch, denoising_loss

    torch.manual_seed(0)
    model = Denoiser()
    clean, _ = batch(random.Random(0), 16, seed=0)
    text = torch.zeros(16, TEXT_DIM)

    def loss_at(seed: int) -> float:
        with torch.no_grad():
            return denoising_loss(model, clean, text, torch.Generator().manual_seed(seed)).item()

    before = loss_at(1)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for step in range(30):
        optimizer.zero_grad()
        denoising_loss(model, clean, text, torch.Generator().manual_seed(100 + step)).backward()
        optimizer.step()
    assert loss_at(1) < 0.9 * before


def test_the_shipped_prior_uses_the_caption(shipped):
    """At a noise level that hides the scene, the caption tells the denoiser what it was (its colours)."""

    scene = Scene("black", (ToyObject("circle", "red", "left", "big"),))
    clean = scene_image(scene)
    noisy = clean + 6.0 * torch.randn(clean.shape, generator=torch.Generator().manual_seed(0))
    sigma = torch.full((1,), 6.0)
    with torch.no_grad():
        right = shipped(noisy, sigma, caption_embeddings(["a big red circle on a black background"], shipped.text))
        wrong = shipped(noisy, sigma, caption_embeddings(["a big blue circle on a white background"], shipped.text))
    assert (right - clean).pow(2).mean() < 0.5 * (wrong - clean).pow(2).mean()


def test_the_shipped_prior_draws_the_captions_colour(shipped):
    """Sampled from noise, a red caption draws more red than a blue one, and a blue one more blue.

    The captions name a black background: where they name none, the prior picks a field (green, purple) whose
    colour outweighs the object's in a whole-picture measure."""

    def colour_shares(caption: str) -> torch.Tensor:
        images = sample(shipped, caption_embeddings([caption], shipped.text).repeat(4, 1), steps=16, seed=0)
        excess = (images - images.mean(1, keepdim=True)).clamp(min=0)  # how far each channel leads
        return excess.mean(dim=(0, 2, 3))

    red = colour_shares("a big red square on a black background")
    blue = colour_shares("a big blue square on a black background")
    assert red[0] > blue[0] and blue[2] > red[2]


def test_a_negative_caption_replaces_the_blank_one():
    torch.manual_seed(0)
    model = Denoiser().eval()
    x, sigma = torch.randn(2, 3, SIZE, SIZE), torch.full((2,), 0.5)
    text, negative = torch.randn(2, TEXT_DIM), torch.randn(TEXT_DIM)
    with torch.no_grad():
        expected = 3 * model(x, sigma, text) - 2 * model(x, sigma, negative.expand_as(text))
        assert torch.allclose(guided(model, x, sigma, text, 3.0, negative), expected, atol=1e-5)


def test_the_shipped_prior_puts_an_object_where_its_caption_says(shipped):
    """From noise alone, the estimate for "... on the left" is red on the left, and so on for each side."""

    def red_centre(caption: str) -> tuple[float, float]:
        noise = 3.0 * torch.randn(8, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
        text = caption_embeddings([caption], shipped.text).expand(8, -1)
        with torch.no_grad():
            estimate = guided(shipped, noise, torch.full((8,), 3.0), text, 3.0)
        red = (estimate[:, 0] - estimate[:, 1:].amax(1)).clamp(min=0).mean(0)  # how far red leads, (H, W)
        ramp = torch.linspace(-1, 1, SIZE)
        return float((red * ramp).sum() / red.sum()), float((red * ramp[:, None]).sum() / red.sum())

    left, right = red_centre("a red circle on the left"), red_centre("a red circle on the right")
    top, bottom = red_centre("a red circle at the top"), red_centre("a red circle at the bottom")
    assert left[0] < -0.2 and right[0] > 0.2
    assert top[1] < -0.2 and bottom[1] > 0.2


def test_the_shipped_prior_reads_the_shape_word(shipped):
    """Told the wrong shape, the denoiser errs more: at noise 2 it draws the outline the caption names."""
    from dataclasses import replace as changed

    from artkit.toyworld.captions import full_caption
    from artkit.toyworld.scene import sample_scene
    from artkit.toyworld.vocab import SHAPES

    rng = random.Random(99)
    scenes = [sample_scene(rng, two_objects_p=0.0) for _ in range(48)]
    wrong = [
        Scene(s.background, (changed(s.objects[0], shape=rng.choice([x for x in SHAPES if x != s.objects[0].shape])),))
        for s in scenes
    ]
    clean = torch.cat([scene_image(s, seed=i) for i, s in enumerate(scenes)])
    noisy = clean + 2.0 * torch.randn(clean.shape, generator=torch.Generator().manual_seed(1))
    sigma = torch.full((len(scenes),), 2.0)

    def error(captions: list[str]) -> float:
        with torch.no_grad():
            return float((shipped(noisy, sigma, caption_embeddings(captions, shipped.text)) - clean).pow(2).mean())

    right, told_wrong = error([full_caption(s) for s in scenes]), error([full_caption(s) for s in wrong])
    assert told_wrong > 1.1 * right, (right, told_wrong)


def test_loading_leaves_the_global_random_state_alone():
    """A run's first load of the prior (it is cached after) must not change the run's random draws."""
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    prior.load()
    assert torch.equal(torch.rand(3), expected)


def test_the_shipped_priors_conditioning_tells_the_shapes_apart(shipped):
    """Captions that differ only in shape are far apart in what conditions the denoiser, not only in colour.

    The robust toyclip's text tower alone put "a red circle" and "a red square" almost on top of each other
    (standardised, 0.7 apart against 9 for the closest two colours); the shapes toyclip's beside it spreads them.
    """

    def closest(captions: list[str]) -> float:
        standard = (caption_embeddings(captions, shipped.text) - shipped.text_mean) / shipped.text_std
        distances = torch.cdist(standard, standard)
        return float(distances[distances > 0].min())

    shapes = closest(
        [f"a red {shape} on the left" for shape in ("circle", "square", "triangle", "star", "ring", "cross")]
    )
    colours = closest([f"a {colour} circle on the left" for colour in ("red", "green", "blue", "yellow", "white")])
    assert shapes > 0.3 * colours, (shapes, colours)


def test_a_plain_share_of_training_scenes_are_fields_captioned_by_their_colour():
    from artkit.toyworld.train_prior import batch

    images, captions = batch(random.Random(0), 64, seed=0, plain_share=0.5)
    plain = [i for i, c in enumerate(captions) if c.endswith("background") and " on " not in c]
    assert 16 < len(plain) < 48
    assert all(len(captions[i].split()) <= 4 for i in plain)  # "a (plain) blue background"
    spread = images[plain].flatten(2).std(-1).amax(-1)
    assert (spread < 0.1).all()  # nothing drawn on them
    figures = [i for i in range(64) if i not in plain]
    assert (images[figures].flatten(2).std(-1).amax(-1) > 0.1).all()
    _, unchanged = batch(random.Random(0), 8, seed=0, plain_share=0.0)
    assert all(" on " in c or "background" not in c for c in unchanged)


def test_favoured_shapes_are_drawn_and_captioned_in_their_share_of_training_scenes():
    from artkit.toyworld.train_prior import Favour, batch

    _, captions = batch(random.Random(0), 96, seed=0, favour=Favour(("circle", "star"), 0.5))
    _, plain = batch(random.Random(0), 96, seed=0)
    favoured = sum("circle" in c or "star" in c for c in captions)
    assert favoured > 96 * (0.5 + 0.5 / 3) * 0.8 > sum("circle" in c or "star" in c for c in plain)
    _, every = batch(random.Random(1), 32, seed=0, favour=Favour(("ring",), 1.0))
    assert all("ring" in c for c in every)


def test_a_model_given_another_toyclips_captions_computes_what_it_did():
    from artkit.toyworld.train_prior import with_text

    torch.manual_seed(0)
    model = Denoiser(coords=True, layout=True, fine_layout=True)
    wider = with_text(model, ("robust", "shapes")).eval()
    assert wider.text == ("robust", "shapes") and wider.config["text_dim"] == 2 * TEXT_DIM
    x, sigma, text = torch.randn(2, 3, SIZE, SIZE), torch.full((2,), 0.7), torch.randn(2, TEXT_DIM)
    more = torch.cat([text, torch.randn(2, TEXT_DIM)], dim=1)
    with torch.no_grad():
        assert torch.allclose(wider(x, sigma, more), model.eval()(x, sigma, text), atol=1e-5)
    with pytest.raises(ValueError, match="robust"):
        with_text(model, ("shapes",))


def test_a_continued_stage_starts_from_the_weights_and_draws_as_the_shipped_stages_did(tmp_path):
    from artkit.toyworld.train_prior import continued

    torch.manual_seed(0)
    model = Denoiser(coords=True).eval()
    prior.save(model, tmp_path / "p.safetensors", {"seed": "0"})
    torch.manual_seed(5)
    resumed = continued(tmp_path / "p.safetensors")
    after_continued = torch.rand(3)
    torch.manual_seed(5)
    Denoiser(coords=True)  # the shipped stages loaded their --init over a fresh model of its shape
    assert torch.equal(after_continued, torch.rand(3))
    assert resumed.training and all(p.requires_grad for p in resumed.parameters())
    x, sigma, text = torch.randn(1, 3, SIZE, SIZE), torch.full((1,), 0.3), torch.randn(1, TEXT_DIM)
    with torch.no_grad():
        assert torch.allclose(resumed.eval()(x, sigma, text), model(x, sigma, text), atol=2e-2)


def test_a_stage_trains_from_scratch_and_a_later_one_widens_its_captions(tmp_path):
    """One step from scratch (the robust toyclip's captions), then one that adds the shapes toyclip's."""
    from artkit.toyworld.train_prior import parser, train

    first, second = tmp_path / "one" / "p.safetensors", tmp_path / "two" / "p.safetensors"
    common = ["--steps", "1", "--batch-size", "2", "--threads", "1"]
    train(parser().parse_args([*common, "--out", str(first)]))
    assert prior.load(first).text == ("robust",)
    train(parser().parse_args([*common, "--init", str(first), "--text", "robust", "shapes", "--out", str(second)]))
    widened = prior.load(second)
    assert widened.text == ("robust", "shapes") and widened.config["text_dim"] == 2 * TEXT_DIM
    assert "--text robust shapes" in (second.parent / "p_report.json").read_text()
