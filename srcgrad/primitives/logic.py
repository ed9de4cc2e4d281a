"""Comparisons, ``not``, logical and/or/xor (NumPy's ``logical_and``, or
``&`` of masks), ``~`` of masks, the tests ``isnan``, ``isfinite`` and
``isinf``, and the builtins that convert numbers.

Comparisons, ``not`` and the tests give booleans and ``int``/``round``/
``bool`` give integers: each is piecewise constant, so its derivative is
zero wherever it exists and reverse mode gives its operands no cotangent.
``float(x)`` is the identity on real numbers, and its derivative is one.

``&``, ``|``, ``^`` and ``~`` are the same logical ops where their operands
are booleans (``(x > 0) & (x < 1)``, ``~mask``), and srcgrad takes them
there only: of integers they work on bits, of real numbers NumPy raises,
and ``~`` of a Python ``bool`` is an integer (``~True`` is ``-2``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import (
    BOOL,
    INT,
    REAL,
    Scalar,
    Type,
    TypeRuleError,
    broadcast,
    kind_of,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
    TypeRule,
)

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


def _logical(name: str, symbol: str) -> Primitive:
    """``np.logical_and(a, b)`` of anything, and ``a & b`` of booleans."""
    return Primitive(
        name,
        2,
        {"numpy": f"logical_{name}", "operator": symbol},
        None,
        None,
        (_ANY, _ANY),
        zero_derivative=True,
        commutative=True,
        result_type=_logical_type(symbol),
        elementwise=True,
    )


def _logical_type(symbol: str) -> TypeRule:
    """Booleans, broadcast; written as the operator ``symbol``, of booleans
    only."""

    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        if attributes.get("namespace") == "operator":
            _refuse_bits(types, symbol)
        return broadcast("bool", types)

    return rule


def _invert_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """``~mask``: booleans of an array of booleans."""
    _refuse_bits(types, "~")
    if isinstance(types[0], Scalar):
        raise TypeRuleError(
            "`~` of a bool is not supported: Python's `~True` is the integer "
            "-2 (it inverts bits); write `not b`, or `~` of an array of "
            "booleans (`~(x > 0)`)"
        )
    return broadcast("bool", types)


def _refuse_bits(types: Sequence[Type | None], symbol: str) -> None:
    """Refuse ``&``, ``|``, ``^``, ``~`` of anything but booleans."""
    kinds = {kind_of(type_) for type_ in types if type_ is not None}
    if "real" in kinds:
        raise TypeRuleError(
            f"`{symbol}` of real numbers is not supported (NumPy raises "
            "TypeError): it combines masks, booleans such as `(x > 0) & (x < "
            "1)`; compare the numbers first"
        )
    if "int" in kinds:
        raise TypeRuleError(
            f"`{symbol}` of integers is not supported: it works on their bits "
            "and has no derivative; compute the value outside the function "
            "srcgrad differentiates and pass it in (of booleans, `a & b`, `a "
            "| b`, `a ^ b` and `~mask` are logical and supported)"
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
#: ``math.isnan(x)``, ``np.isnan(x)``...: booleans, as a comparison gives,
#: mostly masks (``np.where(np.isnan(x), 0.0, x)``, ``x[np.isfinite(x)]``).
ISNAN = _piecewise_constant("isnan", {"math": "isnan", "numpy": "isnan"})
ISFINITE = _piecewise_constant("isfinite", {"math": "isfinite", "numpy": "isfinite"})
ISINF = _piecewise_constant("isinf", {"math": "isinf", "numpy": "isinf"})
AND = _logical("and", "&")
OR = _logical("or", "|")
XOR = _logical("xor", "^")
#: ``~mask``: NumPy's ``invert`` of booleans (of integers it inverts bits,
#: which srcgrad leaves to ``np.invert`` as a function without a rule).
INVERT = Primitive(
    "invert",
    1,
    {"operator": "~"},
    None,
    None,
    (_ANY,),
    zero_derivative=True,
    result_type=_invert_type,
    elementwise=True,
)
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
    ISNAN,
    ISFINITE,
    ISINF,
    AND,
    OR,
    XOR,
    INVERT,
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
