"""The ``progress_video`` output: an mp4 (and/or gif) of the run, a frame every N steps.

Uses imageio-ffmpeg's bundled ffmpeg (no system ffmpeg needed) with the software h264 encoder,
yuv420p so every player opens it. The mp4 is fragmented and written as the run goes: an interrupted
run, even a killed one, leaves a playable video of what was done. A resumed run (``artkit resume``)
keeps the frames already made and goes on after them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

import artkit
from artkit.images import to_pil
from artkit.video import even_frame, mp4_writer, read_frames, write_gif


class ProgressVideo(artkit.Output):
    """Writes ``progress.mp4`` (h264, yuv420p) and/or ``progress.gif`` as the run goes."""

    class Config(artkit.ComponentConfig):
        every: int = Field(default=5, ge=1, description="a frame every this many steps")
        fps: int = Field(default=12, ge=1, le=120)
        formats: list[Literal["mp4", "gif"]] = Field(default_factory=lambda: ["mp4"], min_length=1)
        scale: int = Field(default=1, ge=1, le=16, description="upscale frames by this factor (nearest)")
        hold: float = Field(default=1.0, ge=0, le=30, description="seconds to hold the final image")

    def start(self, run) -> None:
        earlier = self._earlier_frames(run)
        self._gif_frames: list[np.ndarray] = []
        self._mp4 = None
        if "mp4" in self.config.formats:
            self._mp4 = mp4_writer(run.dir / "progress.mp4", self.config.fps)
        for frame in earlier:
            self._add_frame(frame)
        if not earlier:
            self._add(run.current_image())

    def _earlier_frames(self, run) -> list[np.ndarray]:
        """On resume: the frames already written, without the final image held at their end."""
        if not run.resumed_from:
            return []
        name = "progress.mp4" if "mp4" in self.config.formats else "progress.gif"
        frames = read_frames(run.dir / name)
        return frames[: max(1, len(frames) - self._hold_frames())]

    def _hold_frames(self) -> int:
        return max(1, round(self.config.hold * self.config.fps))

    def _add(self, image) -> None:
        self._add_frame(even_frame(np.asarray(to_pil(image)), self.config.scale))

    def _add_frame(self, frame: np.ndarray) -> None:
        if self._mp4 is not None:
            self._mp4.append_data(frame)
        if "gif" in self.config.formats:
            self._gif_frames.append(frame)

    def step(self, run, step: int) -> None:
        if step % self.config.every == 0:
            self._add(run.image)

    def finish(self, run) -> None:
        final = run.current_image()
        for _ in range(self._hold_frames()):
            self._add(final)
        if self._mp4 is not None:
            self._mp4.close()
        if self._gif_frames:
            write_gif(run.dir / "progress.gif", self._gif_frames, self.config.fps)
