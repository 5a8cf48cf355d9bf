import math
import re

import pytest

from artkit.animation.expressions import Expression
from artkit.errors import ConfigError


def test_arithmetic_names_and_functions():
    expr = Expression("1 + 0.5 * sin(pi * t) + frame / frames - clamp(fps, 0, 10) // 5", field="animation.zoom")
    assert expr(frame=6, t=0.5, frames=12, fps=24) == pytest.approx(1 + 0.5 + 0.5 - 2)


def test_plain_numbers():
    assert Expression(1.5, field="animation.rotate")(0, 0.0) == 1.5


@pytest.mark.parametrize(
    "source, message",
    [
        ("1 +", "animation.zoom: syntax error in '1 +'"),
        ("__import__('os').system('ls')", "call is not allowed"),
        ("os", "the name 'os' is not allowed"),
        ("frame.real", "attribute is not allowed"),
        ("'text'", "the constant 'text' is not allowed"),
        ("[1, 2]", "list is not allowed"),
        ("lambda: 1", "lambda is not allowed"),
        ("sin(x=1)", "keyword arguments is not allowed"),
        ("frame if t else 1", "ifexp is not allowed"),
    ],
)
def test_forbidden_or_broken_expressions_fail_clearly(source, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        Expression(source, field="animation.zoom")
    assert "Use numbers" in str(err.value)


def test_numbers_that_cannot_be_computed():
    with pytest.raises(ConfigError, match="cannot be computed at frame 0"):
        Expression("1 / frame", field="animation.zoom")(0, 0.0)
    with pytest.raises(ConfigError, match="cannot be computed|not a finite number"):
        Expression("9.0 ** 9 ** 9", field="animation.zoom")(0, 0.0)


def test_long_expressions_are_refused():
    with pytest.raises(ConfigError, match="longer than 200"):
        Expression("1+" * 150 + "1", field="animation.zoom")


def test_math_constants():
    assert Expression("e", field="f")(0, 0) == pytest.approx(math.e)
