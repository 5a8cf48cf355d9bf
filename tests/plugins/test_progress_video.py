import imageio.v2 as imageio
import pytest
from conftest import tiny_preset

import artkit


def video_outputs(**options):
    return [{"name": "progress_video", **options}, {"name": "metrics"}]


def test_mp4_has_the_right_frames_size_and_fps(out_dir):
    outputs = video_outputs(every=2, fps=10, hold=0.5, scale=3, formats=["mp4", "gif"])
    result = artkit.run(tiny_preset(steps=6, size=[33, 20], outputs=outputs), out=out_dir, progress=False)
    reader = imageio.get_reader(result.run_dir / "progress.mp4")
    meta = reader.get_meta_data()
    assert meta["fps"] == 10 and meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (98, 60)  # 99x60 upscaled 3x, made even
    assert reader.count_frames() == 1 + 3 + 5  # first image, every 2nd of 6 steps, half a second held
    gif = imageio.mimread(result.run_dir / "progress.gif")
    # the GIF writer merges the identical held frames into one longer frame
    assert len(gif) == 1 + 3 + 1 and gif[0].shape[:2] == (60, 98)


def test_last_frame_is_the_final_image(out_dir):
    result = artkit.run(tiny_preset(steps=4, outputs=video_outputs(every=1, hold=0.1)), out=out_dir, progress=False)
    last = imageio.mimread(result.run_dir / "progress.mp4")[-1].astype(float) / 255
    final = result.tensor[0].permute(1, 2, 0).numpy()
    # yuv420p halves the colour resolution and h264 is lossy: compare 8x8 block means
    blocks = lambda a: a.reshape(4, 8, 4, 8, 3).mean(axis=(1, 3))  # noqa: E731
    assert abs(blocks(last) - blocks(final)).mean() < 0.03


def test_interrupted_run_leaves_a_playable_video(tmp_path, out_dir):
    plugin = tmp_path / "stop.py"
    plugin.write_text(
        "import artkit\n@artkit.hookimpl\ndef step_finished(run, step):\n    if step == 3:\n        raise KeyboardInterrupt\n"
    )
    with pytest.raises(artkit.ArtkitError):
        artkit.run(
            tiny_preset(steps=50, outputs=video_outputs(every=1, hold=0)), plugins=[plugin], out=out_dir, progress=False
        )
    (run_dir,) = out_dir.iterdir()
    assert imageio.get_reader(run_dir / "progress.mp4").count_frames() == 1 + 3 + 1
