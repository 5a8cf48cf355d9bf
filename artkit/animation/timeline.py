"""Prompt timelines: keyframes like ``{0: "a forest", 48: "a city at night"}``, with each prompt's
weight blended linearly between the keyframes around a frame.

Example:
    >>> line = Timeline({0: "a forest", 10: "a city"})
    >>> line.texts
    ['a forest', 'a city']
    >>> line.weights(5)
    [0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Mapping

from artkit.errors import ConfigError


class Timeline:
    """Keyframes (frame index -> prompt text); ``texts`` are the distinct prompts in order of appearance."""

    def __init__(self, keyframes: Mapping[int, str], field: str = "animation.prompts") -> None:
        if not keyframes:
            raise ConfigError(f'{field}: give at least one keyframe, like {{0: "a forest", 48: "a city"}}.')
        self.keys = sorted(keyframes)
        if self.keys[0] < 0:
            raise ConfigError(f"{field}: keyframe {self.keys[0]} is negative; frames count from 0.")
        self.prompts = [keyframes[k] for k in self.keys]
        self.texts = list(dict.fromkeys(self.prompts))

    def weights(self, frame: int) -> list[float]:
        """Each of ``texts``' weight at ``frame``: 1 at its keyframes, linear in between, 0 elsewhere."""
        weights = dict.fromkeys(self.texts, 0.0)
        if frame <= self.keys[0]:
            weights[self.prompts[0]] = 1.0
        elif frame >= self.keys[-1]:
            weights[self.prompts[-1]] = 1.0
        else:
            i = max(j for j, k in enumerate(self.keys) if k <= frame)
            share = (frame - self.keys[i]) / (self.keys[i + 1] - self.keys[i])
            weights[self.prompts[i]] += 1.0 - share
            weights[self.prompts[i + 1]] += share
        return [weights[text] for text in self.texts]
