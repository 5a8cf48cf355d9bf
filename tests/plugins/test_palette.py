import pydantic
import pytest
import torch
from artkit_plugins.generators.palette import PaletteGenerator
from PIL import Image

import artkit
from artkit.colours import parse_colour
from artkit.palettes import NAMED_PALETTES, kmeans_colours


def make(size=(16, 16), seed=0, **options):
    torch.manual_seed(seed)
    return PaletteGenerator(PaletteGenerator.Config(**options), artkit.RunInfo(size=size))


def colours_in(image):
    return {tuple(round(v, 4) for v in px) for px in image[0].reshape(3, -1).T.tolist()}


def test_hard_draws_only_palette_colours():
    generator = make(palette=["red", "blue", "#00ff00"], hard=True, pixel_size=2)
    allowed = {tuple(round(v, 4) for v in parse_colour(c)) for c in ("red", "blue", "#00ff00")}
    assert colours_in(generator()) <= allowed


def test_pixel_size_makes_square_blocks():
    image = make(pixel_size=4)()
    block = image[0, :, 4:8, 8:12]
    assert torch.equal(block, block[:, :1, :1].expand_as(block))


def test_named_palettes_load():
    for name, colours in NAMED_PALETTES.items():
        assert make(palette=name).palette.shape == (len(colours), 3)


def test_palette_from_an_image(tmp_path):
    path = tmp_path / "two.png"
    image = Image.new("RGB", (20, 10), (255, 0, 0))
    image.paste((0, 0, 255), (10, 0, 20, 10))
    image.save(path)
    palette = make(palette=str(path), colours=2).palette
    found = sorted(tuple(round(v, 1) for v in c) for c in palette.tolist())
    assert found == [(0.0, 0.0, 1.0), (1.0, 0.0, 0.0)]


def test_kmeans_finds_clusters():
    pixels = torch.cat([torch.full((50, 3), 0.1), torch.full((50, 3), 0.9)]) + 0.01 * torch.randn(100, 3)
    centres = sorted(kmeans_colours(pixels, 2)[:, 0].tolist())
    assert centres[0] == pytest.approx(0.1, abs=0.02) and centres[1] == pytest.approx(0.9, abs=0.02)


def test_learned_palette_receives_gradients():
    generator = make(learn_palette=True)
    generator().mean().backward()
    assert generator.palette_logits.grad.abs().sum() > 0


def test_colour_init_leans_to_the_nearest_palette_colour():
    image = make(palette="toy", init="#ee1111", init_noise=0.0, temperature=0.2)()
    assert image[0, 0].mean() > 0.8 and image[0, 1].mean() < 0.2


def test_unknown_palette_name():
    with pytest.raises(artkit.ConfigError, match="generator.palette: unknown palette 'vaporwave'"):
        make(palette="vaporwave")


def test_bad_colour_in_palette():
    with pytest.raises(pydantic.ValidationError, match="unknown colour 'reddish'"):
        PaletteGenerator.Config(palette=["red", "reddish"])
