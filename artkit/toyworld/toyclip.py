"""toyclip: a small CLIP trained on the toy world, shipped with artkit and loaded with no network.

It is an ordinary open_clip model (a ModifiedResNet image tower at 64 px and a 3-layer text
transformer) registered under the name ``toyclip``. Two sets of weights live in ``weights/`` beside this
file; ``python -m artkit.toyworld.train_toyclip`` reproduces both from seeds:

- ``toyclip.safetensors`` (``robust``, the default): adversarially trained at 64 px, so that its gradients
  draw the prompt's colour where the prompt puts it rather than textures;
- ``toyclip_shapes.safetensors`` (``shapes``): trained plainly at 128 px; it tells shapes apart ten times
  better, but its gradients alone draw textures. Pair it with ``robust`` and a generator that cannot draw
  textures (``vector-quickstart`` does).

The text tower's token table has a row for each of open_clip's 49,408 BPE tokens, of which the toy
world uses a few dozen. Only those rows are stored (``token_embedding.rows`` and ``.values``); every
other token embeds to zero, which keeps the file at a few MB.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from artkit.logs import quiet_root_logger

WEIGHTS_DIR = Path(__file__).parent / "weights"
CONFIG_PATH = WEIGHTS_DIR / "toyclip.json"
WEIGHTS_PATH = WEIGHTS_DIR / "toyclip.safetensors"
SHAPES_WEIGHTS_PATH = WEIGHTS_DIR / "toyclip_shapes.safetensors"
SHIPPED_WEIGHTS = {"robust": WEIGHTS_PATH, "shapes": SHAPES_WEIGHTS_PATH}
MODEL_NAME = "toyclip"
_EMBEDDING_KEY = "token_embedding.weight"


@lru_cache(maxsize=1)
def register_config() -> None:
    """Makes ``toyclip`` known to open_clip (``open_clip.create_model("toyclip")``)."""
    import open_clip

    open_clip.add_model_config(CONFIG_PATH)


def create(pretrained: bool = True, weights: Path = WEIGHTS_PATH, image_size: int | None = None) -> nn.Module:
    """Builds toyclip, with ``weights`` (the shipped ones by default) unless ``pretrained`` is False.

    The image tower's width and input size are read from the weights, so a file trained with
    ``--image-width`` or ``--image-size`` loads too. ``image_size`` loads the weights for another input size
    (see :func:`resized`).

    Example:
        >>> model = create()
        >>> model.visual.image_size
        64
        >>> create(image_size=128).visual.image_size
        128
    """
    if not pretrained:
        return build(image_size=image_size).eval()
    state = load_state_dict(weights)
    size = image_size or image_size_of(state)
    model = build(image_width=image_width_of(state), image_size=size)
    model.load_state_dict(resized(state, size))
    return model.eval()


@lru_cache(maxsize=1)
def shipped() -> nn.Module:
    """The shipped toyclip, built once per process and shared; treat it as read-only.

    Building it leaves torch's global random state as it was: only the first call builds, so a draw here would
    make the first run in a process differ from the next ones. (:func:`create` draws random initial weights
    before it loads the real ones; a run's perceptor calls it every run, the same way each time.)
    """
    with torch.random.fork_rng(devices=[]):
        return create()


def build(image_width: int | None = None, image_size: int | None = None) -> nn.Module:
    """toyclip's architecture with random weights; ``image_width`` widens the image tower (default: 16) and
    ``image_size`` sets its input's side in pixels (default: 64; a multiple of 32).

    Example:
        >>> build(image_width=32).visual.conv1.out_channels
        16
        >>> build(image_size=128).visual.image_size
        128
    """
    import open_clip

    register_config()
    changes = {"width": image_width, "image_size": image_size}
    changes = {key: value for key, value in changes.items() if value is not None}
    options = {}
    if changes:
        vision = json.loads(CONFIG_PATH.read_text())["vision_cfg"]
        options["vision_cfg"] = {**vision, **changes}
    with quiet_root_logger():  # open_clip warns "initialized randomly"
        return open_clip.create_model(MODEL_NAME, pretrained=None, **options)


def image_width_of(state: dict[str, torch.Tensor]) -> int:
    """The image tower's width that a state dict was trained with (its first convolution has half as many
    channels)."""
    return 2 * state["visual.conv1.weight"].shape[0]


_POSITIONS_KEY = "visual.attnpool.positional_embedding"


def image_size_of(state: dict[str, torch.Tensor]) -> int:
    """The input size (pixels per side) that a state dict was trained at: its attention pool has one position
    per cell of a grid 32 times smaller, plus one for the mean."""
    return 32 * math.isqrt(state[_POSITIONS_KEY].shape[0] - 1)


def resized(state: dict[str, torch.Tensor], image_size: int) -> dict[str, torch.Tensor]:
    """``state`` for an input of ``image_size`` pixels: the attention pool's grid of positions is resampled
    (bicubic); every other weight is size-independent. A further training stage adapts the rest.

    Example:
        >>> image_size_of(resized(build().state_dict(), 128))
        128
    """
    positions = state[_POSITIONS_KEY]
    old, new = math.isqrt(positions.shape[0] - 1), image_size // 32
    if old == new:
        return state
    grid = positions[1:].T.reshape(1, -1, old, old)
    grid = torch.nn.functional.interpolate(grid, size=(new, new), mode="bicubic", align_corners=False)
    return {**state, _POSITIONS_KEY: torch.cat([positions[:1], grid.reshape(-1, new * new).T])}


def report_path(weights: Path) -> Path:
    """The training report written beside ``weights``: ``NAME_report.json`` for ``NAME.safetensors``.

    Example:
        >>> report_path(SHAPES_WEIGHTS_PATH).name
        'toyclip_shapes_report.json'
    """
    return weights.with_name(f"{weights.stem}_report.json")


def tokenizer():
    """open_clip's tokenizer with toyclip's context length."""
    import open_clip

    register_config()
    return open_clip.get_tokenizer(MODEL_NAME)


def encoders(model: nn.Module) -> tuple[Callable[[torch.Tensor], torch.Tensor], Callable[[list[str]], torch.Tensor]]:
    """``model``'s image encoder and a text encoder that takes captions, as the evaluations expect them."""
    tokenize = tokenizer()
    return model.encode_image, lambda texts: model.encode_text(tokenize(texts))


