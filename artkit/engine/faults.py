"""Numerical faults: NaN or Inf in the loss or the generator's parameters.

Every ``fault_check_every`` steps the guard checks the last loss and the parameters (one device sync).
On a fault it rolls back to the last good parameters and optimiser state, halves the learning rate,
warns, and lets the run go on; after ``max_faults`` rollbacks it stops with a clear message, leaving
the last good image.
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any

import torch

from artkit.errors import ArtkitError

if TYPE_CHECKING:
    from artkit.engine.run import Run

log = logging.getLogger("artkit")
LR_DROP = 0.5


class NumericalFault(ArtkitError):
    """The run kept producing NaN/Inf after every rollback."""

    exit_code = 1


class FaultGuard:
    """Keeps the last good state of a run and restores it when the numbers go bad."""

    def __init__(self, run: Run) -> None:
        self.check_every = run.plan.run.fault_check_every
        self.max_faults = run.plan.run.max_faults
        self.faults = 0
        self._good = self._snapshot(run)

    def after_step(self, run: Run, force: bool = False) -> bool:
        """Checks the run at its check interval (or when ``force``); rolls back on a fault and says so."""
        if not force and run.step % self.check_every and run.step != run.steps:
            return False
        if healthy(run):
            self._good = self._snapshot(run)
            return False
        bad_step = run.step
        self._restore(run)
        self.faults += 1
        if self.faults > self.max_faults:
            raise NumericalFault(
                f"The loss or the parameters became NaN/Inf at step {bad_step}, {self.faults} times, even after "
                f"halving the learning rate {self.faults - 1} times. Stopped; final.png is the last good image "
                f"(step {run.step}). Lower optimizer.lr, or check the loss weights and any plugin losses."
            )
        run._base_lrs = [lr * LR_DROP for lr in run._base_lrs]
        log.warning(
            "NaN/Inf at step %d: rolled back to step %d and halved the learning rate (fault %d of at most %d).",
            bad_step,
            run.step,
            self.faults,
            self.max_faults,
        )
        return True

    @staticmethod
    def _snapshot(run: Run) -> dict[str, Any]:
        return {
            "step": run.step,
            "generator": {k: v.detach().clone() for k, v in run.generator.state_dict().items()},
            "optimizer": copy.deepcopy(run.optimizer.state_dict()),
        }

    def _restore(self, run: Run) -> None:
        run.generator.load_state_dict(self._good["generator"])
        run.optimizer.load_state_dict(copy.deepcopy(self._good["optimizer"]))
        run.step = self._good["step"]
        run.image = run.current_image()


def healthy(run: Run) -> bool:
    """Whether the last loss and every generator tensor are finite (one device sync)."""
    checks = [torch.isfinite(t).all() for t in run.generator.state_dict().values() if t.is_floating_point()]
    if "total" in run.losses:
        checks.append(torch.isfinite(run.losses["total"]).all())
    return bool(torch.stack(checks).all()) if checks else True
