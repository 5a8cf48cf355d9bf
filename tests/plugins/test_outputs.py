from conftest import tiny_preset
from PIL import Image

import artkit


def test_png_snapshots_every_n_steps(out_dir):
    outputs = [{"name": "png", "every": 2}, {"name": "metrics", "every": 2}]
    result = artkit.run(tiny_preset(steps=5, outputs=outputs), out=out_dir, progress=False)
    snapshots = sorted(p.name for p in (result.run_dir / "steps").iterdir())
    assert snapshots == ["step_00002.png", "step_00004.png"]
    with Image.open(result.run_dir / "steps" / "step_00004.png") as png:
        assert png.text["step"] == "4" and png.text["prompt"] == "a red circle"
    # metrics every 2 steps, and always the last one
    assert [m["step"] for m in result.metrics] == [2, 4, 5]
