"""Conformance suites a plugin author reuses: subclass one in a test module and set the class.

Example (in ``tests/test_my_generator.py``)::

    from artkit.testing import GeneratorConformance

    class TestMyGenerator(GeneratorConformance):
        component = MyGenerator
        options = {"colours": 4}

pytest then runs every check below on your component, at tiny sizes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch

import artkit
from artkit.context import StepContext
from artkit.testing.fakes import TinyPerceptor


class _Conformance:
    component: ClassVar[type]
    options: ClassVar[dict[str, Any]] = {}
    size: ClassVar[tuple[int, int]] = (24, 16)

    def info(self, seed: int = 0) -> artkit.RunInfo:
        return artkit.RunInfo(size=self.size, seed=seed, prompts=[artkit.Prompt(text="a red circle")])

    def make(self, seed: int = 0, **options: Any) -> Any:
        torch.manual_seed(seed)
        config = self.component.Config.model_validate({**self.options, **options})
        return self.component(config, self.info(seed))

    def test_config_round_trip(self) -> None:
        config = self.component.Config.model_validate(self.options)
        dumped = config.model_dump(mode="json")
        assert self.component.Config.model_validate(dumped) == config

    def test_config_rejects_unknown_keys(self) -> None:
        import pydantic
        import pytest

        with pytest.raises(pydantic.ValidationError):
            self.component.Config.model_validate({**self.options, "no_such_option_xyz": 1})

    def test_has_a_description(self) -> None:
        assert (self.component.__doc__ or "").strip(), "the first docstring line is shown by `artkit plugins`"


class GeneratorConformance(_Conformance):
    """Shape (1, 3, H, W), values in [0, 1], gradients reach parameters, same seed same image, no state
    outside parameters and buffers."""

    def test_image_shape_and_range(self) -> None:
        image = self.make()()
        width, height = self.size
        assert image.shape == (1, 3, height, width)
        assert image.min() >= 0 and image.max() <= 1

    def test_gradient_reaches_parameters(self) -> None:
        generator = self.make()
        generator().mean().backward()
        grads = [p.grad for p in generator.parameters() if p.requires_grad]
        assert grads and any(g is not None and g.abs().sum() > 0 for g in grads)

    def test_same_seed_same_image(self) -> None:
        assert torch.equal(self.make(seed=3)(), self.make(seed=3)())

    def test_parameters_and_buffers_are_the_whole_state(self) -> None:
        """``candidates`` moves a start from one generator into another by its parameters and buffers."""
        from artkit.engine.candidates import set_start_tensors, start_tensors

        generator, other = self.make(seed=1), self.make(seed=2)
        set_start_tensors(generator, start_tensors(other))
        assert torch.equal(generator(), other())

    def test_step_and_project_stay_in_range(self) -> None:
        generator = self.make()
        optimizer = torch.optim.Adam(generator.parameters(), lr=0.5)
        for _ in range(3):
            (-generator().sum()).backward()
            optimizer.step()
            generator.project()
        image = generator()
        assert image.min() >= 0 and image.max() <= 1

    def test_every_option_of_every_choice_can_be_chosen(self) -> None:
        """``choice_search`` sets each option with ``choose`` and reads it back with ``chosen``."""
        import pytest

        generator = self.make()
        for choice, options in generator.choices().items():
            assert len(set(options)) == len(options) > 1, f"{choice}: give two or more options, each once"
            for option in options:
                generator.choose(choice, option)
                assert generator.chosen(choice) == option
            with pytest.raises(ValueError):
                generator.choose(choice, "no such option xyz")

    def test_a_placed_choice_is_in_the_picture(self) -> None:
        """``choice_search`` with ``views`` crops around ``choice_place``: None, or (x, y) shares in [0, 1]."""
        generator = self.make()
        for choice in generator.choices():
            place = generator.choice_place(choice)
            assert place is None or (len(place) == 2 and all(0 <= v <= 1 for v in place)), f"{choice}: {place}"

    #: Largest mean absolute error allowed after ``set_image``; ``None`` for a generator that refuses it.
    set_image_tolerance: ClassVar[float | None] = 0.02

    def test_set_image_draws_that_image(self) -> None:
        import pytest

        generator = self.make()
        width, height = self.size
        target = torch.linspace(0.1, 0.9, height * width).view(1, 1, height, width).repeat(1, 3, 1, 1)
        target[:, 1] = 1 - target[:, 1]
        if self.set_image_tolerance is None:
            with pytest.raises(NotImplementedError, match="cannot start from an image"):
                generator.set_image(target)
            return
        generator.set_image(target)
        assert (generator() - target).abs().mean() <= self.set_image_tolerance


class LossConformance(_Conformance):
    """A scalar, a ``weight`` option, gradients reaching the image, and determinism."""

    def context(self, seed: int = 0) -> StepContext:
        torch.manual_seed(seed)
        width, height = self.size
        image = torch.rand(1, 3, height, width, requires_grad=True)
        return StepContext(image, 1, [], [TinyPerceptor()])

    def test_returns_a_scalar(self) -> None:
        value = self.make()(self.context())
        assert value.dim() == 0 and torch.isfinite(value)

    def test_has_weight(self) -> None:
        assert "weight" in self.component.Config.model_fields

    def test_gradient_reaches_image(self) -> None:
        ctx = self.context()
        self.make()(ctx).backward()
        assert ctx.image.grad is not None and ctx.image.grad.abs().sum() > 0

    def test_deterministic(self) -> None:
        assert torch.equal(self.make()(self.context(seed=1)), self.make()(self.context(seed=1)))


class AugmentationConformance(_Conformance):
    """One batched call gives (N, 3, s, s) in [0, 1]; gradients flow; same seed same cutouts."""

    cut_size: ClassVar[int] = 12

    def cutouts(self, seed: int = 0, image: torch.Tensor | None = None) -> torch.Tensor:
        augmentation = self.make(seed)
        width, height = self.size
        if image is None:
            image = torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(99))
        torch.manual_seed(seed)
        return augmentation(image, self.cut_size)

    def test_shape_and_range(self) -> None:
        cuts = self.cutouts()
        assert cuts.dim() == 4 and cuts.shape[1:] == (3, self.cut_size, self.cut_size) and cuts.shape[0] >= 1
        assert cuts.min() >= 0 and cuts.max() <= 1

    def test_gradient_flows(self) -> None:
        width, height = self.size
        image = torch.rand(1, 3, height, width, requires_grad=True)
        self.cutouts(image=image).sum().backward()
        assert image.grad is not None and image.grad.abs().sum() > 0

    def test_same_seed_same_cutouts(self) -> None:
        assert torch.equal(self.cutouts(seed=5), self.cutouts(seed=5))


class PerceptorConformance(_Conformance):
    """Normalised embeddings of matching width for images and texts; gradients reach images."""

    def test_image_embeddings(self) -> None:
        perceptor = self.make()
        images = torch.rand(2, 3, perceptor.input_size, perceptor.input_size, requires_grad=True)
        embeddings = perceptor.encode_image(images)
        assert embeddings.shape[0] == 2
        assert torch.allclose(embeddings.norm(dim=-1), torch.ones(2), atol=1e-4)
        embeddings.sum().backward()
        assert images.grad is not None and images.grad.abs().sum() > 0

    def test_text_embeddings(self) -> None:
        perceptor = self.make()
        texts = perceptor.encode_text(["a red circle", "a blue square"])
        images = perceptor.encode_image(torch.rand(1, 3, perceptor.input_size, perceptor.input_size))
        assert texts.shape == (2, images.shape[1])
        assert torch.allclose(texts.norm(dim=-1), torch.ones(2), atol=1e-4)
        assert torch.equal(perceptor.encode_text(["a red circle"])[0], texts[0])
