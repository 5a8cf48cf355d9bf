"""Captions for toy-world scenes, written from several templates so toyclip learns words, not one layout."""

from __future__ import annotations

import random

from artkit.toyworld.scene import Scene, ToyObject
from artkit.toyworld.vocab import position_phrase


def article(word: str) -> str:
    """``a`` or ``an`` before ``word``.

    Example:
        >>> article("orange"), article("red")
        ('an', 'a')
    """
    return "an" if word[0] in "aeiou" else "a"


def _object_phrase(obj: ToyObject, rng: random.Random, with_size: bool, with_position: bool) -> str:
    words = [obj.size] if with_size else []
    words += [obj.colour, obj.shape]
    phrase = f"{article(words[0])} {' '.join(words)}"
    if with_position:
        phrase += " " + position_phrase(obj.position)
    return phrase


def _short_form(obj: ToyObject) -> str:
    where = f"{obj.position} side" if obj.position in ("left", "right") else obj.position
    return f"{obj.colour} {obj.shape}, {where}"


def _plain_caption(background: str, rng: random.Random) -> str:
    words = f"plain {background}" if rng.random() < 0.3 else background
    return f"{article(words)} {words} background"


def describe(scene: Scene, rng: random.Random) -> str:
    """A caption that is true of ``scene``; which details it names is random.

    Example:
        >>> from artkit.toyworld.scene import ToyObject, Scene
        >>> s = Scene("black", (ToyObject("circle", "red", "left", "big"),))
        >>> describe(s, random.Random(3)).count("red")
        1
        >>> describe(Scene("blue"), random.Random(0))
        'a blue background'
    """
    if not scene.objects:
        return _plain_caption(scene.background, rng)
    if len(scene.objects) == 1 and rng.random() < 0.12:
        text = _short_form(scene.objects[0])
    else:
        with_position = rng.random() < 0.8
        phrases = [_object_phrase(o, rng, rng.random() < 0.3, with_position) for o in scene.objects]
        text = " and ".join(phrases)
    if rng.random() < 0.6:
        text += f" on {article(scene.background)} {scene.background} background"
    return text


def full_caption(scene: Scene) -> str:
    """The caption naming every attribute of the scene, as the evaluation uses.

    Example:
        >>> from artkit.toyworld.scene import ToyObject, Scene
        >>> full_caption(Scene("white", (ToyObject("star", "blue", "top", "small"),)))
        'a small blue star at the top on a white background'
    """
    rng = random.Random(0)
    phrases = [_object_phrase(o, rng, True, True) for o in scene.objects]
    return " and ".join(phrases) + f" on {article(scene.background)} {scene.background} background"
