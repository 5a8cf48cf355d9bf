"""The preset schema: top-level keys, their types and defaults. Component options are checked later,
against each component's own ``Config`` (see :mod:`artkit.resolve`)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from artkit.prompts import Prompt

MAX_SIDE = 4096
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


class OptimizerConfig(BaseModel):
    """``optimizer:`` which optimiser, its learning rate and schedule."""

    model_config = ConfigDict(extra="forbid")

    name: Literal["adam", "adamw", "sgd"] = "adam"
    lr: float = Field(default=0.05, gt=0)
    schedule: Literal["constant", "cosine", "step"] = "constant"
    warmup: int = Field(default=0, ge=0)
    weight_decay: float = Field(default=0.0, ge=0)
    momentum: float = Field(default=0.9, ge=0, lt=1)


class CandidatesConfig(BaseModel):
    """``candidates:`` try several starts for a few steps each and run the most promising one in full."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=1, le=64)
    steps: int = Field(default=50, ge=1, le=1_000_000)


class ChoiceSearchConfig(BaseModel):
    """``choice_search:`` at these shares of the run, try every option of each of the generator's discrete choices."""

    model_config = ConfigDict(extra="forbid")

    at: list[float] = Field(default_factory=list)
    draws: int = Field(default=2, ge=1, le=64)
    losses: list[str] = Field(default_factory=list)
    views: bool = False  # score a choice placed near an object the prompt places on a close view of it
    view_side: float = Field(default=0.5, gt=0.0, le=1.0)

    @field_validator("at")
    @classmethod
    def _shares_of_the_run(cls, value: list[float]) -> list[float]:
        if any(not 0 < share <= 1 for share in value):
            raise ValueError(f"give shares of the run's steps, above 0 and at most 1 (0.5 is halfway). Got {value}")
        return sorted(set(value))

    def steps(self, steps: int) -> set[int]:
        """The steps of a run of ``steps`` after which to search.

        Example:
            >>> sorted(ChoiceSearchConfig(at=[0.5, 0.8]).steps(150))
            [75, 120]
        """
        return {max(1, round(share * steps)) for share in self.at}


class AnimationConfig(BaseModel):
    """``animation:`` frames, timing, motion expressions and a prompt timeline."""

    model_config = ConfigDict(extra="forbid")

    frames: int = Field(default=24, ge=1, le=100_000)
    fps: int = Field(default=12, ge=1, le=120)
    steps_per_frame: int = Field(default=10, ge=1, le=100_000)
    first_frame_steps: int = Field(default=50, ge=1, le=1_000_000)
    zoom: float | str = 1.0
    rotate: float | str = 0.0
    translate_x: float | str = 0.0
    translate_y: float | str = 0.0
    prompts: dict[int, str] = Field(default_factory=dict)
    coherence: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _check_expressions(self) -> AnimationConfig:
        from artkit.animation.expressions import Expression

        for name in ("zoom", "rotate", "translate_x", "translate_y"):
            Expression(getattr(self, name), field=f"animation.{name}")(0, 0.0, self.frames, self.fps)
        if self.zoom_is_positive() is False:
            raise ValueError("zoom must stay above 0 (1 is still, 1.02 moves in by 2% a frame)")
        return self

    def zoom_is_positive(self) -> bool:
        from artkit.animation.expressions import Expression

        zoom = Expression(self.zoom, field="animation.zoom")
        return all(zoom(f, f / self.fps, self.frames, self.fps) > 0 for f in range(min(self.frames, 1000)))

    @property
    def total_steps(self) -> int:
        return self.first_frame_steps + (self.frames - 1) * self.steps_per_frame


class RunConfig(BaseModel):
    """A whole preset, after ``extends`` and overrides are applied."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    size: tuple[int, int] = (64, 64)
    steps: int = Field(default=100, ge=1, le=1_000_000)
    device: str = "auto"
    prompts: list[Prompt] = Field(default_factory=list)
    generator: dict[str, Any] = Field(default_factory=lambda: {"name": "pixel"})
    perceptors: list[dict[str, Any]] = Field(default_factory=list)
    losses: list[dict[str, Any]] = Field(default_factory=list)
    augmentations: list[dict[str, Any]] = Field(default_factory=list)
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    outputs: list[dict[str, Any]] = Field(default_factory=lambda: [{"name": "metrics"}])
    plugins: list[str] = Field(default_factory=list)
    checkpoint_every: int = Field(default=100, ge=0, le=1_000_000)
    fault_check_every: int = Field(default=10, ge=1, le=1_000_000)
    max_faults: int = Field(default=3, ge=0, le=100)
    autocast: Literal["none", "auto", "bf16", "fp16"] = "none"
    cut_batches: int = Field(default=1, ge=1, le=1024)
    compile: Literal["none", "default", "reduce-overhead", "max-autotune"] = "none"
    animation: AnimationConfig | None = None
    candidates: CandidatesConfig = Field(default_factory=CandidatesConfig)
    choice_search: ChoiceSearchConfig = Field(default_factory=ChoiceSearchConfig)

    @model_validator(mode="after")
    def _animation_sets_steps_and_prompts(self) -> RunConfig:
        if self.animation is None:
            return self
        if self.candidates.count > 1:
            raise ValueError(
                "candidates: works on still images only (an animation's frames build on each other); "
                "remove `candidates` or `animation`"
            )
        self.steps = self.animation.total_steps
        if self.animation.prompts:
            texts = list(dict.fromkeys(self.animation.prompts[k] for k in sorted(self.animation.prompts)))
            if self.prompts and [p.text for p in self.prompts] != texts:
                raise ValueError("give the prompts either in `prompts` or as an `animation.prompts` timeline, not both")
            self.prompts = [Prompt(text=t) for t in texts]
        return self

    @field_validator("candidates", mode="before")
    @classmethod
    def _candidates_count(cls, value: Any) -> Any:
        return {"count": value} if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("compile", mode="before")
    @classmethod
    def _compile_switch(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "default" if value else "none"
        return value

    @field_validator("size", mode="before")
    @classmethod
    def _parse_size(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value)
            if not match:
                raise ValueError(f"size must be WIDTHxHEIGHT, like 256x256. Got {value!r}")
            return int(match[1]), int(match[2])
        return value

    @field_validator("size")
    @classmethod
    def _check_size(cls, value: tuple[int, int]) -> tuple[int, int]:
        for side in value:
            if not 8 <= side <= MAX_SIDE:
                raise ValueError(f"each side must be between 8 and {MAX_SIDE} pixels. Got {list(value)}")
        return value

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        if not DEVICE_PATTERN.match(value):
            raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps. Got {value!r}")
        return value

    @field_validator("prompts", mode="before")
    @classmethod
    def _parse_prompts(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("generator", mode="before")
    @classmethod
    def _generator_by_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("perceptors", "losses", "augmentations", "outputs", mode="before")
    @classmethod
    def _components_by_name(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value
