"""toyprior: a small denoiser of toy-world scenes, conditioned on a caption's toyclip embeddings.

It predicts the clean 32x32 scene from a noisy one (EDM preconditioning, images centred to [-1, 1]),
given the noise level and the caption. Guidance uses it as a prior: the picture is pulled towards the
denoiser's estimate of it (score distillation), which draws flat toy scenes instead of the textures a
contrastive model alone leaves.

Example:
    >>> model = Denoiser()
    >>> x = torch.zeros(2, 3, 32, 32)
    >>> model(x, torch.tensor([0.5, 0.5]), torch.zeros(2, TEXT_DIM)).shape
    torch.Size([2, 3, 32, 32])
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

WEIGHTS_PATH = Path(__file__).parent / "weights" / "toyprior.safetensors"
SIZE = 32
TEXT_DIM = 128  # one toyclip's text embedding; a denoiser conditioned on several takes them side by side
TEXT_MODELS = ("robust",)  # the toyclip weights (names of toyclip.SHIPPED_WEIGHTS) whose text embeddings condition it
SIGMA_DATA = 0.5
CONFIG = {"channels": [32, 64, 128], "embed": 256, "size": SIZE, "text_dim": TEXT_DIM, "text": list(TEXT_MODELS)}


class ResBlock(nn.Module):
    """Two convolutions with group norm, the second modulated (scale and shift) by the embedding."""

    def __init__(self, c_in: int, c_out: int, embed: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.norm2, self.conv2 = nn.GroupNorm(8, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.film = nn.Linear(embed, 2 * c_out)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(emb)[:, :, None, None].chunk(2, dim=1)
        h = self.conv2(F.silu(self.norm2(h) * (1 + scale) + shift))
        return self.skip(x) + h


class Attention(nn.Module):
    """Self-attention over the positions of a small feature map."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.attn = nn.MultiheadAttention(channels, 4, batch_first=True)

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        tokens = self.norm(x).flatten(2).transpose(1, 2)
        out, _ = self.attn(tokens, tokens, tokens, need_weights=False)
        return x + out.transpose(1, 2).reshape(b, c, h, w)


class Layout(nn.Module):
    """A caption's feature map of ``size`` x ``size``, added to the U-Net's features at that size.

    The caption goes through a linear map (or, with ``hidden``, a hidden layer first, so that the map can
    depend on the words together: a square *on the left*) to ``width`` channels per cell, then a 1x1
    convolution to the U-Net's channels. That convolution starts at zero, so a new map changes nothing.
    """

    def __init__(self, channels: int, size: int, width: int = 32, hidden: int = 0, text_dim: int = TEXT_DIM) -> None:
        super().__init__()
        self.size, self.width = size, width
        self.hidden = nn.Sequential(nn.Linear(text_dim, hidden), nn.SiLU()) if hidden else nn.Identity()
        self.project = nn.Linear(hidden or text_dim, width * size * size)
        self.mix = nn.Conv2d(width, channels, 1)
        nn.init.zeros_(self.mix.weight)
        nn.init.zeros_(self.mix.bias)

    def forward(self, standard: Tensor) -> Tensor:
        cells = self.project(self.hidden(standard)).view(-1, self.width, self.size, self.size)
        return self.mix(F.silu(cells))


