"""The ``vector`` generator: coloured cubic Bézier strokes (and optional closed, filled shapes, free outlines
or geometric primitives), drawn by artkit's own differentiable rasteriser (:mod:`artkit.raster`; primitives by
:mod:`artkit.primitives`) and exported as ``final.svg``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
from artkit_plugins.generators.primitive_shapes import PrimitiveShapes
from pydantic import Field, model_validator
from torch import Tensor

import artkit
from artkit.colours import parse_colour
from artkit.files import atomic_write
from artkit.images import load_image
from artkit.palettes import PaletteSpec, check_palette, load_palette
from artkit.places import places_of
from artkit.primitives import PRIMITIVES
from artkit.prompts import positive_texts
from artkit.raster import rasterize

# Palette logits are scaled up so that one learning rate, sized for the control points, also moves the choices.
PALETTE_LOGIT_SCALE = 5.0
# A learned paper starts as `background`'s nearest palette colour, firmly (another colour weighs e^-8 per unit of distance).
PAPER_LEAN = 8.0
# Primitive shapes hold a full-size mask per primitive each: more would fill a GPU at large sizes.
MAX_PRIMITIVE_SHAPES = 64


class VectorGenerator(artkit.Generator):
    """Strokes (cubic Béziers with width and RGBA colour) and filled shapes; gradients reach every point."""

    class Config(artkit.ComponentConfig):
        strokes: int = Field(default=128, ge=0, le=4096, description="open strokes")
        shapes: int = Field(default=0, ge=0, le=1024, description="closed, filled shapes")
        curves_per_shape: int = Field(default=3, ge=2, le=16, description="cubic curves around each shape")
        primitives: list[str] | None = Field(
            default=None,
            description="each shape a learned choice among these primitives (circle, square, triangle, star, ring,"
            " cross), moved, scaled and turned whole; None: free outlines of `curves_per_shape` curves",
        )
        upright: bool = Field(
            default=False,
            description="with `primitives`: the shapes keep upright (no turn is learned), as the toy world draws its"
            " figures; a square turned by the gradient is a diamond",
        )
        layout: Literal["random", "prompt"] = Field(
            default="random",
            description="where the shapes start: at random, or `prompt`: one shape at each place the text prompts"
            ' name ("on the left", "in the top right corner", ...; artkit.places), in order, the rest at random',
        )
        curves_per_stroke: int = Field(default=1, ge=1, le=16)
        min_width: float = Field(default=1.0, ge=0.1, description="stroke width range, pixels")
        max_width: float = Field(default=6.0, ge=0.1)
        stroke_length: float = Field(
            default=0.1, gt=0, le=1, description="initial reach of a stroke, share of the side"
        )
        background: str | list[float] = Field(default="white", description="paper colour")
        learn_background: bool = Field(
            default=False,
            description="learn the paper colour, starting from `background` (with a palette: a choice in it)",
        )
        background_lr_scale: float = Field(
            default=1.0,
            gt=0,
            description="with `learn_background`: the paper's learning rate, a multiple of the run's (a paper that"
            " settles first leaves the shapes to draw the figures)",
        )
        colour: str | list[float] | None = Field(
            default=None, description="one fixed colour for every stroke (None: learned)"
        )
        palette: PaletteSpec | None = Field(
            default=None, description="draw in these colours only (a named palette, a list of colours or an image)"
        )
        init_image: str | None = Field(default=None, description="take the strokes' first colours from this image")
        samples: int = Field(default=8, ge=2, le=64, description="polyline points per curve")

        @model_validator(mode="after")
        def _check(self):
            if self.min_width > self.max_width:
                raise ValueError("min_width must not exceed max_width")
            if self.strokes + self.shapes == 0:
                raise ValueError("give at least one stroke or shape")
            parse_colour(self.background)
            if self.colour is not None:
                parse_colour(self.colour)
            if self.primitives is not None:
                _check_primitives(self.primitives)
                if not 0 < self.shapes <= MAX_PRIMITIVE_SHAPES:
                    raise ValueError(
                        f"`primitives` are what the shapes are drawn as: set `shapes` between 1 and {MAX_PRIMITIVE_SHAPES}"
                        " (each primitive shape holds a full-size mask per primitive; free outlines scale to more)"
                    )
            if self.upright and not self.primitives:
                raise ValueError("`upright` keeps primitive shapes unturned: set `primitives`, or drop `upright`")
            if self.layout == "prompt" and not self.shapes:
                raise ValueError(
                    "`layout: prompt` places shapes (strokes start at random): set `shapes`, or drop `layout`"
                )
            if self.background_lr_scale != 1.0 and not self.learn_background:
                raise ValueError(
                    "`background_lr_scale` sets the learned paper's learning rate: set `learn_background: true`, or"
                    " leave the scale at 1"
                )
            if self.palette is not None:
                if self.colour is not None:
                    raise ValueError("give `colour` (one fixed colour) or `palette` (a choice among colours), not both")
                check_palette(self.palette)
            return self

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        self.register_buffer("paper", torch.tensor(parse_colour(config.background)))
        self.stroke_points = torch.nn.Parameter(self._random_paths(config.strokes, config.curves_per_stroke))
        self.stroke_widths = torch.nn.Parameter(torch.randn(config.strokes) * 0.5)
        free_shapes = 0 if config.primitives else config.shapes
        self.shape_points = torch.nn.Parameter(self._random_shapes(free_shapes))
        if config.primitives:
            self.primitive_shapes = PrimitiveShapes(config.primitives, config.shapes, config.stroke_length)
            self.primitive_shapes.turns.requires_grad_(not config.upright)
        if config.layout == "prompt":
            self._start_at_prompt_places()
        count = config.strokes + config.shapes
        self.colour_logits = torch.nn.Parameter(self._initial_colours(count))
        if config.colour is not None:
            self.colour_logits.requires_grad_(False)
        if config.palette is not None:
            self.register_buffer("palette", load_palette(config.palette, info))
            self.palette_logits = torch.nn.Parameter(self._initial_choices(torch.sigmoid(self.colour_logits[:, :3])))
        if config.learn_background:
            self.paper_logits = torch.nn.Parameter(self._initial_paper())

    def param_groups(self, lr: float) -> list[dict[str, Any]]:
        """One group at ``lr``, and with ``learn_background`` the paper's at ``lr * background_lr_scale``."""
        if not self.config.learn_background:
            return super().param_groups(lr)
        rest = [p for p in self.parameters() if p.requires_grad and p is not self.paper_logits]
        return [{"params": rest, "lr": lr}, {"params": [self.paper_logits], "lr": lr * self.config.background_lr_scale}]

    def _random_paths(self, count: int, curves: int) -> Tensor:
        start = torch.rand(count, 1, 1, 2)
        steps = (torch.rand(count, curves * 3, 2) - 0.5) * 2 * self.config.stroke_length / curves
        chain = torch.cat([start.view(count, 1, 2), start.view(count, 1, 2) + steps.cumsum(1)], dim=1)
        index = torch.arange(curves).view(-1, 1) * 3 + torch.arange(4)  # curves share their end points
        return chain[:, index]  # (count, curves, 4, 2)

    def _random_shapes(self, count: int) -> Tensor:
        centre = torch.rand(count, 1, 2)
        curves = self.config.curves_per_shape
        angles = torch.linspace(0, 2 * torch.pi, curves * 3 + 1)[:-1]
        ring = torch.stack([angles.cos(), angles.sin()], dim=-1) * self.config.stroke_length
        ring = centre + ring * (0.5 + torch.rand(count, len(angles), 1))
        closed = torch.cat([ring, ring[:, :1]], dim=1)
        index = torch.arange(curves).view(-1, 1) * 3 + torch.arange(4)
        return closed[:, index]

    @torch.no_grad()
    def _start_at_prompt_places(self) -> None:
        """Moves shape i's centre to the i-th place the prompts name (their random start kept, shifted)."""
        places = torch.tensor(places_of(positive_texts(self.info.prompts)), dtype=self.shape_points.dtype).view(-1, 2)[
            : self.config.shapes
        ]
        if self.config.primitives:
            self.primitive_shapes.centres[: len(places)] = places
        else:
            shapes = self.shape_points[: len(places)]
            shapes += (places - shapes.mean(dim=(1, 2))).view(-1, 1, 1, 2)

    def _initial_colours(self, count: int) -> Tensor:
        cfg = self.config
        if cfg.colour is not None:
            rgb = torch.tensor(parse_colour(cfg.colour)).expand(count, 3)
        elif cfg.init_image is not None:
            image = load_image(self.info.resolve_path(cfg.init_image), self.info.size, field="generator.init_image")
            rgb = self._sample(image, self._anchors())
        else:
            rgb = torch.rand(count, 3)
        alpha = torch.full((count, 1), 0.9)
        return torch.logit(torch.cat([rgb, alpha], dim=1).clamp(0.02, 0.98))

    def _initial_choices(self, rgb: Tensor) -> Tensor:
        """Palette logits (N, K): a faint lean towards each start colour's nearest palette colour."""
        return self._leaning_to_palette(rgb, lean=4.0 if self.config.init_image is not None else 0.1)

    def _leaning_to_palette(self, rgb: Tensor, lean: float) -> Tensor:
        """Palette logits (N, K) for colours ``rgb`` (N, 3): each palette colour's weight falls as e^-lean per
        unit of distance from its colour."""
        return -lean * torch.cdist(rgb, self.palette) / PALETTE_LOGIT_SCALE

    def _palette_mix(self, logits: Tensor) -> Tensor:
        """The RGB that palette ``logits`` (..., K) choose: a softmax mix of the palette's colours (..., 3)."""
        return torch.softmax(logits * PALETTE_LOGIT_SCALE, dim=-1) @ self.palette

    def _initial_paper(self) -> Tensor:
        """The paper's logits: its RGB's, or, with a palette, a firm lean to the nearest palette colour."""
        if self.config.palette is None:
            return torch.logit(self.paper.clamp(0.02, 0.98))
        return self._leaning_to_palette(self.paper.view(1, 3), PAPER_LEAN)[0]

    def _anchors(self) -> Tensor:
        shapes = self.primitive_shapes.centres if self.config.primitives else self.shape_points.mean(dim=(1, 2))
        return torch.cat([self.stroke_points[:, 0, 0], shapes]).detach()

    def _sample(self, image: Tensor, points: Tensor) -> Tensor:
        grid = (points * 2 - 1).view(1, -1, 1, 2)
        return torch.nn.functional.grid_sample(image, grid, align_corners=False)[0, :, :, 0].T

    def colours(self) -> Tensor:
        """RGBA of every stroke, then every shape (N, 4); with a palette, each RGB is a soft choice in it."""
        rgba = torch.sigmoid(self.colour_logits)
        if self.config.palette is None:
            return rgba
        return torch.cat([self._palette_mix(self.palette_logits), rgba[:, 3:]], dim=1)

    def paper_colour(self) -> Tensor:
        """The paper's RGB (3,): ``background``, or the learned colour with ``learn_background``."""
        if not self.config.learn_background:
            return self.paper
        if self.config.palette is None:
            return torch.sigmoid(self.paper_logits)
        return self._palette_mix(self.paper_logits)

    def widths(self) -> Tensor:
        cfg = self.config
        return cfg.min_width + (cfg.max_width - cfg.min_width) * torch.sigmoid(self.stroke_widths)

    def forward(self) -> Tensor:
        with torch.autocast(self.paper.device.type, enabled=False):  # positions need fp32, even in a bf16 run
            return self._draw()

    def _draw(self) -> Tensor:
        width, height = self.info.size
        scale = torch.tensor([width, height], dtype=self.paper.dtype, device=self.paper.device)
        colours, image = self.colours(), self.paper_colour()
        n = self.config.strokes
        if self.config.primitives:
            image = self.primitive_shapes.draw(colours[n:], image, width, height)
        elif self.config.shapes:
            image = rasterize(
                self.shape_points * scale, torch.zeros(self.config.shapes, device=scale.device), colours[n:],
                width, height, background=image, closed=True, samples=self.config.samples,
            )  # fmt: skip
        if n:
            image = rasterize(
                self.stroke_points * scale, self.widths(), colours[:n], width, height,
                background=image, samples=self.config.samples,
            )  # fmt: skip
        return image

    def choices(self) -> dict[str, list[str]]:
        """With ``primitives``, each shape's primitive: ``{"shape 1": ["circle", "square", ...], ...}``."""
        if not self.config.primitives:
            return {}
        kinds = list(self.primitive_shapes.kinds)
        return {f"shape {i + 1}": kinds for i in range(self.config.shapes)}

    def chosen(self, choice: str) -> str:
        return self.primitive_shapes.chosen()[self._shape_index(choice)]

    @torch.no_grad()
    def choose(self, choice: str, option: str) -> None:
        if option not in self.primitive_shapes.kinds:
            raise ValueError(
                f"{choice}: {option!r} is not among its primitives ({', '.join(self.primitive_shapes.kinds)})"
            )
        self.primitive_shapes.choose(self._shape_index(choice), option)

    def choice_place(self, choice: str) -> tuple[float, float]:
        """A shape's centre now."""
        x, y = self.primitive_shapes.centres[self._shape_index(choice)].tolist()
        return x, y

    def _shape_index(self, choice: str) -> int:
        if choice not in self.choices():
            raise ValueError(
                f"the vector generator makes no choice {choice!r}; its choices: {', '.join(self.choices())}"
            )
        return int(choice.split()[1]) - 1

    @torch.no_grad()
    def project(self) -> None:
        self.stroke_points.clamp_(-0.1, 1.1)
        self.shape_points.clamp_(-0.1, 1.1)
        if self.config.primitives:
            self.primitive_shapes.project()

    def write_files(self, directory: Path) -> None:
        """Writes ``final.svg``: the same strokes and shapes as ``final.png``, as vector paths."""
        atomic_write(directory / "final.svg", lambda h: h.write(self.svg()), mode="w")

    @torch.no_grad()
    def svg(self) -> str:
        """The drawing as an SVG document (shapes first, then strokes, as they are drawn)."""
        width, height = self.info.size
        scale = torch.tensor([width, height])
        colours, widths, n = self.colours().cpu(), self.widths().cpu(), self.config.strokes
        lines = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
            f'<rect width="100%" height="100%" fill="{_rgb(self.paper_colour().cpu())}"/>',
        ]
        if self.config.primitives:
            lines += self.primitive_shapes.svg_elements(colours[n:], width, height, fill=_rgb)
        for i, path in enumerate(self.shape_points.cpu() * scale):
            c = colours[n + i]
            lines.append(f'<path d="{_path_data(path)} Z" fill="{_rgb(c)}" fill-opacity="{c[3]:.3f}" stroke="none"/>')
        for i, path in enumerate(self.stroke_points.cpu() * scale):
            c = colours[i]
            lines.append(
                f'<path d="{_path_data(path)}" fill="none" stroke="{_rgb(c)}" stroke-opacity="{c[3]:.3f}" '
                f'stroke-width="{widths[i]:.2f}" stroke-linecap="round" stroke-linejoin="round"/>'
            )
        return "\n".join([*lines, "</svg>\n"])


def _check_primitives(kinds: list[str]) -> None:
    unknown = [kind for kind in kinds if kind not in PRIMITIVES]
    if unknown:
        raise ValueError(f"unknown primitive {', '.join(map(repr, unknown))}; choose among {', '.join(PRIMITIVES)}")
    if not kinds or len(set(kinds)) < len(kinds):
        raise ValueError("give each primitive once, and at least one")


def _rgb(colour: Tensor) -> str:
    r, g, b = (int(round(float(v) * 255)) for v in colour[:3])
    return f"rgb({r},{g},{b})"


def _path_data(curves: Tensor) -> str:
    start = curves[0, 0]
    parts = [f"M {start[0]:.2f} {start[1]:.2f}"]
    for curve in curves:
        parts.append("C " + ", ".join(f"{x:.2f} {y:.2f}" for x, y in curve[1:].tolist()))
    return " ".join(parts)
