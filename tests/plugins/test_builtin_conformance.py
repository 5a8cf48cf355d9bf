"""Every built-in component passes the conformance suite plugin authors use."""

from artkit_plugins.augmentations.cutouts import Cutouts
from artkit_plugins.generators.pixel import PixelGenerator
from artkit_plugins.losses.clip import ClipLoss
from artkit_plugins.losses.smoothness import Smoothness
from artkit_plugins.perceptors.openclip import OpenClipPerceptor

from artkit.testing import AugmentationConformance, GeneratorConformance, LossConformance, PerceptorConformance


class TestPixelSigmoid(GeneratorConformance):
    component = PixelGenerator


class TestPixelClampBigPixels(GeneratorConformance):
    component = PixelGenerator
    options = {"parameterization": "clamp", "pixel_size": 4, "init": "#336699"}


class TestClipLoss(LossConformance):
    component = ClipLoss


class TestClipLossNegativeCosine(LossConformance):
    component = ClipLoss
    options = {"prompts": ["a red circle", {"text": "noise", "weight": -0.5}], "distance": "cosine"}


class TestSmoothness(LossConformance):
    component = Smoothness


class TestCutouts(AugmentationConformance):
    component = Cutouts
    options = {"cutn": 6}


class TestOpenClipToyclip(PerceptorConformance):
    component = OpenClipPerceptor
    options = {"model": "toyclip"}
