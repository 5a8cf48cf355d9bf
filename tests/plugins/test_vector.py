import math
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


def test_a_learned_background_has_its_own_learning_rate():
    generator = make(shapes=2, strokes=1, learn_background=True, background_lr_scale=10.0, palette="toy")
    groups = generator.param_groups(0.02)
    assert [g["lr"] for g in groups] == [0.02, pytest.approx(0.2)]
    assert groups[1]["params"] == [generator.paper_logits]
    grouped = [id(p) for g in groups for p in g["params"]]
    assert sorted(grouped) == sorted(id(p) for p in generator.parameters() if p.requires_grad)


def test_a_fixed_background_leaves_one_learning_rate():
    generator = make(shapes=2, strokes=1)
    assert [g["lr"] for g in generator.param_groups(0.02)] == [0.02]


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
    with pytest.raises(pydantic.ValidationError, match="set `learn_background: true`, or leave the scale at 1"):
        VectorGenerator.Config(background_lr_scale=10.0)


def test_a_run_writes_final_svg(out_dir):
    result = artkit.run(tiny_preset(generator={"name": "vector", "strokes": 6}), out=out_dir, progress=False)
    svg = (result.run_dir / "final.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<path") == 6


def choose(generator, kind):
    """Points every primitive shape at ``kind``, opaque, centred, its unit 0.3 of the side."""
    shapes = generator.primitive_shapes
    with torch.no_grad():
        generator.colour_logits[:, 3] = 10.0
        shapes.choice_logits.zero_()
        shapes.choice_logits[:, shapes.kinds.index(kind)] = 1.0
        shapes.centres.fill_(0.5)
        shapes.log_sizes.fill_(math.log(0.3))
        shapes.turns.zero_()


def test_primitive_shapes_show_the_chosen_primitive():
    generator = make(size=(64, 64), strokes=0, shapes=1, primitives=["circle", "square"], colour="red")
    corner = (32 + 15, 32 + 15)  # its centre 15.5 px across and down: inside the square (half side 16.9 px),
    # outside the circle (radius 19.2 px; the corner is 21.9 px away)
    choose(generator, "square")
    red = parse_colour("red")
    assert generator()[0, :, corner[1], corner[0]].tolist() == pytest.approx(red, abs=0.1)
    choose(generator, "circle")
    assert generator()[0, :, corner[1], corner[0]].tolist() == pytest.approx([1, 1, 1], abs=0.1)  # the paper


def test_every_primitive_of_a_shape_gets_a_gradient():
    generator = make(size=(64, 64), strokes=0, shapes=2, primitives=["circle", "star", "ring"])
    (generator() * torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))).sum().backward()
    shapes = generator.primitive_shapes
    assert (shapes.choice_logits.grad != 0).all() and (shapes.centres.grad != 0).all()
    assert generator.shape_points.numel() == 0  # no free outlines beside the primitives


def test_a_primitive_choice_follows_the_gradient():
    generator = make(size=(64, 64), strokes=0, shapes=1, primitives=["circle", "square", "cross"], colour="black")
    choose(generator, "circle")
    target = make(size=(64, 64), strokes=0, shapes=1, primitives=["circle", "square", "cross"], colour="black")
    choose(target, "cross")
    optimizer = torch.optim.Adam([generator.primitive_shapes.choice_logits], lr=0.05)
    for _ in range(30):
        loss = (generator() - target().detach()).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert generator.primitive_shapes.chosen() == ["cross"]


def test_each_primitive_shape_is_a_choice_among_its_primitives():
    generator = make(size=(64, 64), strokes=2, shapes=2, primitives=["circle", "square"], colour="red")
    assert generator.choices() == {"shape 1": ["circle", "square"], "shape 2": ["circle", "square"]}
    choose(generator, "circle")
    generator.choose("shape 2", "square")
    assert [generator.chosen("shape 1"), generator.chosen("shape 2")] == ["circle", "square"]
    assert generator.primitive_shapes.weights()[1, 1] > 0.99  # firmly: the picture shows a square
    with pytest.raises(ValueError, match="no choice 'shape 3'; its choices: shape 1, shape 2"):
        generator.choose("shape 3", "circle")
    assert make(strokes=4, shapes=2).choices() == {}  # free outlines: nothing discrete to choose


def test_svg_draws_each_primitive_shape_as_its_primitive():
    generator = make(size=(64, 64), strokes=3, shapes=2, primitives=["circle", "square"])
    choose(generator, "square")
    root = ET.fromstring(generator.svg())
    assert len(root.findall("{http://www.w3.org/2000/svg}polygon")) == 2
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 3  # the strokes, drawn over the shapes


def test_svg_writes_a_mixed_choice_as_each_primitive_at_its_share():
    generator = make(size=(64, 64), strokes=0, shapes=1, primitives=["circle", "square", "star"])
    with torch.no_grad():
        generator.primitive_shapes.choice_logits.copy_(torch.tensor([[0.0, 0.07, -1.0]]))  # 1/3, 2/3, ~0
    elements = list(ET.fromstring(generator.svg()))[1:]  # after the paper
    assert [e.tag.split("}")[1] for e in elements] == ["circle", "polygon"]  # the strongest on top
    opacities = [float(e.get("fill-opacity")) for e in elements]
    alpha = generator.colours()[0, 3].item()
    assert opacities == pytest.approx([alpha / 3, alpha * 2 / 3], abs=0.01)


