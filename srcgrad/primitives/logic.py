"""Comparisons, ``not``, NumPy's ``logical_and`` and ``logical_or``, and
the builtins that convert numbers.

Comparisons and ``not`` give booleans and ``int``/``round``/``bool`` give
integers: each is piecewise constant, so its derivative is zero wherever it
exists and reverse mode gives its operands no cotangent. ``float(x)`` is
the identity on real numbers, and its derivative is one.
"""

from __future__ import annotations

from srcgrad.ir import Value
from srcgrad.ir.types import BOOL, INT, REAL, Scalar
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents

_ANY = (-2.0, 2.0)


def _comparison(name: str, symbol: str, numpy_name: str) -> Primitive:
    return Primitive(
        name,
        2,
        {"operator": symbol, "numpy": numpy_name},
        None,
        None,
        (_ANY, _ANY),
        zero_derivative=True,
        result_kind="bool",
    )


def _logical(name: str) -> Primitive:
    """``np.logical_and(a, b)`` and the like: booleans of booleans."""
    return Primitive(
        name,
        2,
        {"numpy": f"logical_{name}"},
        None,
        None,
        (_ANY, _ANY),
        zero_derivative=True,
        result_kind="bool",
    )


def _piecewise_constant(
    name: str,
    spellings: dict[str, str],
    raising: frozenset[str] = frozenset(),
    gives: Scalar | None = None,
) -> Primitive:
    """``raising``: the namespaces where it raises for some float (nan, inf);
    ``gives``: the Python number it converts to (``int(x)``), if it does."""
    return Primitive(
        name,
        1,
        spellings,
        None,
        None,
        (_ANY,),
        zero_derivative=True,
        needs_domain_check=raising,
        result_kind="bool" if gives is None else gives.kind,
        result_type=None if gives is None else (lambda types, attributes: gives),
    )


def _identity_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g,)


def _identity_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return t[0]


LT = _comparison("lt", "<", "less")
LE = _comparison("le", "<=", "less_equal")
GT = _comparison("gt", ">", "greater")
GE = _comparison("ge", ">=", "greater_equal")
EQ = _comparison("eq", "==", "equal")
NE = _comparison("ne", "!=", "not_equal")
NOT = _piecewise_constant("not", {"operator": "not", "numpy": "logical_not"})
AND = _logical("and")
OR = _logical("or")
FLOAT = Primitive(
    "float",
    1,
    {"builtins": "float"},
    _identity_vjp,
    _identity_jvp,
    (_ANY,),
    sympy_form=lambda sp, x: x,
    result_type=lambda types, attributes: REAL,
)

LOGIC = (
    LT,
    LE,
    GT,
    GE,
    EQ,
    NE,
    NOT,
    AND,
    OR,
    FLOAT,
    _piecewise_constant("bool", {"builtins": "bool"}, gives=BOOL),
    # int(nan) and round(inf) raise: a gradient that drops them would not.
    _piecewise_constant("int", {"builtins": "int"}, frozenset({"builtins"}), INT),
    _piecewise_constant("round", {"builtins": "round"}, frozenset({"builtins"}), INT),
)

#: The comparison primitive for each ``ast`` comparison operator name.
COMPARISONS = {
    "Lt": LT,
    "LtE": LE,
    "Gt": GT,
    "GtE": GE,
    "Eq": EQ,
    "NotEq": NE,
}