class Denoiser(nn.Module):
    """A U-Net (32, 16 and 8 px levels, attention at 8 px) with EDM preconditioning.

    ``forward(noisy, sigma, text)`` returns the estimate of the clean image in [-1, 1]; ``text`` is the
    caption's unit embedding by each toyclip ``text`` names, side by side (:func:`caption_embeddings`), or
    zeros for no caption. The caption scales and shifts every block;
    ``coords`` adds x and y input channels, ``layout`` a map of the caption at the 8 px level and
    ``fine_layout`` one at the 16 px level, through a hidden layer: a scale and a shift are the same
    everywhere, a map says where, and a finer map can say what outline.
    """

    def __init__(
        self,
        channels: tuple[int, ...] = (32, 64, 128),
        embed: int = 256,
        coords: bool = False,
        layout: bool = False,
        fine_layout: bool = False,
        text: Sequence[str] = TEXT_MODELS,
    ) -> None:
        super().__init__()
        text_dim = TEXT_DIM * len(text)
        self.config = {
            "channels": list(channels),
            "embed": embed,
            "size": SIZE,
            "text_dim": text_dim,
            "text": list(text),
            "coords": coords,
            "layout": layout,
            "fine_layout": fine_layout,
        }
        # two extra input channels, x and y in [-1, 1], let the caption's scale and shift say where things are
        ramp = torch.linspace(-1, 1, SIZE)
        grid = torch.stack([ramp.expand(SIZE, SIZE), ramp[:, None].expand(SIZE, SIZE)])[None] if coords else None
        self.register_buffer("grid", grid, persistent=False)
        self.sigma_mlp = nn.Sequential(nn.Linear(32, embed), nn.SiLU(), nn.Linear(embed, embed))
        self.text_mlp = nn.Sequential(nn.Linear(text_dim, embed), nn.SiLU(), nn.Linear(embed, embed))
        self.register_buffer("freqs", torch.randn(16, generator=torch.Generator().manual_seed(0)) * 4)
        # captions' embeddings are close together; standardising them (statistics set by training) spreads them
        self.register_buffer("text_mean", torch.zeros(text_dim))
        self.register_buffer("text_std", torch.ones(text_dim))
        self.stem = nn.Conv2d(5 if coords else 3, channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        c = channels[0]
        for c_out in channels:
            self.down.append(ResBlock(c, c_out, embed))
            c = c_out
        self.mid = ResBlock(c, c, embed)
        # a caption's own map at the coarsest level: where it puts things, not only which colours
        self.layout = Layout(c, SIZE // 2 ** (len(channels) - 1), text_dim=text_dim) if layout else None
        self.attn = Attention(c)
        fine = SIZE // 2 ** (len(channels) - 2)
        self.fine_layout = Layout(c, fine, width=16, hidden=256, text_dim=text_dim) if fine_layout else None
        self.up = nn.ModuleList()
        for c_skip in reversed(channels):
            self.up.append(ResBlock(c + c_skip, c_skip, embed))
            c = c_skip
        self.head = nn.Sequential(nn.GroupNorm(8, c), nn.SiLU(), nn.Conv2d(c, 3, 3, padding=1))

    @property
    def text(self) -> tuple[str, ...]:
        """The toyclip weights whose caption embeddings condition it, in order (see :func:`caption_embeddings`)."""
        return tuple(self.config["text"])

    def embedding(self, sigma: Tensor, standard: Tensor) -> Tensor:
        angles = (sigma.log() / 4)[:, None] * self.freqs[None, :] * 2 * math.pi
        return F.silu(self.sigma_mlp(torch.cat([angles.sin(), angles.cos()], dim=1)) + self.text_mlp(standard))

    def unet(self, x: Tensor, emb: Tensor, standard: Tensor) -> Tensor:
        if self.grid is not None:
            x = torch.cat([x, self.grid.expand(len(x), -1, -1, -1)], dim=1)
        h, skips = self.stem(x), []
        for i, block in enumerate(self.down):
            h = block(h, emb)
            skips.append(h)
            if i < len(self.down) - 1:
                h = F.avg_pool2d(h, 2)
        h = self.mid(h, emb)
        if self.layout is not None:
            h = h + self.layout(standard)
        h = self.attn(h)
        for i, block in enumerate(self.up):
            h = block(torch.cat([h, skips.pop()], dim=1), emb)
            if i < len(self.up) - 1:
                h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            if i == 0 and self.fine_layout is not None:
                h = h + self.fine_layout(standard)
        return self.head(h)

    def forward(self, noisy: Tensor, sigma: Tensor, text: Tensor) -> Tensor:
        s = sigma[:, None, None, None]
        c_skip = SIGMA_DATA**2 / (s**2 + SIGMA_DATA**2)
        c_out = s * SIGMA_DATA / (s**2 + SIGMA_DATA**2).sqrt()
        c_in = 1 / (s**2 + SIGMA_DATA**2).sqrt()
        standard = (text - self.text_mean) / self.text_std
        return c_skip * noisy + c_out * self.unet(c_in * noisy, self.embedding(sigma, standard), standard)


@torch.no_grad()
def caption_embeddings(captions: list[str], text: Sequence[str] = TEXT_MODELS) -> Tensor:
    """The denoiser's conditioning: each caption's unit text embedding by each toyclip in ``text`` (the
    model's :attr:`Denoiser.text`), side by side: (N, TEXT_DIM * len(text)).

    Example:
        >>> caption_embeddings(["a red circle", "a blue square"]).shape
        torch.Size([2, 128])
        >>> caption_embeddings(["a red circle"], ("robust", "shapes")).shape
        torch.Size([1, 256])
    """
    return torch.cat([F.normalize(text_encoder(name)(captions), dim=-1) for name in text], dim=1)


@cache
def text_encoder(name: str) -> Callable[[list[str]], Tensor]:
    """The text tower of the shipped toyclip weights ``name`` (``robust`` or ``shapes``), loaded once."""
    from artkit.toyworld import toyclip

    if name not in toyclip.SHIPPED_WEIGHTS:
        known = ", ".join(toyclip.SHIPPED_WEIGHTS)
        raise ValueError(f"toyprior is conditioned on toyclip {name}, which artkit does not ship (known: {known})")
    if name == "robust":
        return toyclip.encoders(toyclip.shipped())[1]
    with torch.random.fork_rng(devices=[]):  # random initial weights, overwritten: leave a run's seed alone
        model = toyclip.create(weights=toyclip.SHIPPED_WEIGHTS[name])
    return toyclip.encoders(model.requires_grad_(False))[1]


def guided(
    model: Denoiser, noisy: Tensor, sigma: Tensor, text: Tensor, scale: float, unconditional: Tensor | None = None
) -> Tensor:
    """The classifier-free guided estimate: ``uncond + scale * (cond - uncond)``.

    ``unconditional`` (one embedding, or one per row) replaces the blank caption of the ``uncond`` branch, as a
    negative prompt does.
    """
    blank = torch.zeros_like(text) if unconditional is None else unconditional.expand_as(text)
    if scale == 1.0:
        return model(noisy, sigma, text)
    both = model(torch.cat([noisy, noisy]), torch.cat([sigma, sigma]), torch.cat([text, blank]))
    cond, uncond = both.chunk(2)
    return uncond + scale * (cond - uncond)


@torch.no_grad()
def sample(model: Denoiser, text: Tensor, steps: int = 24, scale: float = 3.0, seed: int = 0) -> Tensor:
    """Draws scenes for ``text`` (N, TEXT_DIM) by Euler steps from sigma 2.5 to 0.02; returns [0, 1]."""
    gen = torch.Generator().manual_seed(seed)
    sigmas = torch.exp(torch.linspace(math.log(2.5), math.log(0.02), steps))
    x = torch.randn(len(text), 3, SIZE, SIZE, generator=gen) * sigmas[0]
    for i, sigma in enumerate(sigmas):
        estimate = guided(model, x, sigma.expand(len(text)), text, scale)
        nxt = sigmas[i + 1] if i + 1 < steps else torch.tensor(0.0)
        x = estimate + (x - estimate) * (nxt / sigma)
    return ((x + 1) / 2).clamp(0, 1)


def save(model: Denoiser, path: Path, metadata: dict[str, str]) -> None:
    """Writes ``model``'s weights as float16 safetensors with ``metadata``."""
    from safetensors.torch import save_file

    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"config": json.dumps(model.config), **metadata})


