"""Loading third-party checkpoints without running their code.

``.safetensors`` files are read directly. Pickled ``.ckpt`` / ``.pt`` files are read with
``torch.load(weights_only=True)``, which refuses any Python object outside an allow-list; the
allow-list adds only what old pytorch-lightning checkpoints need (the ``ModelCheckpoint`` callback's
saved state and NumPy scalars), mapped to inert stand-ins.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import torch

from artkit.errors import ArtkitError


class _InertState:
    """Stands in for a class an old checkpoint pickled (a training callback): keeps its state, runs nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.state: dict[str, Any] = {}

    def __setstate__(self, state: Any) -> None:
        self.state = state if isinstance(state, dict) else {"state": state}


class _ModelCheckpoint(_InertState):
    pass


ALLOWED: list[Any] = [
    (_ModelCheckpoint, "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"),
    np.dtype,
    (np._core if hasattr(np, "_core") else np.core).multiarray.scalar,  # type: ignore[attr-defined]
    *(getattr(np.dtypes, n) for n in ("Float64DType", "Float32DType", "Int64DType") if hasattr(np, "dtypes")),
]


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The model weights in ``path`` (a taming ``state_dict`` entry is unwrapped), never unpickling code."""
    if not path.is_file():
        raise ArtkitError(f"{path}: checkpoint file not found. Check the path given as `checkpoint:`.")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    try:
        with torch.serialization.safe_globals(ALLOWED):
            data = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ArtkitError(
            f"{path}: the checkpoint holds Python objects artkit will not load, because unpickling them could run "
            f"code ({str(exc).splitlines()[0][:160]}). Convert it to safetensors on a machine you trust, "
            "or use a published checkpoint."
        ) from None
    except (RuntimeError, EOFError, OSError) as exc:
        raise ArtkitError(f"{path}: not a checkpoint torch can read ({str(exc)[:160]}). It may be damaged.") from None
    state = data.get("state_dict", data) if isinstance(data, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ArtkitError(f"{path}: no state_dict of tensors in this checkpoint.")
    return state
