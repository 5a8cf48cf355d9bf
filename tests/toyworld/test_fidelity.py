"""Pixel statistics of a picture: its field's colour and how much of a colour its figures show."""

import torch

from artkit.toyworld.fidelity import field_colour, figure_share
from artkit.toyworld.render import render
from artkit.toyworld.scene import Scene, ToyObject


def scene(colour: str, background: str, position: str = "left") -> torch.Tensor:
    return render([Scene(background, (ToyObject("circle", colour, position, "big"),))], size=64, seed=0)


def test_the_field_is_the_background_even_where_the_figure_reaches_the_border():
    assert field_colour(scene("red", "green")) == "green"
    assert field_colour(scene("yellow", "purple", "top left")) == "purple"


def test_a_figure_shows_its_colour_and_a_field_of_that_colour_shows_none():
    red_on_green = scene("red", "green")
    assert 0.05 < figure_share(red_on_green, "red") < 0.5
    assert figure_share(red_on_green, "green") == 0.0
    assert figure_share(scene("blue", "red"), "red") == 0.0
