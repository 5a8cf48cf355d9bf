"""Prompts: what the picture should (or should not) show, as text or as an image."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Prompt(BaseModel):
    """One target: ``text`` or ``image`` (a path), a ``weight`` (negative pushes away) and a ``stop``.

    ``stop`` floors the distance: once a prompt is that close it stops pulling.

    Example:
        >>> Prompt.parse("a red circle").weight
        1.0
        >>> Prompt.parse({"text": "noise", "weight": -0.5}).weight
        -0.5
    """

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    image: str | None = None
    weight: float = 1.0
    stop: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _one_target(self) -> Prompt:
        if (self.text is None) == (self.image is None):
            raise ValueError("give exactly one of `text` or `image`")
        if self.text is not None and not self.text.strip():
            raise ValueError("`text` must not be empty")
        return self

    @classmethod
    def parse(cls, value: object) -> Prompt:
        if isinstance(value, Prompt):
            return value
        if isinstance(value, str):
            return cls(text=value)
        return cls.model_validate(value)

    def describe(self) -> str:
        target = self.text if self.text is not None else f"image {self.image}"
        return target if self.weight == 1.0 else f"{target} (weight {self.weight:g})"


def positive_texts(prompts: Iterable[Prompt]) -> list[str]:
    """The texts of the text prompts of positive weight, in order: what a run asks its picture to show.

    Example:
        >>> positive_texts([Prompt.parse("a fox"), Prompt.parse({"text": "blur", "weight": -1}), Prompt(image="x.png")])
        ['a fox']
    """
    return [p.text for p in prompts if p.text is not None and p.weight > 0]
