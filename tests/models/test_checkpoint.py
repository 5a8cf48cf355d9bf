"""Loading third-party checkpoints never runs their code."""

import pickle
import sys
import types

import pytest
import torch
from safetensors.torch import save_file

from artkit.errors import ArtkitError
from artkit.models.checkpoint import load_state_dict


class ModelCheckpoint:
    """Pickled under pytorch-lightning's name, as old checkpoints hold it."""

    def __init__(self):
        self.best_model_score = torch.tensor(0.5)


def lightning_like_checkpoint(path):
    """A checkpoint shaped like old pytorch-lightning ones: a callback object pickled beside the weights."""
    module = types.ModuleType("pytorch_lightning.callbacks.model_checkpoint")
    ModelCheckpoint.__module__ = module.__name__
    module.ModelCheckpoint = ModelCheckpoint
    names = ["pytorch_lightning", "pytorch_lightning.callbacks", module.__name__]
    for name in names[:2]:
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules[module.__name__] = module
    try:
        torch.save(
            {"state_dict": {"w": torch.ones(2)}, "callbacks": {ModelCheckpoint: ModelCheckpoint()}, "epoch": 3}, path
        )
    finally:
        ModelCheckpoint.__module__ = __name__
        for name in names:
            sys.modules.pop(name, None)


class Exploit:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_old_lightning_checkpoint_loads_without_lightning(tmp_path):
    path = tmp_path / "last.ckpt"
    lightning_like_checkpoint(path)
    assert "pytorch_lightning" not in sys.modules
    state = load_state_dict(path)
    assert torch.equal(state["w"], torch.ones(2))


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path, capsys):
    path = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {"w": torch.ones(1)}, "payload": Exploit()}, path)
    with pytest.raises(ArtkitError, match="holds Python objects artkit will not load"):
        load_state_dict(path)
    assert "this must never run" not in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")  # torch notes the raw pickle first
def test_plain_pickle_is_refused(tmp_path):
    path = tmp_path / "raw.ckpt"
    path.write_bytes(pickle.dumps({"state_dict": Exploit()}))
    with pytest.raises(ArtkitError, match="artkit will not load|not a checkpoint torch can read"):
        load_state_dict(path)


def test_safetensors_are_read_directly(tmp_path):
    path = tmp_path / "weights.safetensors"
    save_file({"w": torch.zeros(3)}, str(path))
    assert torch.equal(load_state_dict(path)["w"], torch.zeros(3))


def test_missing_and_damaged_files(tmp_path):
    with pytest.raises(ArtkitError, match="checkpoint file not found"):
        load_state_dict(tmp_path / "nope.ckpt")
    (tmp_path / "bad.ckpt").write_bytes(b"\x00" * 10)
    with pytest.raises(ArtkitError, match="bad.ckpt"):
        load_state_dict(tmp_path / "bad.ckpt")
