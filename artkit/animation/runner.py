"""The frame loop: each frame starts from the previous frame warped by its motion, then is optimised.

Frames are written to ``frames/frame_00000.png`` and appended to ``animation.mp4`` as they finish; the
resume state is saved after each frame, so ``artkit resume`` continues at the right frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from torch import Tensor

from artkit.animation.expressions import Expression
from artkit.animation.motion import Motion, warp
from artkit.animation.timeline import Timeline
from artkit.components import Generator, Loss, RunInfo
from artkit.engine.setup import make_optimizer
from artkit.engine.state import save_state
from artkit.errors import ConfigError
from artkit.images import load_image, save_png, to_pil
from artkit.video import even_frame, mp4_writer

if TYPE_CHECKING:
    from artkit.engine.run import Run
    from artkit.schema import AnimationConfig

MOTIONS = ("zoom", "rotate", "translate_x", "translate_y")


class FrameCoherence(Loss):
    """Keeps a frame close to the previous frame, warped: the mean squared difference of pixels."""

    def __init__(self, weight: float, info: RunInfo) -> None:
        super().__init__(Loss.Config(weight=weight), info)
        self.target: Tensor | None = None

    def forward(self, ctx) -> Tensor:
        if self.target is None:
            return ctx.image.sum() * 0.0
        return (ctx.image - self.target).pow(2).mean()


class Schedule:
    """Which steps belong to which frame, and each frame's motion and prompt weights."""

    def __init__(self, config: AnimationConfig) -> None:
        self.config = config
        self.motions = {name: Expression(getattr(config, name), field=f"animation.{name}") for name in MOTIONS}
        self.timeline = Timeline(config.prompts) if config.prompts else None

    def span(self, frame: int) -> tuple[int, int]:
        """The steps (start, end) of ``frame``."""
        cfg = self.config
        if frame == 0:
            return 0, cfg.first_frame_steps
        start = cfg.first_frame_steps + (frame - 1) * cfg.steps_per_frame
        return start, start + cfg.steps_per_frame

    def frame_of(self, step: int) -> int:
        """The frame the next step after ``step`` belongs to (``frames`` once all are done)."""
        cfg = self.config
        if step < cfg.first_frame_steps:
            return 0
        return min(cfg.frames, 1 + (step - cfg.first_frame_steps) // cfg.steps_per_frame)

    def motion(self, frame: int) -> Motion:
        cfg = self.config
        values = {k: e(frame, frame / cfg.fps, cfg.frames, cfg.fps) for k, e in self.motions.items()}
        return Motion(**values)


def animate(run: Run, run_steps: Callable[[int], bool]) -> None:
    """Runs (or, after a resume, continues) the animation of ``run``."""
    config = run.plan.run.animation
    assert config is not None
    _require_set_image(run.generator)
    schedule = Schedule(config)
    coherence = _add_coherence(run, config.coherence)
    frames_dir = run.dir / "frames"
    frame = schedule.frame_of(run.step)
    writer = _video_with_earlier_frames(run.dir / "animation.mp4", frames_dir, frame, config.fps)
    try:
        while frame < config.frames:
            start, end = schedule.span(frame)
            _enter_frame(run, schedule, frame, start, end, coherence, frames_dir)
            if not run_steps(end):
                return
            image = run.current_image()
            save_png(image, _frame_path(frames_dir, frame), run.png_text())
            writer.append_data(even_frame(np.asarray(to_pil(image))))
            save_state(run)
            frame += 1
    finally:
        writer.close()


def _enter_frame(run: Run, schedule: Schedule, frame: int, start: int, end: int, coherence, frames_dir: Path) -> None:
    if frame > 0:
        previous = load_image(_frame_path(frames_dir, frame - 1)).to(run.info.device)
        target = warp(previous, schedule.motion(frame))
        if run.step == start:
            run.generator.set_image(target)
            run.optimizer = make_optimizer(run.plan.run.optimizer, run.generator)
            run._base_lrs = [g["lr"] for g in run.optimizer.param_groups]
        if coherence is not None:
            coherence.target = target
    if schedule.timeline is not None:
        weights = schedule.timeline.weights(frame)
        for loss in run.loss_fns.values():
            if hasattr(loss, "set_prompt_weights"):
                loss.set_prompt_weights(weights)
    run.schedule_start, run.schedule_length = start, end - start


def _require_set_image(generator: Generator) -> None:
    if type(generator).set_image is Generator.set_image:
        raise ConfigError(
            f"animation: the {type(generator).__name__} generator cannot start from an image, so it cannot be "
            "animated. Use pixel, fft or palette."
        )


def _add_coherence(run: Run, weight: float) -> FrameCoherence | None:
    if weight <= 0:
        return None
    loss = FrameCoherence(weight, run.info).to(run.info.device)
    run.loss_fns["coherence"] = loss
    return loss


def _frame_path(frames_dir: Path, frame: int) -> Path:
    return frames_dir / f"frame_{frame:05d}.png"


def _video_with_earlier_frames(path: Path, frames_dir: Path, done: int, fps: int):
    writer = mp4_writer(path, fps)
    for frame in range(done):
        earlier = _frame_path(frames_dir, frame)
        if earlier.is_file():
            writer.append_data(even_frame(np.asarray(to_pil(load_image(earlier)))))
    return writer
