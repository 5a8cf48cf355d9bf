"""The ``vector`` generator's shapes when ``primitives`` is set: each shape is a learned choice among
geometric primitives (:mod:`artkit.primitives`), moved, scaled and turned as a whole."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from artkit.primitives import composite, coverage, svg_element

# Choice logits are scaled up so that one learning rate, sized for the centres, also moves the choices.
CHOICE_LOGIT_SCALE = 10.0
MIN_SIZE, MAX_SIZE = 0.04, 0.5  # a shape's unit length, as a share of the shorter side
MIN_SVG_WEIGHT = 0.01  # primitives a shape weighs less are left out of final.svg
# A primitive set by `choose` weighs e^5 times each other one (97% among six).
CHOSEN_LEAD = 5.0


class PrimitiveShapes(torch.nn.Module):
    """``count`` filled shapes, each a learned choice among ``kinds`` ("circle", "square", ...).

    A shape's mask is its primitives' masks weighted by a softmax of its choice logits, so the gradient
    weighs every primitive against the others. The choice need not settle: a mixed shape shows as a mix.

    Args:
        kinds: the primitives to choose among. count: how many shapes. reach: the shapes' initial size
            (a share of the shorter side; each starts between half and one and a half times it).

    Example:
        >>> import torch
        >>> shapes = PrimitiveShapes(["circle", "square"], count=2, reach=0.2)
        >>> shapes.draw(torch.ones(2, 4), torch.zeros(3), 32, 32).shape
        torch.Size([1, 3, 32, 32])
    """

    def __init__(self, kinds: Sequence[str], count: int, reach: float) -> None:
        super().__init__()
        self.kinds = tuple(kinds)
        self.centres = torch.nn.Parameter(torch.rand(count, 2) * 0.8 + 0.1)
        self.log_sizes = torch.nn.Parameter(torch.log(reach * (0.5 + torch.rand(count))).clamp(*_log_size_range()))
        self.turns = torch.nn.Parameter(torch.zeros(count))
        self.choice_logits = torch.nn.Parameter(torch.zeros(count, len(self.kinds)))

    def weights(self) -> Tensor:
        """Each shape's weight on each primitive (N, K), summing to 1."""
        return torch.softmax(self.choice_logits * CHOICE_LOGIT_SCALE, dim=-1)

    def chosen(self) -> list[str]:
        """Each shape's strongest primitive."""
        return [self.kinds[i] for i in self.choice_logits.argmax(-1).tolist()]

    @torch.no_grad()
    def choose(self, shape: int, kind: str) -> None:
        """Makes shape ``shape`` (from 0) firmly a ``kind``: it weighs e^5 times each other primitive.

        Example:
            >>> shapes = PrimitiveShapes(["circle", "ring"], count=1, reach=0.2)
            >>> shapes.choose(0, "ring")
            >>> shapes.chosen(), round(shapes.weights()[0, 1].item(), 2)
            (['ring'], 0.99)
        """
        row = self.choice_logits[shape]
        row.zero_()
        row[self.kinds.index(kind)] = CHOSEN_LEAD / CHOICE_LOGIT_SCALE

    def draw(self, colours: Tensor, paper: Tensor, width: int, height: int) -> Tensor:
        """The shapes in RGBA ``colours`` (N, 4) over ``paper`` (3,), the first shape at the bottom: (1, 3, H, W)."""
        masks = coverage(self.kinds, self.centres, self.log_sizes.exp(), self.turns, width, height)
        alpha = (masks * self.weights()[..., None, None]).sum(1) * colours[:, 3, None, None]
        return composite(alpha, colours[:, :3], paper)

    @torch.no_grad()
    def project(self) -> None:
        self.centres.clamp_(0, 1)
        self.log_sizes.clamp_(*_log_size_range())

    @torch.no_grad()
    def svg_elements(self, colours: Tensor, width: int, height: int, fill: Callable[[Tensor], str]) -> list[str]:
        """SVG elements of the shapes, in drawing order; ``fill`` writes an RGB as an SVG colour.

        A shape is its primitive; one whose choice is still mixed is each primitive of weight 1% or more
        at its share of the opacity, the strongest on top (where they overlap, SVG lays them over each
        other where the picture adds them: a mixed shape's core comes out a little lighter).
        """
        scales, weights = (self.log_sizes.exp() * min(width, height)).tolist(), self.weights().tolist()
        elements = []
        for i in range(len(scales)):
            x, y = self.centres[i].tolist()
            for weight, kind in sorted(zip(weights[i], self.kinds, strict=True)):
                if weight >= MIN_SVG_WEIGHT:
                    attributes = f'fill="{fill(colours[i])}" fill-opacity="{colours[i, 3] * weight:.3f}" stroke="none"'
                    elements.append(
                        svg_element(kind, (x * width, y * height), scales[i], float(self.turns[i]), attributes)
                    )
        return elements


def _log_size_range() -> tuple[float, float]:
    return math.log(MIN_SIZE), math.log(MAX_SIZE)
