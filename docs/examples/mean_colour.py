"""A complete artkit plugin in one file: a loss that pulls the picture's average colour to a target.

Use it without packaging anything:

    artkit run quickstart --plugin docs/examples/mean_colour.py \
        --set 'losses=[{name: clip}, {name: mean_colour, colour: [0.1, 0.2, 0.9], weight: 5}]'

or name it in a preset: ``plugins: [./mean_colour.py]``.
"""

from __future__ import annotations

import torch
from pydantic import Field

import artkit


class MeanColour(artkit.Loss):
    """Pulls the image's mean colour towards ``colour`` (squared distance)."""

    class Config(artkit.Loss.Config):  # inherits `weight`
        colour: tuple[float, float, float] = Field(default=(0.5, 0.5, 0.5), description="target RGB in [0, 1]")

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        # a buffer follows the loss to the run's device
        self.register_buffer("target", torch.tensor(config.colour), persistent=False)

    def forward(self, ctx: artkit.StepContext) -> torch.Tensor:
        mean = ctx.image.mean(dim=(0, 2, 3))
        return (mean - self.target).pow(2).sum()


@artkit.hookimpl
def register_losses(register):
    register("mean_colour", MeanColour, aliases=("mean_color",))


@artkit.hookimpl
def run_finished(run):
    # observers get the run object: its directory, step, last losses and image
    (run.dir / "mean_colour.txt").write_text(f"{run.image.mean(dim=(0, 2, 3)).tolist()}\n")
