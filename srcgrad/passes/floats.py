"""Which values are surely Python floats, not ints that are typed real.

Type inference calls a number ``real`` whether it is a ``float`` or an
``int``: a module constant ``N = 3`` is real, and so is ``abs(N)``. A
gradient must hand back a float for a float input, so ``passes.returns``
wraps in ``float()`` any adjoint this analysis cannot show is one.

A value is surely a float if it is a float constant, an input checked to be
one, the result of a function that always gives a float (``/``, any
``math`` function, ``np.sin``), or of arithmetic that keeps its operands'
kind (``+``, ``abs``, ``**``, ``np.maximum``) with a float operand; a
branch's value if it is one on both sides, a loop's if it starts and stays
one. The answer is the greatest fixed point of those rules over what the
value depends on, so a loop's value that only ever feeds itself floats is
one. Nothing else is: not what an array gives (``np.arange(N).sum()`` is
an int, a float32 array's sum a NumPy float32, ``np.asarray(K)`` a 0-d
array), nor what a function or a rule of the user's returns
(``fact(N)``).
"""

from __future__ import annotations

from collections.abc import Iterable

from srcgrad.ir import (
    CONST,
    FOR,
    IF,
    WHILE,
    Block,
    Op,
    Value,
    branch_yields,
    is_call,
    loop_of_argument,
    loop_parts,
)
from srcgrad.ir.types import Scalar
from srcgrad.primitives import Primitive

#: Functions that give a float whatever their operands are (of a ``math``
#: function, every one does).
ALWAYS_FLOAT = frozenset(
    {
        "div",
        "float",
        *("sin", "cos", "tan", "asin", "acos", "atan", "atan2"),
        *("sinh", "cosh", "tanh", "asinh", "acosh", "atanh"),
        *("exp", "exp2", "expm1", "log", "log10", "log1p", "log2", "log_or_zero"),
        *("sqrt", "cbrt", "erf", "erfc", "hypot", "logaddexp"),
        *("reduce_mean", "reduce_std", "reduce_var", "norm", "det", "log_abs_det"),
    }
)

#: Arithmetic whose result is a float where one of its operands is.
KEEPS_KIND = frozenset(
    {"add", "sub", "mul", "neg", "abs", "pow", "floordiv", "mod"}
    | {"maximum", "minimum", "power_rule", "sum_of"}
)

#: How a value is a float: ``all`` or ``any`` of some values are, or surely
#: (``True``) or not known to be (``False``).
Rule = tuple[str, list[Value]] | bool


def surely_float(value: Value, checked: Iterable[Value] = ()) -> bool:
    """Whether ``value`` is surely a ``float`` (see the module), the
    ``checked`` inputs being floats."""
    inputs = set(checked)
    rules: dict[Value, Rule] = {}
    pending = [value]
    while pending:
        current = pending.pop()
        if current in rules:
            continue
        rule = _rule(current, inputs)
        rules[current] = rule
        if not isinstance(rule, bool):
            pending += rule[1]
    floats = {v for v, rule in rules.items() if rule is not False}
    changed = True
    while changed:  # drop what fails its rule, until none does
        changed = False
        for current in list(floats):
            rule = rules[current]
            if rule is True:
                continue
            kind, values = rule  # type: ignore[misc]
            test = all if kind == "all" else any
            if not test(v in floats for v in values):
                floats.discard(current)
                changed = True
    return value in floats


def _rule(value: Value, inputs: set[Value]) -> Rule:
    if not isinstance(value.type, Scalar) or value.type.kind != "real":
        return False
    op: Op | None = value.defining_op
    if op is None:
        return value in inputs or _carried(value)
    if op.definition is CONST:
        return isinstance(op.attributes["value"], float)
    if op.definition is IF:
        position = op.results.index(value)
        return ("all", [branch[position] for branch in branch_yields(op)])
    if op.definition in (FOR, WHILE):
        parts = loop_parts(op)
        if value not in parts.results:
            return False
        position = parts.results.index(value)
        return ("all", [parts.inits[position], parts.yields[position]])
    if is_call(op) or op.attributes.get("namespace") == "custom":
        return False  # a function of the user's may return an int (fact(3))
    definition = op.definition
    if not isinstance(definition, Primitive) or definition.opaque:
        return False
    if op.attributes.get("namespace") == "math" or definition.name in ALWAYS_FLOAT:
        return True
    if definition.name in KEEPS_KIND:
        # ``abs(3)`` and ``np.maximum(2, 1)`` are ints: arithmetic keeps the
        # kind of its operands, a float if one is.
        return ("any", list(op.operands))
    return False  # a helper reads a shape too (``sum_to_shape(g, x)``)


def _carried(value: Value) -> Rule:
    """A loop's carried value is a float if it starts and stays one."""
    loop = loop_of_argument(value)
    if loop is None:
        return False
    parts = loop_parts(loop)
    block = value.owner
    assert isinstance(block, Block)
    arguments = parts.carried if block is parts.body else block.arguments
    if value not in arguments:
        return False
    position = arguments.index(value)
    return ("all", [parts.inits[position], parts.yields[position]])
