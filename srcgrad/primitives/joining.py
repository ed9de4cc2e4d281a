"""Array primitives that join arrays into one: ``np.concatenate``,
``np.stack``, ``np.hstack`` and ``np.vstack``, of a list (or tuple) of
arrays written out: ``np.concatenate([a, b], axis=1)``.

Each operand fills one stretch of the result along the join's axis, so
the adjoint of each is the cotangent read at that stretch, as a person
writes it: ``g[:a.shape[0]]`` and ``g[a.shape[0]:]`` for
``np.concatenate([a, b])``, ``g[:, 1]`` for the second of ``np.stack([a, b],
axis=1)``. The tangent is the join of the operands' tangents.

All four are one construction: each operand is given the axes the join
adds (``np.stack`` one of size 1 at ``axis``; ``np.hstack`` and
``np.vstack`` leading ones, as ``np.atleast_1d``/``np.atleast_2d`` do), and
the results are concatenated along ``axis``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import (
    Array,
    Dim,
    Kind,
    Scalar,
    Size,
    Type,
    TypeRuleError,
    wider,
)
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.indexing import INDEX, OPERAND, Item
from srcgrad.primitives.primitive import (
    Cotangents,
    JvpRule,
    Primitive,
    RuleBuilder,
    Tangents,
    TypeRule,
    VjpRule,
)
from srcgrad.primitives.shapes import DIM, one_axis

#: The size of an operand along the join's axis, or where it starts: a
#: literal, and the values (``a.shape[0]``) added to it.
Extent = tuple[int, tuple[Value, ...]]


def _dims(type_: Type) -> tuple[Dim, ...]:
    if isinstance(type_, Scalar):
        return ()
    if not isinstance(type_, Array):
        raise TypeRuleError("arrays are joined here, and this is not one")
    return type_.dims


def _layout(
    name: str, dims: Sequence[tuple[Dim, ...]], attributes: Mapping[str, object]
) -> tuple[int, list[tuple[Dim, ...]]]:
    """The axis ``name`` joins along, and each operand's dims with the
    axes the join gives it (see the module)."""
    if not dims:
        raise TypeRuleError(f"np.{name} needs at least one array to join")
    axis = attributes.get("axis", 0)
    if name == "stack":
        rank = len(dims[0]) + 1
        place = one_axis(axis, rank)
        return place, [each[:place] + (1,) + each[place:] for each in dims]
    if name == "hstack":
        grown = [each or (1,) for each in dims]
        return (0 if len(grown[0]) == 1 else 1), grown
    if name == "vstack":
        return 0, [(1,) * (2 - len(each)) + each for each in dims]
    if axis is None:
        raise TypeRuleError("np.concatenate with axis=None: ravel the arrays first")
    if any(not each for each in dims):
        raise TypeRuleError("np.concatenate joins arrays, not numbers")
    return one_axis(axis, len(dims[0])), list(dims)


def _same_size(sizes: Sequence[Dim]) -> Dim:
    """The size of an axis all the operands share: the most that is known
    of it (a literal, else an input's size, else unknown)."""
    literals = {size for size in sizes if isinstance(size, int)}
    inputs = [size for size in sizes if isinstance(size, Size)]
    if len(literals) > 1 or (literals & {0, 1} and inputs):  # an input's is 2+
        raise TypeRuleError(
            "the arrays joined must have the same size along every axis but "
            f"the one they are joined along, not {tuple(sizes)}"
        )
    if literals:
        return literals.pop()
    return inputs[0] if inputs else None


def _joined_dims(axis: int, dims: Sequence[tuple[Dim, ...]]) -> tuple[Dim, ...]:
    if len({len(each) for each in dims}) > 1:
        raise TypeRuleError("the arrays joined must have the same number of axes")
    joined: list[Dim] = []
    for position, sizes in enumerate(zip(*dims, strict=True)):
        if position != axis:
            joined.append(_same_size(sizes))
        else:
            joined.append(_total(sizes))
    return tuple(joined)


def _total(sizes: Sequence[Dim]) -> Dim:
    """The size of the join's axis: the sum of the operands' sizes along it.

    An input's size is at least 2, so a sum with one is too: a size of its
    own, named by the sum (``a.shape[0] + b.shape[0]``), that never
    broadcasts.
    """
    if any(not isinstance(size, (int, Size)) for size in sizes):
        return None  # unknown, or a slice's length
    number = sum(size for size in sizes if isinstance(size, int))
    inputs = [str(size) for size in sizes if isinstance(size, Size)]
    if not inputs:
        return number
    return Size(" + ".join(inputs + ([str(number)] if number else [])))


def _join_type(name: str) -> TypeRule:
    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        if any(type_ is None for type_ in types):
            return None
        known = [type_ for type_ in types if type_ is not None]
        axis, grown = _layout(name, [_dims(type_) for type_ in known], attributes)
        kind: Kind = "bool"
        for type_ in known:
            kind = wider(kind, type_.kind)  # type: ignore[union-attr]
        return Array(kind, _joined_dims(axis, grown))

    return rule


# -- rules ---------------------------------------------------------------------
def _known_dims(arg: Value) -> tuple[Dim, ...]:
    if arg.type is None:
        raise TypeRuleError(
            "the shape of an array joined here is not known when the gradient "
            "is built"
        )
    return _dims(arg.type)


def _width(e: RuleBuilder, arg: Value, axis: int, added: int) -> Extent:
    """How far ``arg`` reaches along the join's axis: 1 where the join adds
    that axis, else its size there (``a.shape[axis]`` if not a literal)."""
    if added:
        return 1, ()
    size = _known_dims(arg)[axis]
    if isinstance(size, int):
        return size, ()
    return 0, (e.call(DIM, arg, axis=axis),)


def _bound(e: RuleBuilder, extent: Extent, operands: list[Value]) -> object:
    """A bound of the slice an operand fills: a literal, or the next of
    ``operands``, the sum ``a.shape[0] + b.shape[0]``."""
    number, values = extent
    if not values:
        return number
    total = values[0]
    for value in values[1:]:
        total = e.add(total, value)
    if number:
        total = e.add(total, e.const(number))
    operands.append(total)
    return OPERAND


def _piece(
    e: RuleBuilder,
    g: Value,
    arg: Value,
    span: tuple[Extent, Extent | None],
    place: tuple[int, int],
) -> Value:
    """``g`` read where ``arg`` is: ``g[:, start:stop]`` (``stop`` None: to
    the end), or ``g[:, start]`` where the join added the axis; of ``arg``'s
    shape, which its type says (the slice's bounds cannot)."""
    (axis, added), (start, stop) = place, span
    operands: list[Value] = []
    items: list[Item] = [("slice", None, None, None)] * axis
    first = None if start == (0, ()) else _bound(e, start, operands)
    if added:  # the operand is one slot of the axis
        items.append(("int", None if first == OPERAND else (first or 0)))
        items.extend([("int", 0)] * (added - 1))
    else:
        last = None if stop is None else _bound(e, stop, operands)
        items.append(("slice", first, last, None))
    dims = _known_dims(arg)
    shaped = Array("real", dims) if dims else Scalar("real")
    # Each operand's part of g: views that never overlap (``passes.returns``).
    return e.call(INDEX, g, *operands, index=tuple(items), type=shaped, part=True)


def _join_vjp(name: str) -> VjpRule:
    def vjp(
        e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
    ) -> Cotangents:
        dims = [_known_dims(arg) for arg in args]
        axis, grown = _layout(name, dims, e.attributes)
        start: Extent = (0, ())
        cotangents: list[Value | None] = []
        for position, arg in enumerate(args):
            added = len(grown[position]) - len(dims[position])
            number, values = _width(e, arg, axis, added)
            stop = (start[0] + number, start[1] + values)
            last = position == len(args) - 1
            span = (start, None if last else stop)
            piece = _piece(e, g, arg, span, (axis, added))
            cotangents.append(piece)
            start = stop
        return tuple(cotangents)

    return vjp


def _join_jvp(name: str) -> JvpRule:
    def jvp(
        e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
    ) -> Value | None:
        if all(tangent is None for tangent in t):
            return None
        tangents = [
            tangent if tangent is not None else _zero(e, arg)
            for tangent, arg in zip(t, args, strict=True)
        ]
        axis = {"axis": e.attributes["axis"]} if "axis" in e.attributes else {}
        return e.call(_JOINS[name], *tangents, **axis)

    return jvp


def _zero(e: RuleBuilder, arg: Value) -> Value:
    """The tangent of an operand nothing reaches: zero, of its shape."""
    if isinstance(arg.type, Scalar):
        return e.const(0.0)
    return e.call(ZEROS_LIKE, arg)


def _join(name: str, options: tuple[str, ...]) -> Primitive:
    return Primitive(
        name,
        None,
        {"numpy": name},
        _join_vjp(name),
        _join_jvp(name),
        (),
        result_type=_join_type(name),
        options=options,
        sequence=True,
    )


#: ``np.concatenate([a, b, ...], axis=0)``.
CONCATENATE = _join("concatenate", ("axis",))
#: ``np.stack([a, b, ...], axis=0)``: along a new axis.
STACK = _join("stack", ("axis",))
#: ``np.hstack([a, b, ...])``: along axis 1 (0 for vectors and numbers).
HSTACK = _join("hstack", ())
#: ``np.vstack([a, b, ...])``: along axis 0, a vector or a number as a row.
VSTACK = _join("vstack", ())

JOINING = (CONCATENATE, STACK, HSTACK, VSTACK)
_JOINS = {primitive.name: primitive for primitive in JOINING}
