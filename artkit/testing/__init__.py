"""Test helpers for plugin authors: conformance suites and weight-free stand-ins.

Example::

    from artkit.testing import LossConformance

    class TestMyLoss(LossConformance):
        component = MyLoss
"""

from artkit.testing.conformance import (
    AugmentationConformance,
    GeneratorConformance,
    LossConformance,
    PerceptorConformance,
)
from artkit.testing.fakes import TinyPerceptor

__all__ = [
    "AugmentationConformance",
    "GeneratorConformance",
    "LossConformance",
    "PerceptorConformance",
    "TinyPerceptor",
]
