"""The built-in component plugins' entry points (``pyproject.toml``), one object per plugin.

Each registers its component by reference (``"module:Class"``), so that loading the plugins, to list
presets for instance, imports no torch: a component's module is imported when a run first uses it.
Third-party plugins may register the same way, or hand ``register`` the class itself.
"""

from __future__ import annotations

from types import SimpleNamespace

import artkit
from artkit.registry import PLURALS


def lazy_plugin(kind: str, name: str, reference: str, aliases: tuple[str, ...] = ()) -> SimpleNamespace:
    """A plugin object whose ``register_<kind>s`` hook registers ``reference`` under ``name``.

    Example:
        >>> plugin = lazy_plugin("loss", "tv", "artkit_plugins.losses.smoothness:Smoothness")
        >>> hasattr(plugin, "register_losses")
        True
    """

    @artkit.hookimpl
    def register_component(register):
        register(name, reference, aliases=aliases)

    return SimpleNamespace(**{f"register_{PLURALS[kind]}": register_component})


pixel = lazy_plugin("generator", "pixel", "artkit_plugins.generators.pixel:PixelGenerator", ("pixels",))
fft = lazy_plugin("generator", "fft", "artkit_plugins.generators.fft:FFTGenerator", ("fourier",))
palette = lazy_plugin("generator", "palette", "artkit_plugins.generators.palette:PaletteGenerator", ("pixelart",))
vqgan = lazy_plugin("generator", "vqgan", "artkit_plugins.generators.vqgan:VQGANGenerator", ("taming",))
vector = lazy_plugin("generator", "vector", "artkit_plugins.generators.vector:VectorGenerator", ("strokes", "clipdraw"))
openclip = lazy_plugin("perceptor", "openclip", "artkit_plugins.perceptors.openclip:OpenClipPerceptor", ("open_clip",))
clip = lazy_plugin("loss", "clip", "artkit_plugins.losses.clip:ClipLoss")
smoothness = lazy_plugin("loss", "smoothness", "artkit_plugins.losses.smoothness:Smoothness", ("tv",))
prior = lazy_plugin("loss", "prior", "artkit_plugins.losses.prior:PriorLoss", ("toyprior",))
cutouts = lazy_plugin("augmentation", "cutouts", "artkit_plugins.augmentations.cutouts:Cutouts")
png = lazy_plugin("output", "png", "artkit_plugins.outputs.png:PngOutput")
metrics = lazy_plugin("output", "metrics", "artkit_plugins.outputs.metrics:MetricsOutput")
progress_video = lazy_plugin(
    "output", "progress_video", "artkit_plugins.outputs.progress_video:ProgressVideo", ("video",)
)
