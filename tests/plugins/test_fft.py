import torch
from artkit_plugins.generators.fft import FFTGenerator, frequency_scale

import artkit
from artkit.colours import parse_colour


def make(size=(32, 32), seed=0, **options):
    torch.manual_seed(seed)
    return FFTGenerator(FFTGenerator.Config(**options), artkit.RunInfo(size=size))


def roughness(image):
    return (image[..., 1:, :] - image[..., :-1, :]).abs().mean() + (image[..., 1:] - image[..., :-1]).abs().mean()


def test_scale_favours_low_frequencies():
    scale = frequency_scale(16, 16, decay=2.0)
    assert scale.shape == (16, 9)
    assert scale[0, 0] == scale.max() and scale[8, 8] == scale.min()
    assert torch.allclose(frequency_scale(16, 16, decay=0.0), torch.full((16, 9), 16.0))


def test_higher_decay_draws_smoother_noise():
    rough = roughness(make(decay=0.5, noise_scale=1.0)())
    smooth = roughness(make(decay=2.5, noise_scale=1.0)())
    assert smooth < rough / 3


def test_colour_init_is_exact():
    image = make(size=(12, 8), init="blue", init_noise=0.0)()
    blue = torch.tensor(parse_colour("blue")).view(1, 3, 1, 1)
    assert torch.allclose(image, blue.expand_as(image), atol=1e-4)


def test_set_image_round_trips_a_picture():
    generator = make(size=(20, 12), colour_decorrelation=True)
    target = torch.rand(1, 3, 12, 20) * 0.8 + 0.1
    generator.set_image(target)
    assert torch.allclose(generator(), target, atol=1e-4)


def test_a_step_changes_large_areas_not_single_pixels():
    generator = make(decay=2.0, init="gray", init_noise=0.0)
    optimizer = torch.optim.Adam(generator.parameters(), lr=0.1)
    target = torch.zeros(1, 3, 32, 32)
    target[..., :, :16] = 1.0  # left half white
    for _ in range(20):
        optimizer.zero_grad()
        (generator() - target).pow(2).mean().backward()
        optimizer.step()
    image = generator()[0].mean(0)
    assert image[:, :12].mean() > 0.7 and image[:, 20:].mean() < 0.3
