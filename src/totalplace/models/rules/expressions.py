"""Small arithmetic expressions in model files (`p_ab * rr`, `1 - exp(-rate * cycle)`),
evaluated safely over NumPy arrays: numbers, names, + - * / **, and a few functions.
Nothing else in Python is reachable from a model file."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from totalplace.core.problems import TotalplaceError

FUNCTIONS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "min": np.minimum, "max": np.maximum}


class ExpressionError(TotalplaceError, ValueError):
    """An expression that cannot be read or evaluated; the message says why."""

    code: ClassVar[str] = "bad-model"


def names_in(text: str) -> set[str]:
    tree = _parse(text)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS}


def evaluate(text: str | float, values: Mapping[str, Any]) -> Any:
    if isinstance(text, int | float):
        return float(text)
    return _eval(_parse(text).body, values)


def _parse(text: str) -> ast.Expression:
    try:
        return ast.parse(str(text), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"{text!r} is not an arithmetic expression") from exc


_OPERATORS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise ExpressionError(f"{node.id!r} is not a parameter of the model")
        return values[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _eval(node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and not node.keywords
    ):
        return FUNCTIONS[node.func.id](*[_eval(a, values) for a in node.args])
    raise ExpressionError(
        f"{ast.unparse(node)!r} uses something other than numbers, "
        "parameters, + - * / ** and exp, log, sqrt, min, max"
    )
