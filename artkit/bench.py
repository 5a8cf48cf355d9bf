"""``artkit bench``: seconds per step, peak memory and where the time goes, beside a baseline.

With no preset it runs the standard comparison: 256x256, 32 cutouts, CLIP ViT-B-32 and VQGAN f16
16384 (random weights: nothing to download), artkit's step and the classic VQGAN+CLIP loop
(``benchmarks/baseline_vqgan_clip.py``) alternating in one process on the same models.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

STANDARD: dict[str, Any] = {
    "description": "standard comparison: VQGAN f16 16384 + ViT-B-32, random weights",
    "size": [256, 256],
    "steps": 1000,
    "prompts": ["a watercolor painting of a lighthouse at dawn"],
    "generator": {"name": "vqgan", "model": "imagenet-f16-16384", "random_weights": True, "precision": "bf16"},
    "perceptors": [{"name": "openclip", "model": "ViT-B-32", "pretrained": None, "precision": "bf16"}],
    "augmentations": [{"name": "cutouts", "cutn": 32}],
    "losses": [{"name": "clip"}],
    "optimizer": {"name": "adam", "lr": 0.1},
    "outputs": [],
    "autocast": "auto",
    "fault_check_every": 1000,
    "checkpoint_every": 0,
}


@dataclass
class BenchResult:
    """What one benchmark measured."""

    name: str
    device: str
    artkit_s_per_step: float
    split: dict[str, float]
    peak_memory_mb: float
    baseline_s_per_step: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return None if self.baseline_s_per_step is None else self.artkit_s_per_step / self.baseline_s_per_step

    def as_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "name": self.name, "device": self.device, "artkit_s_per_step": round(self.artkit_s_per_step, 4),
            "baseline_s_per_step": None if self.baseline_s_per_step is None else round(self.baseline_s_per_step, 4),
            "ratio": None if ratio is None else round(ratio, 3), "peak_memory_mb": round(self.peak_memory_mb, 1),
            "split_s": {k: round(v, 4) for k, v in self.split.items()}, **self.extra,
        }  # fmt: skip


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(fn: Callable[[], Any], device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def peak_memory_mb(device: torch.device) -> float:
    """Max allocated on CUDA; peak resident set size of the process on the CPU."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


@contextmanager
def build(preset: str | dict[str, Any], device: str, overrides: list[str],
          plugin_files: list[str] | None = None) -> Iterator[Any]:  # fmt: skip
    """A built run of ``preset`` (outputs off) in a directory removed on exit.

    >>> with build(STANDARD, "cpu", ["size=64x64"]) as run:  # doctest: +SKIP
    ...     run.step_once()
    """
    from artkit.engine.run import build_run
    from artkit.resolve import Overrides, prepare

    sets = [f"device={device}", "outputs=[]", "checkpoint_every=0", *overrides]
    plan, plugins = prepare(preset, Overrides(sets=sets, plugin_files=plugin_files or []))
    with tempfile.TemporaryDirectory(prefix="artkit-bench-") as out_dir:
        yield build_run(plan, plugins, Path(out_dir))


def split_step(run) -> dict[str, float]:
    """One step, timed by phase: generator, cutouts, perceptor forward, loss + backward, update."""
    from artkit.context import StepContext
    from artkit.engine.setup import autocast_context

    device = run.info.device
    times: dict[str, float] = {}
    with autocast_context(run.plan.run.autocast, device):
        times["generator"] = _timed(lambda: setattr(run, "_bench_image", run.generator()), device)
        ctx = StepContext(run._bench_image, run.step + 1, run.augmentations, run.perceptors)
        times["cutouts"] = _timed(
            lambda: [ctx.cutouts_for(p.input_size) for p in run.perceptors] or ctx.cutouts, device
        )
        times["perceptor_forward"] = _timed(lambda: [ctx.embed(p) for p in run.perceptors], device)

        def loss_and_backward():
            total = sum(loss(ctx).float() * loss.config.weight for loss in run.loss_fns.values())
            run.optimizer.zero_grad(set_to_none=True)
            total.backward()

        times["loss_and_backward"] = _timed(loss_and_backward, device)
    times["update"] = _timed(lambda: (run.optimizer.step(), run.generator.project()), device)
    del run._bench_image
    return times


def bench_preset(preset: str | dict[str, Any], device: str = "auto", steps: int = 5, warmup: int = 1,
                 overrides: list[str] | None = None, baseline: bool = False, name: str | None = None,
                 plugin_files: list[str] | None = None) -> BenchResult:  # fmt: skip
    """Median seconds per step of ``preset`` (and of the baseline, alternating, if ``baseline``)."""
    with build(preset, device, overrides or [], plugin_files) as run:
        return _bench_run(run, steps, warmup, baseline, name or (preset if isinstance(preset, str) else "standard"))


def _bench_run(run, steps: int, warmup: int, baseline: bool, name: str) -> BenchResult:
    dev = run.info.device
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    loop = _baseline_for(run) if baseline else None
    ours, theirs = [], []
    for i in range(warmup + steps):
        t_ours = _timed(run.step_once, dev)
        t_theirs = _timed(loop.step, dev) if loop is not None else None
        if i >= warmup:
            ours.append(t_ours)
            if t_theirs is not None:
                theirs.append(t_theirs)
    splits = [split_step(run) for _ in range(max(1, min(steps, 3)))]
    split = {k: statistics.median(s[k] for s in splits) for k in splits[0]}
    cfg = run.plan.run
    return BenchResult(
        name, str(dev), statistics.median(ours), split,
        peak_memory_mb(dev), statistics.median(theirs) if theirs else None,
        {"size": list(cfg.size), "cutn": run.cutouts_per_step, "cut_batches": cfg.cut_batches,
         "autocast": cfg.autocast, "compile": cfg.compile, "steps_measured": steps,
         "threads": torch.get_num_threads()},
    )  # fmt: skip


def _baseline_for(run):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from benchmarks.baseline_vqgan_clip import BaselineLoop
    except ImportError as exc:
        from artkit.errors import ArtkitError

        raise ArtkitError(
            f"the baseline needs benchmarks/baseline_vqgan_clip.py from artkit's source tree ({exc}); "
            "run `artkit bench` from a checkout."
        ) from None
    import copy

    from artkit.models.loading import build

    perceptor = run.perceptors[0]
    with torch.no_grad():
        text = perceptor.encode_text([run.plan.run.prompts[0].text])
    # the classic loop runs its models in fp32, as the notebooks did: same architectures and weights
    gen = run.generator.config
    vqgan = build(gen.model, gen.config, gen.checkpoint, gen.random_weights, "fp32").to(run.info.device)
    clip = copy.deepcopy(perceptor.model).float()
    return BaselineLoop(vqgan, clip, text, run.plan.run.size, run.cutouts_per_step, run.info.device)
