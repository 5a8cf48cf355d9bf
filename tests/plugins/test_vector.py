import xml.etree.ElementTree as ET

import pydantic
import pytest
import torch
from artkit_plugins.generators.vector import VectorGenerator
from conftest import tiny_preset
from PIL import Image

import artkit
from artkit.colours import parse_colour


def make(size=(48, 32), seed=0, **options):
    torch.manual_seed(seed)
    return VectorGenerator(VectorGenerator.Config(**options), artkit.RunInfo(size=size))


def test_svg_has_every_stroke_and_shape():
    generator = make(strokes=5, shapes=2)
    root = ET.fromstring(generator.svg())
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 7
    assert sum(p.get("fill") == "none" for p in paths) == 5
    assert root.get("width") == "48" and root.get("height") == "32"


def test_shapes_have_the_asked_number_of_joined_curves():
    generator = make(strokes=0, shapes=2, curves_per_shape=5)
    points = generator.shape_points
    assert points.shape == (2, 5, 4, 2)
    assert torch.equal(points[:, 1:, 0], points[:, :-1, 3]) and torch.equal(points[:, 0, 0], points[:, -1, 3])
    path = ET.fromstring(generator.svg()).find("{http://www.w3.org/2000/svg}path")
    assert path.get("d").count("C ") == 5


def test_fixed_colour_is_not_learned():
    generator = make(strokes=4, colour="black")
    assert not generator.colour_logits.requires_grad
    assert torch.allclose(generator.colours()[:, :3], torch.tensor(parse_colour("black")).expand(4, 3), atol=0.03)


def test_background_shows_where_nothing_is_drawn():
    generator = make(strokes=1, background="blue", max_width=1.0, min_width=1.0, stroke_length=0.01)
    image = generator()
    blue = torch.tensor(parse_colour("blue")).view(3, 1)
    assert ((image[0].reshape(3, -1) - blue).abs().amax(0) < 1e-3).float().mean() > 0.9


def test_a_fixed_background_is_not_a_parameter():
    generator = make(strokes=2, background="blue")
    assert not hasattr(generator, "paper_logits")
    assert torch.equal(generator.paper_colour(), torch.tensor(parse_colour("blue")))


@pytest.mark.parametrize("palette", [None, "toy"])
def test_a_learned_background_starts_as_background_and_follows_the_gradient(palette):
    generator = make(
        shapes=1, strokes=0, stroke_length=0.05, background="black", learn_background=True, palette=palette
    )
    assert torch.allclose(generator.paper_colour(), torch.zeros(3), atol=0.05)
    optimizer = torch.optim.Adam([generator.paper_logits], lr=0.3)
    white = torch.ones(3, 1, 1)
    for _ in range(60):
        loss = (generator()[0] - white).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert torch.allclose(generator.paper_colour(), torch.ones(3), atol=0.05)
    fill = ET.fromstring(generator.svg()).find("{http://www.w3.org/2000/svg}rect").get("fill")
    assert all(int(v) >= 243 for v in fill.removeprefix("rgb(").removesuffix(")").split(","))


def test_init_image_gives_the_strokes_its_colours(tmp_path):
    path = tmp_path / "red.png"
    Image.new("RGB", (48, 32), (255, 0, 0)).save(path)
    colours = make(strokes=6, init_image=str(path)).colours()
    assert (colours[:, 0] > 0.95).all() and (colours[:, 1] < 0.05).all()


def test_a_palette_keeps_every_colour_a_mix_of_its_colours():
    generator = make(strokes=4, shapes=2, palette=["#ff0000", "#0000ff"])
    optimizer = torch.optim.Adam(generator.parameters(), lr=0.1)
    for _ in range(30):  # pull every colour towards green, which the palette lacks
        loss = (generator.colours()[:, :3] - torch.tensor([0.0, 1.0, 0.0])).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    rgb = generator.colours()[:, :3]
    assert torch.allclose(rgb[:, 0] + rgb[:, 2], torch.ones(6)) and (rgb[:, 1] == 0).all()
    assert generator.palette_logits.grad.abs().sum() > 0


def test_a_palette_choice_follows_the_gradient():
    generator = make(shapes=3, strokes=0, palette="toy")
    optimizer = torch.optim.Adam(generator.parameters(), lr=0.1)
    for _ in range(40):
        loss = (generator.colours()[:, :3] - torch.tensor(parse_colour("orange"))).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert torch.allclose(generator.colours()[:, :3], torch.tensor(parse_colour("orange")).expand(3, 3), atol=0.05)


def test_init_image_leans_to_the_nearest_palette_colour(tmp_path):
    path = tmp_path / "reddish.png"
    Image.new("RGB", (48, 32), (230, 40, 30)).save(path)
    colours = make(strokes=6, init_image=str(path), palette=["#ff0000", "#0000ff", "#ffffff"]).colours()
    assert (colours[:, 0] > 0.95).all() and (colours[:, 2] < 0.05).all()


def test_widths_stay_in_range():
    generator = make(strokes=8, min_width=2.0, max_width=3.0)
    widths = generator.widths()
    assert widths.min() >= 2.0 and widths.max() <= 3.0


def test_bad_options():
    with pytest.raises(pydantic.ValidationError, match="min_width must not exceed max_width"):
        VectorGenerator.Config(min_width=5, max_width=2)
    with pytest.raises(pydantic.ValidationError, match="at least one stroke or shape"):
        VectorGenerator.Config(strokes=0)
    with pytest.raises(pydantic.ValidationError, match="`colour` .* or `palette` .*, not both"):
        VectorGenerator.Config(colour="black", palette="toy")
    with pytest.raises(pydantic.ValidationError, match="unknown colour 'reddish'"):
        VectorGenerator.Config(palette=["red", "reddish"])


def test_a_run_writes_final_svg(out_dir):
    result = artkit.run(tiny_preset(generator={"name": "vector", "strokes": 6}), out=out_dir, progress=False)
    svg = (result.run_dir / "final.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<path") == 6
