"""The known public VQGAN checkpoints, by name: architecture, download addresses (mirrors first to
last; old tools broke when one died) and the sha256 where one is published.

No published sha256 is known for these files, so ``sha256`` is ``None`` and the hash recorded at the
first download is checked on every later load (see :mod:`artkit.models.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEIBOX = "https://heibox.uni-heidelberg.de/d"


def _f16(n_embed: int) -> dict[str, Any]:
    return _arch(n_embed, ch_mult=[1, 1, 2, 2, 4], attn=[16])


def _arch(n_embed: int, ch_mult: list[int], attn: list[int]) -> dict[str, Any]:
    return {
        "embed_dim": 256,
        "n_embed": n_embed,
        "ddconfig": {
            "double_z": False, "z_channels": 256, "resolution": 256, "in_channels": 3, "out_ch": 3, "ch": 128,
            "ch_mult": ch_mult, "num_res_blocks": 2, "attn_resolutions": attn, "dropout": 0.0,
        },
    }  # fmt: skip


@dataclass(frozen=True)
class ZooModel:
    """One VQGAN checkpoint: what it is, its architecture, and where to get it."""

    name: str
    description: str
    params: dict[str, Any]
    urls: tuple[str, ...]
    config_urls: tuple[str, ...] = ()
    gumbel: bool = False
    sha256: str | None = None
    size_mb: int = 0  # 0: not known
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"vqgan-{self.name}.ckpt"

    @property
    def config_filename(self) -> str:
        return f"vqgan-{self.name}.yaml"


ZOO: dict[str, ZooModel] = {
    m.name: m
    for m in [
        ZooModel(
            "imagenet-f16-1024", "ImageNet, 16x downsampling, 1024 codes (taming-transformers)", _f16(1024),
            (f"{HEIBOX}/8088892a516d4e3baf92/files/?p=%2Fckpts%2Flast.ckpt&dl=1",),
            (f"{HEIBOX}/8088892a516d4e3baf92/files/?p=%2Fconfigs%2Fmodel.yaml&dl=1",),
            size_mb=958, aliases=("vqgan_imagenet_f16_1024",),
        ),
        ZooModel(
            "imagenet-f16-16384", "ImageNet, 16x downsampling, 16384 codes: VQGAN+CLIP's usual choice", _f16(16384),
            (
                f"{HEIBOX}/a7530b09fed84f80a887/files/?p=%2Fckpts%2Flast.ckpt&dl=1",
                "https://heibox.uni-heidelberg.de/f/867b05fc8c4841768640/?dl=1",
                "https://github.com/mehdidc/feed_forward_vqgan_clip/releases/download/0.1/vqgan_imagenet_f16_16384.ckpt",
            ),
            (
                f"{HEIBOX}/a7530b09fed84f80a887/files/?p=%2Fconfigs%2Fmodel.yaml&dl=1",
                "https://heibox.uni-heidelberg.de/f/274fb24ed38341bfa753/?dl=1",
                "https://github.com/mehdidc/feed_forward_vqgan_clip/releases/download/0.1/vqgan_imagenet_f16_16384.yaml",
            ),
            size_mb=980, aliases=("vqgan_imagenet_f16_16384", "imagenet"),
        ),
        ZooModel(
            "openimages-f8-8192", "OpenImages, 8x downsampling, 8192 codes, Gumbel quantisation ('gumbel f8')",
            _arch(8192, ch_mult=[1, 1, 2, 4], attn=[32]),
            (f"{HEIBOX}/2e5662443a6b4307b470/files/?p=%2Fckpts%2Flast.ckpt&dl=1",),
            (f"{HEIBOX}/2e5662443a6b4307b470/files/?p=%2Fconfigs%2Fmodel.yaml&dl=1",),
            gumbel=True, size_mb=376, aliases=("gumbel-f8", "gumbel_8192", "openimages"),
        ),
        ZooModel(
            "wikiart-f16-16384", "WikiArt paintings, 16x downsampling, 16384 codes", _f16(16384),
            (
                "http://eaidata.bmk.sh/data/Wikiart_16384/wikiart_f16_16384_8145600.ckpt",
                "https://github.com/Eleiber/VQGAN-Mirrors/releases/download/0.0.1/wikiart_16384.ckpt",
            ),
            (
                "http://eaidata.bmk.sh/data/Wikiart_16384/wikiart_f16_16384_8145600.yaml",
                "https://github.com/Eleiber/VQGAN-Mirrors/releases/download/0.0.1/wikiart_16384.yaml",
            ),
            aliases=("wikiart", "wikiart_16384"),
        ),
        ZooModel(
            "coco-f16-8192", "COCO scenes, 16x downsampling, 8192 codes", _f16(8192),
            ("https://dl.nmkd.de/ai/clip/coco/coco.ckpt",),
            ("https://dl.nmkd.de/ai/clip/coco/coco.yaml",),
            aliases=("coco",),
        ),
        ZooModel(
            "faceshq-f16-1024", "Faces (CelebA-HQ + FFHQ), 16x downsampling, 1024 codes", _f16(1024),
            (
                "https://app.koofr.net/content/links/a04deec9-0c59-4673-8b37-3d696fe63a5d/files/get/last.ckpt"
                "?path=%2F2020-11-13T21-41-45_faceshq_transformer%2Fcheckpoints%2Flast.ckpt",
            ),
            ("https://drive.google.com/uc?export=download&id=1fHwGx_hnBtC8nsq7hesJvs-Klv-P0gzT",),
            aliases=("faceshq",),
        ),
        ZooModel(
            "sflckr-f16-1024", "S-FLCKR landscapes, 16x downsampling, 1024 codes", _f16(1024),
            (f"{HEIBOX}/73487ab6e5314cb5adba/files/?p=%2Fcheckpoints%2Flast.ckpt&dl=1",),
            (f"{HEIBOX}/73487ab6e5314cb5adba/files/?p=%2Fconfigs%2F2020-11-09T13-31-51-project.yaml&dl=1",),
            aliases=("sflckr",),
        ),
    ]
}  # fmt: skip


def find(name: str) -> ZooModel | None:
    """A zoo model by name or alias (case-insensitive), or None."""
    key = name.lower()
    for model in ZOO.values():
        if key == model.name or key in model.aliases:
            return model
    return None