def from_config(config: dict) -> Denoiser:
    """A randomly initialised denoiser of the shape ``config`` (a model's ``config``) describes.

    Example:
        >>> from_config({"coords": True}).config["coords"]
        True
    """
    return Denoiser(
        tuple(config.get("channels", CONFIG["channels"])),
        config.get("embed", CONFIG["embed"]),
        config.get("coords", False),
        config.get("layout", False),
        config.get("fine_layout", False),
        tuple(config.get("text", TEXT_MODELS)),
    )


def load(path: Path = WEIGHTS_PATH) -> Denoiser:
    """The denoiser with the weights at ``path`` (the shipped ones by default), in eval mode.

    It leaves torch's global random state as it was, so that loading it (once per process: the ``prior`` loss
    caches it) does not change the random draws of the run that loads it first.
    """
    config, state = read_weights(path)
    with torch.random.fork_rng(devices=[]):  # random initial weights, overwritten: leave a run's seed alone
        model = from_config(config)
    model.load_state_dict(state)
    return model.eval().requires_grad_(False)


def read_weights(path: Path) -> tuple[dict, dict[str, Tensor]]:
    """The model config stored with the weights at ``path``, and the weights as float32, in one read."""
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        config = json.loads((f.metadata() or {}).get("config", "{}"))
        return config, {k: f.get_tensor(k).float() for k in f.keys()}
