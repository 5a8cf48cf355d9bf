"""What ``artkit resume`` needs, saved in a run directory: ``state.safetensors``.

One file, written atomically: the generator's tensors, the optimiser's state, the step, and the RNG
states of torch (CPU and CUDA), Python and NumPy. Tensors are stored as safetensors; everything else
as JSON in the file's metadata, so loading it never unpickles anything.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save

from artkit.errors import ArtkitError
from artkit.files import atomic_write

if TYPE_CHECKING:
    from artkit.engine.run import Run

STATE_FILE = "state.safetensors"
_FORMAT = 1


def save_state(run: Run) -> Path:
    """Writes the run's resumable state to ``run.dir / state.safetensors`` and returns the path."""
    tensors, meta = _optimizer_tensors(run.optimizer.state_dict())
    tensors.update({f"generator.{k}": v for k, v in run.generator.state_dict().items()})
    rng = rng_states()
    tensors["rng.torch"] = rng.torch
    tensors.update({f"rng.cuda.{i}": state for i, state in enumerate(rng.cuda)})
    info = {
        "format": _FORMAT,
        "step": run.step,
        "steps": run.steps,
        "optimizer": meta,
        "rng_python": _jsonable(rng.python),
        "rng_numpy": [rng.numpy[0], rng.numpy[1].tolist(), *rng.numpy[2:]],
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    path = run.dir / STATE_FILE
    atomic_write(path, lambda handle: handle.write(save(tensors, metadata={"artkit": json.dumps(info)})))
    return path


def load_state(run: Run, path: Path) -> int:
    """Restores ``run`` from a state file written by :func:`save_state`; returns the saved step."""
    tensors, info = read_state(path)
    device = run.info.device
    generator = {k.removeprefix("generator."): v for k, v in tensors.items() if k.startswith("generator.")}
    run.generator.load_state_dict({k: v.to(device) for k, v in generator.items()})
    run.optimizer.load_state_dict(_optimizer_state(tensors, info["optimizer"]))
    name, keys, *rest = info["rng_numpy"]
    cuda = [tensors[k] for k in sorted(tensors) if k.startswith("rng.cuda.")]
    set_rng_states(
        RngStates(
            tensors["rng.torch"], cuda, _tupled(info["rng_python"]), (name, np.asarray(keys, dtype=np.uint32), *rest)
        )
    )
    run.step = int(info["step"])
    return run.step


@dataclass(frozen=True)
class RngStates:
    """The states of every RNG a run draws from: torch (CPU and each CUDA device), Python and NumPy."""

    torch: torch.Tensor
    cuda: list[torch.Tensor]
    python: Any
    numpy: Any


def rng_states() -> RngStates:
    """The RNGs' states now; :func:`set_rng_states` puts them back."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
    return RngStates(torch.get_rng_state(), cuda, random.getstate(), np.random.get_state())


def set_rng_states(states: RngStates) -> None:
    torch.set_rng_state(states.torch)
    if states.cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states.cuda[: torch.cuda.device_count()])
    random.setstate(states.python)
    np.random.set_state(states.numpy)


def read_state(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The tensors and the JSON metadata of a state file, with a clear error for a missing or bad one."""
    if not path.is_file():
        raise ArtkitError(
            f"{path.parent}: no {STATE_FILE} here, so there is nothing to resume. "
            "Runs save it when they finish, stop or every `checkpoint_every` steps."
        )
    try:
        with safe_open(str(path), framework="pt") as handle:
            meta = handle.metadata() or {}
        tensors = load_file(str(path))
        info = json.loads(meta["artkit"])
    except (SafetensorError, KeyError, ValueError, OSError) as exc:
        raise ArtkitError(f"{path}: not a state file artkit can read ({exc}). It may be damaged.") from None
    if info.get("format") != _FORMAT:
        raise ArtkitError(f"{path}: state format {info.get('format')} is not {_FORMAT}; resume it with that artkit.")
    return tensors, info


def _optimizer_tensors(state_dict: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, values in state_dict["state"].items():
        for name, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{name}"] = value
            else:
                scalars.setdefault(str(index), {})[name] = value
    return tensors, {"param_groups": _jsonable(state_dict["param_groups"]), "scalars": scalars}


def _optimizer_state(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    for index, values in meta["scalars"].items():
        state.setdefault(int(index), {}).update(values)
    return {"state": state, "param_groups": meta["param_groups"]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
