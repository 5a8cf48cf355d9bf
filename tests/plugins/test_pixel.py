import pytest
import torch
from artkit_plugins.generators.pixel import PixelGenerator
from PIL import Image

import artkit
from artkit.errors import ConfigError


def make(size=(16, 8), **options):
    return PixelGenerator(PixelGenerator.Config(**options), artkit.RunInfo(size=size))


def test_colour_init_gives_that_colour():
    image = make(init="red", init_noise=0.0)()
    assert torch.allclose(image[0, :, 0, 0], torch.tensor([0.90, 0.10, 0.10]), atol=1e-3)


def test_init_image_is_loaded_and_resized(tmp_path):
    path = tmp_path / "blue.png"
    Image.new("RGB", (40, 20), (0, 0, 255)).save(path)
    image = make(init_image=str(path), init_noise=0.0)()
    assert image.shape == (1, 3, 8, 16)
    assert image[0, 2].mean() > 0.99 and image[0, 0].mean() < 0.01


def test_missing_init_image_names_the_field(tmp_path):
    with pytest.raises(ConfigError, match="generator.init_image: image file .* does not exist"):
        make(init_image=str(tmp_path / "nope.png"))


def test_non_image_init_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ConfigError, match="not an image artkit can read"):
        make(init_image=str(path))


def test_pixel_size_makes_blocks():
    image = make(size=(16, 16), pixel_size=4, upsample="nearest")()
    block = image[0, :, :4, :4]
    assert torch.allclose(block, block[:, :1, :1].expand_as(block))


def test_bad_colour_is_rejected():
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="unknown colour 'reddish'"):
        PixelGenerator.Config(init="reddish")
