"""``choice_search`` with ``views: true``: a choice scored on a close view of its own part of the picture.

Scored on the whole picture, a choice that draws one of two objects is read beside the other, and a
perceptor tells two small figures' shapes apart less well than one big one's. With ``views``, each object
the positive text prompts place ("a red star on the left", :func:`artkit.places.placed_objects`) is paired
with the placed choice nearest it (:meth:`artkit.Generator.choice_place`), nearest pairs first and one
choice per object; each paired choice's options are then scored by how far the perceptors read a square
view around the choice's place (``view_side`` of the picture wide) from the object's phrase ("a red
star"): the mean over the perceptors of ``1 - cos`` between the view's embedding and the phrase's.
Choices left unpaired are scored on the whole picture as without ``views``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import Tensor

from artkit.components import Perceptor
from artkit.images import close_views
from artkit.places import PlacedObject, placed_objects
from artkit.prompts import positive_texts

if TYPE_CHECKING:
    from artkit.engine.run import Run


class Pairing(NamedTuple):
    """A choice's object and where the choice is now (its view's centre)."""

    object: PlacedObject
    place: tuple[float, float]


def paired_objects(run: Run) -> dict[str, Pairing]:
    """Each paired choice's object and place: the prompts' placed objects, each with the nearest choice not yet
    taken.

    Example: for "a red circle on the left and a blue star on the right" and a vector generator whose shape 1
    sits at the right and shape 2 at the left, shape 1 gets "a blue star" and shape 2 "a red circle".
    """
    objects = [o for text in positive_texts(run.info.prompts) for o in placed_objects(text)]
    places = {choice: run.generator.choice_place(choice) for choice in run.generator.choices()}
    placed = [(choice, place) for choice, place in places.items() if place is not None]
    pairs = sorted(
        (_squared_distance(place, obj.place), order, index)
        for order, (_, place) in enumerate(placed)
        for index, obj in enumerate(objects)
    )
    paired: dict[str, Pairing] = {}
    taken = set()
    for _, order, index in pairs:
        choice, place = placed[order]
        if choice not in paired and index not in taken:
            paired[choice] = Pairing(objects[index], place)
            taken.add(index)
    return paired


def _squared_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


@torch.no_grad()
def phrase_embeddings(perceptors: Sequence[Perceptor], phrase: str) -> list[Tensor]:
    """``phrase`` as each perceptor reads it (1, D each)."""
    return [perceptor.encode_text([phrase]) for perceptor in perceptors]


@torch.no_grad()
def view_distance(
    image: Tensor, place: tuple[float, float], side: float, perceptors: Sequence[Perceptor], phrase: list[Tensor]
) -> float:
    """The mean over ``perceptors`` of ``1 - cos`` between a view of ``image`` (1, 3, H, W) around ``place``,
    ``side`` of the picture wide, and ``phrase`` as each reads it (:func:`phrase_embeddings`)."""
    distances = []
    for perceptor, text in zip(perceptors, phrase, strict=True):
        view = close_views(image.float(), [place], side, perceptor.input_size)
        distances.append(1.0 - float((perceptor.encode_image(view) @ text.T).mean()))
    return sum(distances) / len(distances)
