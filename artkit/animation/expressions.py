"""Motion expressions like ``1 + 0.02 * sin(t)``: parsed with :mod:`ast` and evaluated by a small
interpreter that knows only arithmetic, a few names and a few math functions. Nothing is ever
passed to ``eval``.

Example:
    >>> Expression("1 + 0.5 * frame", field="animation.zoom")(frame=4, t=0.5)
    3.0
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

from artkit.errors import ConfigError

MAX_LENGTH = 200
NAMES = ("frame", "t", "frames", "fps")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "abs": abs, "min": min, "max": max,
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "floor": math.floor, "ceil": math.ceil,
    "clamp": lambda x, lo, hi: min(max(x, lo), hi),
}  # fmt: skip
BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Mod: operator.mod, ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv,
}  # fmt: skip
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class Expression:
    """A number-valued expression of ``frame`` (index from 0), ``t`` (seconds), ``frames`` and ``fps``."""

    def __init__(self, source: str | float, field: str) -> None:
        self.source = str(source)
        self.field = field
        if len(self.source) > MAX_LENGTH:
            raise ConfigError(f"{field}: expression longer than {MAX_LENGTH} characters.")
        try:
            self._tree = ast.parse(self.source.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ConfigError(f"{field}: syntax error in {self.source!r} ({exc.msg}). {_help()}") from None
        self._check(self._tree)

    def __call__(self, frame: int, t: float, frames: int = 1, fps: int = 12) -> float:
        values = {"frame": float(frame), "t": float(t), "frames": float(frames), "fps": float(fps), **CONSTANTS}
        try:
            result = float(self._eval(self._tree, values))
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ConfigError(f"{self.field}: {self.source!r} cannot be computed at frame {frame} ({exc}).") from None
        if not math.isfinite(result):
            raise ConfigError(f"{self.field}: {self.source!r} is not a finite number at frame {frame}.")
        return result

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self._forbidden(f"the constant {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id not in (*NAMES, *CONSTANTS):
                raise self._forbidden(f"the name {node.id!r}")
        elif isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
            self._check(node.operand)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            if node.keywords:
                raise self._forbidden("keyword arguments")
            for arg in node.args:
                self._check(arg)
        else:
            raise self._forbidden(type(node).__name__.lower())

    def _forbidden(self, what: str) -> ConfigError:
        return ConfigError(f"{self.field}: {what} is not allowed in {self.source!r}. {_help()}")

    def _eval(self, node: ast.AST, values: dict[str, float]) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            return BINARY[type(node.op)](self._eval(node.left, values), self._eval(node.right, values))
        if isinstance(node, ast.UnaryOp):
            return UNARY[type(node.op)](self._eval(node.operand, values))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return FUNCTIONS[node.func.id](*(self._eval(a, values) for a in node.args))


def _help() -> str:
    return (
        f"Use numbers, + - * / % ** //, the names {', '.join((*NAMES, *CONSTANTS))} "
        f"and the functions {', '.join(FUNCTIONS)}."
    )
