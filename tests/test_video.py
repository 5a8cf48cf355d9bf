import imageio.v2 as imageio
from click.testing import CliRunner
from conftest import tiny_preset
from PIL import Image

import artkit
from artkit.cli import cli


def test_video_rerenders_a_run_from_its_snapshots(out_dir):
    outputs = [{"name": "png", "every": 1}, {"name": "metrics"}]
    run_dir = artkit.run(tiny_preset(steps=4, size=[30, 20], outputs=outputs), out=out_dir, progress=False).run_dir
    args = ["video", str(run_dir), "--fps", "8", "--scale", "2", "--sheet"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    reader = imageio.get_reader(run_dir / "video.mp4")
    assert reader.get_meta_data()["fps"] == 8 and reader.get_meta_data()["size"] == (60, 40)
    assert reader.count_frames() == 4 + 1 + 7  # 4 snapshots, final.png, held for a second
    with Image.open(run_dir / "contact_sheet.png") as sheet:
        assert sheet.size == (6 * 30, 20)
    gif = CliRunner().invoke(cli, ["video", str(run_dir), "--format", "gif"])
    assert gif.exit_code == 0 and (run_dir / "video.gif").stat().st_size > 0


def test_video_of_a_directory_without_snapshots(tmp_path):
    result = CliRunner().invoke(cli, ["video", str(tmp_path)])
    assert result.exit_code == 2 and "has no steps/*.png or final.png" in result.output
