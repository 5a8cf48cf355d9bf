"""Encoding videos with imageio-ffmpeg's bundled ffmpeg: mp4 (h264, yuv420p) and gif.

Also re-renders a run's saved snapshots (``steps/*.png`` and ``final.png``) as a video or a contact
sheet: ``artkit video RUN_DIR``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from artkit.errors import ArtkitError
from artkit.files import atomic_write

# Fragmented mp4: the file is playable at every moment, not only after the encoder closes it.
STREAMABLE = ["-movflags", "frag_keyframe+empty_moov+default_base_moof", "-crf", "18", "-preset", "veryfast"]


def even_frame(frame: np.ndarray, scale: int = 1) -> np.ndarray:
    """An (H, W, 3) uint8 frame upscaled ``scale`` times (nearest) and cropped to even sides for yuv420p."""
    if scale > 1:
        frame = frame.repeat(scale, axis=0).repeat(scale, axis=1)
    height, width = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
    return np.ascontiguousarray(frame[:height, :width])


def mp4_writer(path: Path, fps: int) -> Any:
    """An imageio writer that appends frames to a streamable h264/yuv420p mp4."""
    import imageio.v2 as imageio

    return imageio.get_writer(
        path, fps=fps, codec="libx264", pixelformat="yuv420p", macro_block_size=1,
        ffmpeg_log_level="error", output_params=STREAMABLE,
    )  # fmt: skip


def read_frames(path: Path) -> list[np.ndarray]:
    """Every frame of a video or GIF as (H, W, 3) uint8 arrays; empty if it is missing or unreadable."""
    import imageio.v2 as imageio

    if not path.is_file():
        return []
    try:
        return [np.asarray(frame)[..., :3] for frame in imageio.mimread(path, memtest=False)]
    except (OSError, ValueError, RuntimeError):
        return []


def write_gif(path: Path, frames: Sequence[np.ndarray], fps: int) -> None:
    """Writes a looping GIF atomically."""
    import imageio.v2 as imageio

    atomic_write(path, lambda f: imageio.mimwrite(f, list(frames), format="GIF", duration=1000 / fps, loop=0))


def snapshot_paths(run_dir: Path) -> list[Path]:
    """A run's snapshots in step order, then ``final.png``; an error if the directory holds none."""
    if not run_dir.is_dir():
        raise ArtkitError(
            f"RUN_DIR '{run_dir}' is not a directory. Give a run directory, like runs/20260101-120000-a-cat."
        )
    steps = sorted((run_dir / "steps").glob("step_*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    final = [run_dir / "final.png"] if (run_dir / "final.png").is_file() else []
    if not steps and not final:
        raise ArtkitError(
            f"'{run_dir}' has no steps/*.png or final.png. Add `{{name: png, every: 5}}` to the preset's outputs."
        )
    return steps + final


def _frames(paths: Iterable[Path], scale: int) -> list[np.ndarray]:
    return [even_frame(np.asarray(Image.open(p).convert("RGB")), scale) for p in paths]


def render_video(run_dir: Path, fps: int = 12, fmt: str = "mp4", scale: int = 1, hold: float = 1.0) -> Path:
    """Re-renders ``run_dir``'s snapshots as ``video.mp4`` or ``video.gif`` and returns its path."""
    frames = _frames(snapshot_paths(run_dir), scale)
    frames += [frames[-1]] * max(0, round(hold * fps) - 1)
    path = run_dir / f"video.{fmt}"
    if fmt == "gif":
        write_gif(path, frames, fps)
        return path
    tmp = path.with_name(f".{path.name}.tmp.mp4")
    writer = mp4_writer(tmp, fps)
    try:
        for frame in frames:
            writer.append_data(frame)
    finally:
        writer.close()
    tmp.replace(path)
    return path


def contact_sheet(run_dir: Path, columns: int = 6) -> Path:
    """A grid PNG of the run's snapshots in order (``contact_sheet.png``); faster to look at than a video."""
    images = [Image.open(p).convert("RGB") for p in snapshot_paths(run_dir)]
    width, height = images[0].size
    rows = math.ceil(len(images) / columns)
    sheet = Image.new("RGB", (columns * width, rows * height), (255, 255, 255))
    for index, image in enumerate(images):
        sheet.paste(image.resize((width, height)), ((index % columns) * width, (index // columns) * height))
    path = run_dir / "contact_sheet.png"
    atomic_write(path, lambda f: sheet.save(f, format="PNG"))
    return path
