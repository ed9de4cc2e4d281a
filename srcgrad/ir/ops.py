"""The ops the IR itself defines: constants, terminators and checks.

Arithmetic and math functions are primitives (``srcgrad.primitives``); the
ops here carry no derivative rules, because they are structure, not maths.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from srcgrad.ir.core import EmitContext
from srcgrad.ir.types import BOOL, INT, OTHER, REAL, Shape, Type


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
            value = attributes["value"]
            return constant_expression(value, context)  # type: ignore[arg-type]
        if self is GLOBAL:
            return global_expression(attributes, context)
        if self is EVALUATE:
            return args[0]
        if self.name == "new_list":
            return ast.List([], ast.Load())
        if self.name == "pack":
            return ast.Tuple(list(args), ast.Load())
        if self.name == "unpack":
            return args[0]
        if self.name == "append":
            append = ast.Attribute(args[0], "append", ast.Load())
            return ast.Call(append, [args[1]], [])
        if self is FOR_ARRAYS:
            names: tuple[str, ...] = attributes["keywords"]  # type: ignore[assignment]
            positional = list(args[: len(args) - len(names)])
            keywords = [
                ast.keyword(name, arg)
                for name, arg in zip(names, args[len(positional) :], strict=True)
            ]
            return ast.Call(context.for_arrays(), positional, keywords)
        raise TypeError(f"{self.name} is a statement, not an expression")

    def result_types(
        self, types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> list[Type | None] | None:
        """A constant's type, or that of a tuple or list; None for the rest,
        which depend on more than their operands (see ``passes.types``)."""
        if self is CONST:
            return [constant_type(attributes["value"])]
        if self.name == "pack" and types and all(t == INT for t in types):
            return [Shape((None,) * len(types))]  # (n, 3): a shape, maybe
        if self.name in ("new_list", "pack"):
            return [OTHER]
        if self is EVALUATE:
            return []
        return None


def constant_type(value: object) -> Type:
    """The type of a constant written in the code."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return REAL
    return OTHER


def global_expression(
    attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """A read of a global or closure variable (see ``GLOBAL``)."""
    name = str(attributes["name"])
    owner = attributes.get("owner")
    if owner is not None or attributes.get("closure"):
        # The entry function's own closure variable has the empty path.
        return context.cell(owner or (), name)  # type: ignore[arg-type]
    module = attributes.get("module")
    if module is not None:
        return ast.Attribute(context.imported(str(module)), name, ast.Load())
    return ast.Name(name, ast.Load())


def constant_expression(
    value: int | float | bool | None, context: EmitContext
) -> ast.expr:
    """A Python expression for a constant: ``-c`` for negatives, ``math.inf``."""
    if value is None or isinstance(value, bool):
        return ast.Constant(value)
    if isinstance(value, float) and not math.isfinite(value):
        name = "nan" if math.isnan(value) else "inf"
        constant = ast.Attribute(context.module("math"), name, ast.Load())
        return ast.UnaryOp(ast.USub(), constant) if value < 0 else constant
    if math.copysign(1, value) < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


CONST = StructuralOp("const")
#: A read of a global or closure variable, by name, when the code runs.
#: Attributes: ``name``; ``closure`` (a closure variable); for a function
#: reached through calls whose names are not the entry function's,
#: ``module`` (read from that module's globals) or ``owner`` (a closure
#: variable of the function that path of names leads to from the entry
#: function: a tuple of ``("global" | "closure", name)`` steps).
GLOBAL = StructuralOp("global")
RETURN = StructuralOp("return", pure=False, is_terminator=True)
#: Ends a block inside a region, handing values to the op that owns it.
YIELD = StructuralOp("yield", pure=False, is_terminator=True)
#: Checks, when the code runs, that its operands (the inputs that reach the
#: output) are real numbers; attributes ``names`` and ``kinds`` ("wrt",
#: "parameter", "global", "closure variable", or "value": one ``f``
#: computes that ``**`` may make complex) say what each operand is.
CHECK_REAL = StructuralOp("check_real", pure=False)
#: Evaluates its operand for its effect alone: a gradient keeps a value whose
#: computation raises where ``f`` raises (``math.log`` of a negative number)
#: even where no derivative term needs the value itself. Attribute ``why``:
#: ``"shapes"`` where it is kept for the sizes of its arrays, not known
#: to fit when the gradient is built (``ad.shapes.sizes_unchecked``).
EVALUATE = StructuralOp("evaluate", pure=False)
#: Checks, when the code runs, the sizes in attribute ``pairs``: each
#: ``(test, description, where)``, a test written as code that is true where
#: they do not fit (``x.shape[0] != y.shape[0]``).
CHECK_SHAPES = StructuralOp("check_shapes", pure=False)
#: Calls the gradient built for the types of its operands (the function's
#: parameters; attribute ``keywords``: the keyword-only ones' names): all a
#: gradient for numbers does for a function only arrays can run.
FOR_ARRAYS = StructuralOp("for_arrays", pure=False)
