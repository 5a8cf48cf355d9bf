"""A run: its components, its directory, and the optimisation loop."""

from __future__ import annotations

import functools
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import Tensor

from artkit.components import Augmentation, Generator, Loss, Output, Perceptor, RunInfo
from artkit.context import StepContext
from artkit.engine.candidates import choose_start
from artkit.engine.choice_search import check_choice_search, search_choices
from artkit.engine.faults import FaultGuard
from artkit.engine.setup import (
    autocast_context,
    compile_models,
    lr_factor,
    make_optimizer,
    pick_device,
    seed_everything,
)
from artkit.engine.signals import ImmediateStop, StopRequest, graceful_stop
from artkit.engine.state import save_state
from artkit.environment import record as record_environment
from artkit.errors import ArtkitError, RunInterrupted
from artkit.files import atomic_write, new_run_dir
from artkit.images import save_png
from artkit.plugin_manager import Plugins
from artkit.resolve import Plan


@dataclass
class Run:
    """Everything about one run; handed to the ``run_started``, ``step_finished`` and ``run_finished`` hooks.

    Attributes:
        plan: the validated configuration; ``plan.resolved()`` is what ``config.yaml`` holds.
        dir: the run's own output directory.
        step: the last finished step (0 before the first).
        losses: the loss terms of the last step as tensors on the device (``total`` included);
            turning them into numbers syncs with the device, so do it only when you log.
        image: the last image (1, 3, H, W), detached.
        metrics: records appended by outputs that log (the ``metrics`` output), returned by ``artkit.run``.
        resumed_from: the step a resumed run started from (0 for a new run); outputs use it to
            continue their files rather than start them again.
    """

    plan: Plan
    plugins: Plugins
    dir: Path
    info: RunInfo
    generator: Generator
    perceptors: list[Perceptor]
    augmentations: list[Augmentation]
    loss_fns: dict[str, Loss]
    outputs: list[Output]
    optimizer: torch.optim.Optimizer
    step: int = 0
    losses: dict[str, Tensor] = field(default_factory=dict)
    image: Tensor | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    resumed_from: int = 0
    schedule_start: int = 0
    schedule_length: int | None = None
    started_at: float = field(default_factory=time.perf_counter)
    _base_lrs: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return self.plan.run.steps

    @property
    def cutouts_per_step(self) -> int:
        """Cutouts all augmentations make per step (those that say, with a ``cutn`` option), times ``cut_batches``."""
        return sum(getattr(a.config, "cutn", 0) for a in self.augmentations) * self.plan.run.cut_batches

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    @functools.cached_property
    def config_yaml(self) -> str:
        """The resolved configuration as YAML: ``config.yaml`` and every PNG's ``config`` chunk."""
        return yaml.safe_dump(self.plan.resolved(), sort_keys=False)

    def png_text(self) -> dict[str, str]:
        """Text chunks stored in every PNG the run writes: prompts, seed, step and resolved config."""
        prompts = " | ".join(p.describe() for p in self.plan.run.prompts)
        return {"prompt": prompts, "seed": str(self.plan.run.seed), "step": str(self.step), "config": self.config_yaml}

    def step_once(self) -> None:
        """One optimisation step: image, cutouts, losses, backward, update, projection."""
        index = self.step
        for group, base in zip(self.optimizer.param_groups, self._base_lrs, strict=True):
            span = self.schedule_length or self.steps
            group["lr"] = base * lr_factor(self.plan.run.optimizer, index - self.schedule_start, span)
        self.optimizer.zero_grad(set_to_none=True)
        with autocast_context(self.plan.run.autocast, self.info.device):
            image = self.generator()
        batches = self.plan.run.cut_batches
        if batches == 1:
            terms = self.loss_terms(image, index + 1)
            _total(terms).backward()
        else:
            terms = self._accumulated_loss_terms(image, index + 1, batches)
        self.optimizer.step()
        self.generator.project()
        self.losses = {"total": _total(terms).detach(), **{k: v.detach() for k, v in terms.items()}}
        self.image = image.detach().float()
        self.step = index + 1

    def loss_terms(self, image: Tensor, step: int, names: Collection[str] | None = None) -> dict[str, Tensor]:
        """Each loss (or each of those ``names``), weighted, on a fresh set of cutouts of ``image``."""
        with autocast_context(self.plan.run.autocast, self.info.device):
            ctx = StepContext(image, step, self.augmentations, self.perceptors)
            return {
                name: loss(ctx).float() * loss.config.weight
                for name, loss in self.loss_fns.items()
                if names is None or name in names
            }

    def _accumulated_loss_terms(self, image: Tensor, step: int, batches: int) -> dict[str, Tensor]:
        """``cut_batches``: the losses averaged over ``batches`` sets of cutouts, with one set's graph in
        memory at a time; their gradient reaches the generator through one backward pass of ``image``."""
        leaf = image.detach().requires_grad_(True)
        sums: dict[str, Tensor] = {}
        for _ in range(batches):
            terms = {k: v / batches for k, v in self.loss_terms(leaf, step).items()}
            _total(terms).backward()
            for name, value in terms.items():
                sums[name] = sums[name] + value.detach() if name in sums else value.detach()
        image.backward(leaf.grad)
        return sums

    @torch.no_grad()
    def current_image(self) -> Tensor:
        """The image the generator makes now (after the last update)."""
        return self.generator().detach()

    def save_final(self) -> Tensor:
        image = self.current_image()
        save_png(image, self.dir / "final.png", self.png_text())
        return image


def _total(terms: dict[str, Tensor]) -> Tensor:
    """The step's loss: the sum of its weighted terms."""
    return torch.stack(list(terms.values())).sum()


