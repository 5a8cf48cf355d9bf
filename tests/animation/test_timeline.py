import pytest

from artkit.animation.timeline import Timeline
from artkit.errors import ConfigError


def test_weights_at_and_between_keyframes():
    line = Timeline({0: "a forest", 48: "a city at night"})
    assert line.weights(0) == [1.0, 0.0]
    assert line.weights(12) == [0.75, 0.25]
    assert line.weights(48) == [0.0, 1.0]
    assert line.weights(100) == [0.0, 1.0]


def test_a_prompt_that_returns():
    line = Timeline({0: "a", 10: "b", 20: "a"})
    assert line.texts == ["a", "b"]
    assert line.weights(15) == [0.5, 0.5]
    assert line.weights(20) == [1.0, 0.0]


def test_before_the_first_keyframe_holds_it():
    assert Timeline({5: "a", 10: "b"}).weights(2) == [1.0, 0.0]


def test_bad_timelines():
    with pytest.raises(ConfigError, match="at least one keyframe"):
        Timeline({})
    with pytest.raises(ConfigError, match="keyframe -1 is negative"):
        Timeline({-1: "a"})
