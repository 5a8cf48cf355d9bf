"""Every run records what it ran on; a resume on another setup says the picture will differ."""

import json
import logging

import torch
from conftest import tiny_preset

import artkit
from artkit.environment import ENVIRONMENT_FILE, differences


def sessions(run_dir):
    return json.loads((run_dir / ENVIRONMENT_FILE).read_text())["sessions"]


def test_a_run_records_its_setup(out_dir):
    result = artkit.run(tiny_preset(), out=out_dir, progress=False)
    [first] = sessions(result.run_dir)
    assert first["from_step"] == 0 and first["device"] == "cpu"
    assert first["torch"] == torch.__version__ and first["threads"] == torch.get_num_threads()
    assert first["artkit"] == artkit.__version__


def test_a_resume_on_the_same_setup_appends_quietly(out_dir, caplog):
    run_dir = artkit.run(tiny_preset(steps=2), out=out_dir, progress=False).run_dir
    with caplog.at_level(logging.WARNING, logger="artkit"):
        artkit.resume(run_dir, steps=2, progress=False)
    assert [s["from_step"] for s in sessions(run_dir)] == [0, 2]
    assert "different setup" not in caplog.text


def test_a_resume_with_other_threads_warns(out_dir, caplog):
    threads = torch.get_num_threads()
    run_dir = artkit.run(tiny_preset(steps=2), out=out_dir, progress=False).run_dir
    torch.set_num_threads(threads + 1)  # the conftest fixture restores it
    with caplog.at_level(logging.WARNING, logger="artkit"):
        artkit.resume(run_dir, steps=1, progress=False)
    assert f"threads {threads} -> {threads + 1}" in caplog.text and "from step 2" in caplog.text
    assert f"resume with OMP_NUM_THREADS={threads}." in caplog.text
    assert [s["threads"] for s in sessions(run_dir)] == [threads, threads + 1]


def test_a_run_without_a_record_resumes_and_starts_one(out_dir, caplog):
    run_dir = artkit.run(tiny_preset(steps=2), out=out_dir, progress=False).run_dir
    (run_dir / ENVIRONMENT_FILE).write_text("not json")
    with caplog.at_level(logging.WARNING, logger="artkit"):
        artkit.resume(run_dir, steps=1, progress=False)
    assert [s["from_step"] for s in sessions(run_dir)] == [2]
    assert "different setup" not in caplog.text


def test_differences_name_only_what_changes_the_picture():
    before = {"artkit": "0.1.0", "torch": "2.14.1", "device": "cpu", "threads": 2, "python": "3.11.9"}
    after = {**before, "threads": 8, "python": "3.12.1", "device": "cuda:0 (NVIDIA H200)"}
    assert differences(before, after) == ["device cpu -> cuda:0 (NVIDIA H200)", "threads 2 -> 8"]
