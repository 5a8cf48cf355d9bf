"""Every built-in component passes the conformance suite plugin authors use."""

from artkit_plugins.augmentations.cutouts import Cutouts
from artkit_plugins.generators.fft import FFTGenerator
from artkit_plugins.generators.palette import PaletteGenerator
from artkit_plugins.generators.pixel import PixelGenerator
from artkit_plugins.generators.vector import VectorGenerator
from artkit_plugins.generators.vqgan import VQGANGenerator
from artkit_plugins.losses.clip import ClipLoss
from artkit_plugins.losses.prior import PriorLoss
from artkit_plugins.losses.smoothness import Smoothness
from artkit_plugins.perceptors.openclip import OpenClipPerceptor

from artkit.testing import AugmentationConformance, GeneratorConformance, LossConformance, PerceptorConformance


class TestPixelSigmoid(GeneratorConformance):
    component = PixelGenerator


class TestPixelClampBigPixels(GeneratorConformance):
    component = PixelGenerator
    options = {"parameterization": "clamp", "pixel_size": 4, "init": "#336699"}
    set_image_tolerance = 0.05  # averaged into 4x4 blocks


class TestClipLoss(LossConformance):
    component = ClipLoss


class TestClipLossNegativeCosine(LossConformance):
    component = ClipLoss
    options = {"prompts": ["a red circle", {"text": "noise", "weight": -0.5}], "distance": "cosine"}


class TestSmoothness(LossConformance):
    component = Smoothness


class TestPriorLoss(LossConformance):
    component = PriorLoss
    options = {"samples": 1}


class TestCutouts(AugmentationConformance):
    component = Cutouts
    options = {"cutn": 6}


class TestOpenClipToyclip(PerceptorConformance):
    component = OpenClipPerceptor
    options = {"model": "toyclip"}


class TestFFT(GeneratorConformance):
    component = FFTGenerator


class TestFFTFromColourCorrelated(GeneratorConformance):
    component = FFTGenerator
    options = {"init": "orange", "decay": 1.0, "colour_decorrelation": True}


class TestPalette(GeneratorConformance):
    component = PaletteGenerator
    options = {"pixel_size": 1, "palette": ["black", "white", "red", "green", "blue", "#808080"]}
    set_image_tolerance = 0.2  # drawn in six colours: near, not equal


class TestPaletteHardLearned(GeneratorConformance):
    component = PaletteGenerator
    options = {"pixel_size": 4, "hard": True, "learn_palette": True, "palette": "gameboy"}
    set_image_tolerance = 0.35  # four greens and 4x4 blocks: only the rough picture survives


class TestVector(GeneratorConformance):
    component = VectorGenerator
    options = {"strokes": 12, "shapes": 2}
    set_image_tolerance = None  # strokes cannot restart from an arbitrary picture


class TestVQGANToy(GeneratorConformance):
    component = VQGANGenerator
    options = {"model": "toy"}
    size = (32, 16)
    set_image_tolerance = 0.3  # a smooth gradient, far from the flat toy scenes its 128 codes learnt


class TestVQGANRandomNoQuantize(GeneratorConformance):
    component = VQGANGenerator
    options = {"model": "toy", "random_weights": True, "quantize": False, "init": "gray"}
    size = (16, 16)
    set_image_tolerance = 1.0  # random weights: it runs, nothing more


class TestVectorPrimitives(GeneratorConformance):
    component = VectorGenerator
    options = {"strokes": 3, "shapes": 2, "primitives": ["circle", "star", "ring"], "palette": "toy"}
    set_image_tolerance = None  # strokes cannot restart from an arbitrary picture