def save_state_dict(model: nn.Module, path: Path, used_tokens: torch.Tensor) -> None:
    """Writes ``model``'s weights as safetensors, keeping only the token rows in ``used_tokens``."""
    from safetensors.torch import save_file

    weights = model.state_dict()
    state = {k: _stored(v) for k, v in weights.items() if k != _EMBEDDING_KEY}
    rows = torch.unique(used_tokens)
    state["token_embedding.rows"] = rows
    state["token_embedding.values"] = _stored(weights[_EMBEDDING_KEY][rows])
    save_file(state, str(path))


def _stored(tensor: torch.Tensor) -> torch.Tensor:
    """Floating-point weights are stored in float16: half the size, no measurable change in accuracy."""
    tensor = tensor.detach().contiguous()
    return tensor.half() if tensor.is_floating_point() else tensor


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Reads weights written by :func:`save_state_dict` back into a full state dict."""
    from safetensors.torch import load_file

    state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(path)).items()}
    rows, values = state.pop("token_embedding.rows"), state.pop("token_embedding.values")
    table = torch.zeros(_vocab_size(), values.shape[1], dtype=values.dtype)
    table[rows] = values
    state[_EMBEDDING_KEY] = table
    return state


def _vocab_size() -> int:
    return int(json.loads(CONFIG_PATH.read_text())["text_cfg"]["vocab_size"])