def test_bad_primitives():
    with pytest.raises(pydantic.ValidationError, match="unknown primitive 'hexagon'; choose among circle, square"):
        VectorGenerator.Config(shapes=2, primitives=["circle", "hexagon"])
    with pytest.raises(pydantic.ValidationError, match="each primitive once"):
        VectorGenerator.Config(shapes=2, primitives=["circle", "circle"])
    with pytest.raises(pydantic.ValidationError, match="set `shapes` between 1 and 64"):
        VectorGenerator.Config(strokes=4, primitives=["circle"])
    with pytest.raises(pydantic.ValidationError, match="set `shapes` between 1 and 64"):
        VectorGenerator.Config(shapes=65, primitives=["circle"])


def prompted(*texts, **options):
    torch.manual_seed(0)
    prompts = [artkit.Prompt.parse(t) for t in texts]
    return VectorGenerator(VectorGenerator.Config(**options), artkit.RunInfo(size=(64, 64), prompts=prompts))


def test_layout_prompt_starts_a_primitive_shape_at_each_place_the_prompt_names():
    text = "a red circle on the left and a blue square in the top right corner"
    options = {"strokes": 0, "shapes": 3, "primitives": ["circle", "square"]}
    laid_out = prompted(text, layout="prompt", **options).primitive_shapes
    random = prompted(text, **options).primitive_shapes
    assert laid_out.centres[:2].tolist() == [[0.25, 0.5], [0.75, 0.25]]
    assert torch.equal(laid_out.centres[2], random.centres[2])  # a shape the prompt does not place: as drawn
    assert torch.equal(laid_out.log_sizes, random.log_sizes)  # only the places change


def test_layout_prompt_moves_a_free_outline_whole_and_leaves_the_strokes():
    laid_out = prompted("a cat at the bottom", layout="prompt", strokes=3, shapes=1)
    random = prompted("a cat at the bottom", strokes=3, shapes=1)
    assert laid_out.shape_points.mean(dim=(1, 2))[0].tolist() == pytest.approx([0.5, 0.75])
    offset = laid_out.shape_points - random.shape_points
    assert torch.allclose(offset, offset[0, 0, 0])  # every point moved alike: the outline keeps its form
    assert torch.equal(laid_out.stroke_points, random.stroke_points)


def test_layout_prompt_places_the_first_shapes_only_and_skips_negative_prompts():
    texts = ["a fox on the left", {"text": "a blur on the right", "weight": -1}, "a moon in the top left corner"]
    shapes = prompted(*texts, layout="prompt", strokes=0, shapes=1, primitives=["circle"]).primitive_shapes
    assert shapes.centres.tolist() == [[0.25, 0.5]]  # one shape: the first place; the negative prompt's none
    many = prompted(*texts, layout="prompt", strokes=0, shapes=4, primitives=["circle"]).primitive_shapes
    assert many.centres[:2].tolist() == [[0.25, 0.5], [0.25, 0.25]]


def test_layout_prompt_without_places_is_the_random_start():
    laid_out = prompted("a lighthouse at dusk", layout="prompt", strokes=0, shapes=2, primitives=["circle"])
    random = prompted("a lighthouse at dusk", strokes=0, shapes=2, primitives=["circle"])
    assert torch.equal(laid_out.primitive_shapes.centres, random.primitive_shapes.centres)


def test_bad_layout():
    with pytest.raises(pydantic.ValidationError, match="layout"):
        VectorGenerator.Config(shapes=2, layout="grid")
    with pytest.raises(pydantic.ValidationError, match="`layout: prompt` places shapes .*: set `shapes`"):
        VectorGenerator.Config(strokes=8, layout="prompt")


def test_a_shape_choice_is_placed_where_its_shape_is_now():
    text = "a red circle on the left and a blue square in the top right corner"
    generator = prompted(text, layout="prompt", strokes=0, shapes=2, primitives=["circle", "square"])
    assert [generator.choice_place(c) for c in generator.choices()] == [(0.25, 0.5), (0.75, 0.25)]
    with torch.no_grad():
        generator.primitive_shapes.centres[1] = torch.tensor([0.5, 0.75])  # moved by the optimiser
    assert generator.choice_place("shape 2") == (0.5, 0.75)


def test_upright_shapes_learn_no_turn():
    options = {"strokes": 0, "shapes": 2, "primitives": ["square", "star"]}
    upright, turning = make(size=(32, 32), upright=True, **options), make(size=(32, 32), **options)
    for generator in (upright, turning):
        optimizer = torch.optim.Adam([p for g in generator.param_groups(0.1) for p in g["params"]], lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            generator()[..., :16, :].sum().backward()  # a lopsided pull, which a turn can answer
            optimizer.step()
    assert torch.equal(upright.primitive_shapes.turns, torch.zeros(2))
    assert turning.primitive_shapes.turns.abs().sum() > 0
    with pytest.raises(pydantic.ValidationError, match="`upright` keeps primitive shapes unturned"):
        make(upright=True, strokes=2)
