"""Running sums: ``np.cumsum(x, axis)`` (``x.cumsum()``).

``out[j] = x[0] + ... + x[j]`` along the axis, so ``x[i]`` goes into every
``out[j]`` with ``j >= i``, and its adjoint is the sum of their cotangents:
a running sum from the other end, ``np.flip(np.cumsum(np.flip(g)))``,
exact where ``g.sum() - np.cumsum(g) + g`` would cancel. Without ``axis``
NumPy sums ``x`` flattened; the adjoint is then reshaped back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import prod

from srcgrad.ir import Value
from srcgrad.ir.types import Array, Dim, Type, TypeRuleError, dims_of, kind_of
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.reductions import REDUCE_SUM, REDUCTION_ARGUMENTS
from srcgrad.primitives.reordering import FLIP
from srcgrad.primitives.shapes import ANY, RESHAPE_LIKE, normalized_axes


def _flat_size(dims: tuple[Dim, ...]) -> Dim:
    """The size of an array of ``dims`` flattened, if known when building."""
    if len(dims) == 1:
        return dims[0]
    if all(isinstance(dim, int) for dim in dims):
        return prod(dims)  # type: ignore[arg-type]
    return None


def _cumsum_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    kind = kind_of(operand)
    if kind is None:
        raise TypeRuleError("a running sum of something that is not a number")
    kind = "int" if kind == "bool" else kind
    dims = dims_of(operand)
    axis = attributes.get("axis")
    if axis is None:
        return Array(kind, (_flat_size(dims),))
    if isinstance(axis, tuple):
        raise TypeRuleError("np.cumsum takes one axis (an int), not a tuple")
    normalized_axes(axis, max(len(dims), 1))  # a number sums as an array of 1
    return Array(kind, dims or (1,))


def _axis(e: RuleBuilder) -> dict[str, object]:
    axis = e.attributes.get("axis")
    return {} if axis is None else {"axis": axis}


def _cumsum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    rank = None if x.type is None else len(dims_of(x.type))
    if rank == 0:  # np.cumsum(3.0) is array([3.0])
        return (e.call(REDUCE_SUM, g),)
    # x[i] went into out[j] for every j >= i: the running sum from the end.
    backwards = e.call(FLIP, g, **_axis(e))
    summed = e.call(FLIP, e.call(CUMSUM, backwards, **_axis(e)), **_axis(e))
    if e.attributes.get("axis") is None and (rank is None or rank > 1):
        return (e.call(RESHAPE_LIKE, summed, x),)  # x was flattened
    return (summed,)


def _cumsum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(CUMSUM, t[0], **_axis(e))


#: ``np.cumsum(x, axis)``, ``x.cumsum(axis)``: running sums (of ``x``
#: flattened without ``axis``).
CUMSUM = Primitive(
    "cumsum",
    1,
    {"numpy": "cumsum", "method": "cumsum"},
    _cumsum_vjp,
    _cumsum_jvp,
    (ANY,),
    result_type=_cumsum_type,
    options=("axis",),
    positional=REDUCTION_ARGUMENTS[:3],
)


SCANS = (CUMSUM,)
