"""Functions that give indices: ``np.argmax``, ``np.argmin`` and
``np.argsort`` (and the methods ``x.argmax()``...).

Their values are integers that change only where two items swap order, so
their derivative is zero wherever it exists: like comparisons, reverse
mode gives their operands no cotangent. What they are for is an index
(``centers[np.argmin(d, axis=1)]``), whose adjoint is the indexed read's.

Without ``axis``, ``argmax`` and ``argmin`` index ``x`` flattened (one
integer); ``argsort`` sorts along the last axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir.types import Array, Scalar, Type, TypeRuleError, dims_of, kind_of
from srcgrad.primitives.primitive import Primitive, TypeRule
from srcgrad.primitives.reductions import reduced
from srcgrad.primitives.shapes import ANY, normalized_axes


def _number_operand(types: Sequence[Type | None], name: str) -> Type | None:
    """The operand's type (None if unknown), refused if not a number."""
    operand = types[0]
    if operand is not None and kind_of(operand) is None:
        raise TypeRuleError(f"np.{name} of something that is not a number")
    return operand


def _one_axis(attributes: Mapping[str, object], name: str) -> object:
    axis = attributes.get("axis")
    if isinstance(axis, tuple):
        raise TypeRuleError(f"np.{name} takes one axis (an int), not a tuple")
    return axis


def _extreme_index_type(name: str) -> TypeRule:
    """The type rule of ``np.argmax``/``np.argmin``: integers of the
    shape a reduction over ``axis`` gives."""

    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        operand = _number_operand(types, name)
        _one_axis(attributes, name)
        return None if operand is None else reduced(operand, attributes, "int")

    return rule


def _argsort_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """Integers of the operand's shape, or flattened without an axis."""
    operand = _number_operand(types, "argsort")
    if operand is None:
        return None
    dims = dims_of(operand)
    if "axis" in attributes and _one_axis(attributes, "argsort") is None:
        # Generated code writes no option that is None, and argsort's
        # default axis is the last.
        raise TypeRuleError(
            "np.argsort(x, axis=None) is not supported: sort x flattened "
            "with np.argsort(np.ravel(x))"
        )
    if isinstance(operand, Scalar):
        return Array("int", (1,))  # NumPy sorts a number as an array of one
    normalized_axes(attributes.get("axis", -1), len(dims))
    return Array("int", dims)


def _extreme_index(name: str) -> Primitive:
    """``np.argmax(x, axis, out, keepdims=...)`` and ``x.argmax(...)``."""
    return Primitive(
        name,
        1,
        {"numpy": name, "method": name},
        None,
        None,
        (ANY,),
        zero_derivative=True,
        result_type=_extreme_index_type(name),
        options=("axis", "keepdims"),
        positional=("axis", "out"),
    )


ARGMAX = _extreme_index("argmax")
ARGMIN = _extreme_index("argmin")
#: ``np.argsort(x, axis=-1, kind=None, order=None)``, ``x.argsort(...)``.
ARGSORT = Primitive(
    "argsort",
    1,
    {"numpy": "argsort", "method": "argsort"},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    result_type=_argsort_type,
    options=("axis", "kind"),
    positional=("axis", "kind", "order"),
)

INDICES = (ARGMAX, ARGMIN, ARGSORT)