def build_run(plan: Plan, plugins: Plugins, out_root: Path, run_dir: Path | None = None) -> Run:
    """Seeds every RNG, builds the components of ``plan``, then creates the run directory (so a
    component that fails to build leaves no empty run behind). ``run_dir`` reuses an existing
    directory (``artkit resume``)."""
    cfg = plan.run
    device = pick_device(cfg.device)
    seed_everything(cfg.seed)
    info = RunInfo(size=cfg.size, device=device, seed=cfg.seed, steps=cfg.steps, prompts=list(cfg.prompts))
    generator = plan.generator.build(info).to(device)
    perceptors = [_frozen(p.build(info).to(device)) for p in plan.lists["perceptors"]]
    augmentations = [a.build(info).to(device) for a in plan.lists["augmentations"]]
    loss_fns = _named_losses(plan, info, device)
    check_choice_search(cfg.choice_search, generator, plan.generator.entry.name, loss_fns)
    outputs = [o.build(info) for o in plan.lists["outputs"]]
    compile_models(generator, perceptors, cfg.compile, device)
    optimizer = make_optimizer(cfg.optimizer, generator)
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    label = cfg.prompts[0].text or "image" if cfg.prompts else plan.generator.entry.name
    run = Run(
        plan,
        plugins,
        run_dir or new_run_dir(out_root, label),
        info,
        generator,
        perceptors,
        augmentations,
        loss_fns,
        outputs,
        optimizer,
        _base_lrs=base_lrs,
    )
    atomic_write(run.dir / "config.yaml", lambda handle: handle.write(run.config_yaml), mode="w")
    return run


def _frozen(perceptor: Perceptor) -> Perceptor:
    perceptor.eval()
    perceptor.requires_grad_(False)
    return perceptor


def _named_losses(plan: Plan, info: RunInfo, device: torch.device) -> dict[str, Loss]:
    named: dict[str, Loss] = {}
    for loss_plan in plan.lists["losses"]:
        name, n = loss_plan.entry.name, 2
        while name in named:
            name, n = f"{loss_plan.entry.name}_{n}", n + 1
        named[name] = loss_plan.build(info).to(device)
    return named


def execute(run: Run, progress: Any = None) -> Run:
    """Runs the remaining steps, calling outputs and hooks.

    Whatever happens (finished, Ctrl-C, SIGTERM, a numerical fault, a plugin error) ``final.png``,
    the resume state and the outputs are written, except after a second Ctrl-C, which leaves at once.
    """
    record_environment(run.dir, run.info.device, run.step)
    with graceful_stop() as stop, _second_stop_leaves_at_once(run):
        choose_start(run, stop, progress)  # before any output or hook sees the run
        for output in run.outputs:
            output.start(run)
        run.plugins.hook.run_started(run=run)
        abandoned = False
        try:
            _loop(run, stop, progress)
        except ImmediateStop:
            abandoned = True
            raise
        except KeyboardInterrupt:  # a plain interrupt (not the main thread, or raised by a plugin)
            run.interrupted = True
        finally:
            if not abandoned:
                _finish(run)
    if run.interrupted:
        raise RunInterrupted(
            f"Interrupted at step {run.step} of {run.steps}; the last image is in {run.dir / 'final.png'}. "
            f"Continue with: artkit resume {run.dir}"
        )
    return run


@contextmanager
def _second_stop_leaves_at_once(run: Run) -> Iterator[None]:
    try:
        yield
    except ImmediateStop:
        raise RunInterrupted(
            f"Stopped at once at step {run.step}. Files already written are complete; the resume state is "
            f"from the last checkpoint, if any ({run.dir})."
        ) from None


def _loop(run: Run, stop: StopRequest, progress: Any) -> None:
    if run.plan.run.animation is not None:
        from artkit.animation.runner import animate

        animate(run, lambda until: run_steps(run, stop, progress, until))
    else:
        run_steps(run, stop, progress, run.steps)


def run_steps(run: Run, stop: StopRequest, progress: Any, until: int) -> bool:
    """Steps until step ``until``, with fault checks, outputs, hooks and checkpoints.

    Returns False when a stop was requested (the run is then marked interrupted).
    """
    guard = FaultGuard(run)
    every = run.plan.run.checkpoint_every
    search_at = run.plan.run.choice_search.steps(run.steps)
    while run.step < until:
        if stop.requested:
            run.interrupted = True
            return False
        _step_or_explain_oom(run)
        if run.step in search_at:
            search_choices(run)
        checkpoint = bool(every) and run.step % every == 0
        if guard.after_step(run, force=checkpoint):
            continue  # rolled back: the steps since the last good one are redone
        for output in run.outputs:
            output.step(run, run.step)
        run.plugins.hook.step_finished(run=run, step=run.step)
        if checkpoint:
            save_state(run)
        if progress is not None:
            progress(run)
    return True


def _step_or_explain_oom(run: Run) -> None:
    try:
        run.step_once()
    except torch.cuda.OutOfMemoryError:
        cfg = run.plan.run
        raise ArtkitError(
            f"CUDA ran out of memory at step {run.step + 1} ({cfg.size[0]}x{cfg.size[1]}, {run.cutouts_per_step} cutouts, autocast "
            f"{cfg.autocast}). Try, in this order: --set autocast=bf16; the same cutouts in smaller batches "
            "(--set cut_batches=4 --set augmentations[0].cutn=N/4); a smaller --size; perceptor precision: fp16; "
            "checkpoint_decoder: true for vqgan. The image so far is kept in final.png."
        ) from None


def _finish(run: Run) -> None:
    run.save_final()
    run.generator.write_files(run.dir)
    save_state(run)
    for output in run.outputs:
        output.finish(run)
    run.plugins.hook.run_finished(run=run)
