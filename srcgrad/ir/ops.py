"""The ops the IR itself defines: constants and terminators.

Arithmetic and math functions are primitives (``srcgrad.primitives``); the
ops here carry no derivative rules, because they are structure, not maths.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from srcgrad.ir.core import EmitContext


@dataclass(frozen=True, eq=False)
class StructuralOp:
    """An op definition with no mathematics: constants, global reads, returns."""

    name: str
    pure: bool = True
    is_terminator: bool = False

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        if self is CONST:
            return constant_expression(attributes["value"])  # type: ignore[arg-type]
        if self is GLOBAL:
            return ast.Name(str(attributes["name"]), ast.Load())
        raise TypeError(f"{self.name} is a statement, not an expression")


def constant_expression(value: int | float) -> ast.expr:
    """A Python expression for a constant: negatives as ``-c``, inf as a call."""
    if isinstance(value, float) and not math.isfinite(value):
        text = "nan" if math.isnan(value) else "inf"
        call = ast.Call(ast.Name("float", ast.Load()), [ast.Constant(text)], [])
        return ast.UnaryOp(ast.USub(), call) if value < 0 else call
    if math.copysign(1, value) < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


CONST = StructuralOp("const")
#: A read of a global or closure variable, by name, when the code runs.
GLOBAL = StructuralOp("global")
RETURN = StructuralOp("return", pure=False, is_terminator=True)
#: Ends a block inside a region, handing values to the op that owns it.
YIELD = StructuralOp("yield", pure=False, is_terminator=True)
