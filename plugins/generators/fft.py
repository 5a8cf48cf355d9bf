"""The ``fft`` generator: an image parameterised in decorrelated colour and frequency space.

The parameters are the 2-D Fourier spectrum of each colour channel, scaled by ``1 / f**decay`` so
that a step moves low frequencies (big shapes) as easily as high ones; the channels are mixed by a
fixed colour-decorrelation matrix and squashed by a sigmoid (the Lucid / Aphantasia approach).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor

import artkit
from artkit.initial import InitOptions, initial_image

# Square root of the colour covariance of natural images (Lucid's decorrelation), columns normalised.
_COLOUR_CORRELATION = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOUR_MIX = _COLOUR_CORRELATION / _COLOUR_CORRELATION.norm(dim=0).max()
_EPS = 1e-3


def frequency_scale(height: int, width: int, decay: float) -> Tensor:
    """The scale of every ``rfft2`` frequency of an (H, W) image, shape (H, W//2+1).

    ``1 / max(f, 1/size)**decay``, normalised so that a unit coefficient at the lowest frequency moves
    the (orthonormal) inverse transform by about one unit per pixel.
    """
    fy = torch.fft.fftfreq(height).view(-1, 1)
    fx = torch.fft.rfftfreq(width).view(1, -1)
    freq = (fx**2 + fy**2).sqrt().clamp(min=1.0 / max(height, width))
    return freq.pow(-decay) / max(height, width) ** decay * (height * width) ** 0.5


class FFTGenerator(artkit.Generator):
    """Spectrum parameters with a ``1/f**decay`` scale and colour decorrelation.

    ``decay`` > 1 favours smooth, large shapes; ``decay`` near 0 behaves like raw pixels.
    """

    class Config(InitOptions):
        decay: float = Field(default=1.5, ge=0, le=4, description="spectral decay: higher gives smoother pictures")
        init_noise: float = Field(default=0.01, ge=0, description="noise added to a colour or image init")
        noise_scale: float = Field(default=0.05, gt=0, description="spectrum noise of the 'noise' init")
        colour_decorrelation: bool = Field(
            default=True, description="mix channels with the natural-image colour matrix"
        )

    def __init__(self, config: Config, info: artkit.RunInfo) -> None:
        super().__init__(config, info)
        width, height = info.size
        self.register_buffer("scale", frequency_scale(height, width, config.decay))
        mix = _COLOUR_MIX if config.colour_decorrelation else torch.eye(3)
        self.register_buffer("mix", mix.clone())
        self.spectrum = torch.nn.Parameter(self._initial_spectrum(height, width))

    def _initial_spectrum(self, height: int, width: int) -> Tensor:
        cfg = self.config
        if cfg.init == "noise" and cfg.init_image is None:
            return cfg.noise_scale * torch.randn(1, 3, height, width // 2 + 1, 2)
        image = initial_image(cfg, self.info, (height, width))
        return self.image_to_spectrum(image)

    def image_to_spectrum(self, image: Tensor) -> Tensor:
        """The parameters that reproduce ``image`` (1, 3, H, W) exactly: the inverse of ``forward``."""
        logits = torch.logit(image.clamp(_EPS, 1 - _EPS))
        unmixed = torch.einsum("ij,bjhw->bihw", torch.linalg.inv(self.mix), logits)
        spectrum = torch.fft.rfft2(unmixed, norm="ortho") / self.scale
        return torch.view_as_real(spectrum).contiguous()

    @torch.no_grad()
    def set_image(self, image: Tensor) -> None:
        """Start again from ``image``: exact, up to the sigmoid's range."""
        self.spectrum.copy_(self.image_to_spectrum(image.to(self.scale)))

    def forward(self) -> Tensor:
        width, height = self.info.size
        spectrum = torch.view_as_complex(self.spectrum) * self.scale
        channels = torch.fft.irfft2(spectrum, s=(height, width), norm="ortho")
        return torch.sigmoid(torch.einsum("ij,bjhw->bihw", self.mix, channels))
