"""Arrays a function makes: ``np.zeros(n)``, ``np.full(shape, x)``,
``np.array([a, b, c])``, ``x.copy()``, ``np.eye(n)``, ``np.arange(n)``...,
and ``np.asarray(x)``, which of an array is that array.

An array made from a shape alone holds constants: its derivative is zero.
``np.full(shape, x)`` and ``np.array([a, b])`` hold their operands, and a
copy is its operand: their adjoints give each operand its part of the
cotangent. ``np.arange`` and ``np.linspace`` take numbers srcgrad does not
differentiate with respect to: one that depends on ``wrt`` is an error.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    INT,
    Array,
    Kind,
    Scalar,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
)
from srcgrad.primitives.indexing import INDEX
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
    TypeRule,
)
from srcgrad.primitives.shapes import ANY, shape_dims

#: ``dtype=`` values an array may be made with, and the kind they give.
DTYPES: dict[str, Kind] = {"float": "real", "int": "int", "bool": "bool"}


def _made_kind(attributes: Mapping[str, object], default: Kind = "real") -> Kind:
    dtype = attributes.get("dtype")
    return DTYPES[str(dtype)] if dtype is not None else default


def _from_shape(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    dims = attributes.get("dims")
    if dims is None:
        found = shape_dims(types[0])
        if found is None:
            return None
        dims = found
    return Array(_made_kind(attributes), tuple(dims))  # type: ignore[arg-type]


def _constant_array(name: str, arity: int = 1) -> Primitive:
    """``np.zeros(shape)`` and its kind: an array of constants."""
    return Primitive(
        name,
        arity,
        {"numpy": name},
        None,
        None,
        (ANY,) * arity,
        zero_derivative=True,
        result_type=_from_shape,
        options=("dtype",),
        writer=None,
        allocates=True,
    )


ZEROS = _constant_array("zeros")
ONES = _constant_array("ones")
#: ``np.empty(shape)``: items the function writes before it reads them.
EMPTY = _constant_array("empty")


def _full_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Every item is the fill value: its adjoint is the cotangent's sum.
    return None, e.unbroadcast(e.materialize(g, out), args[1])


def _full_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[1] is None else e.call(FULL, args[0], t[1], **e.attributes)


def _full_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    made = _from_shape(types, attributes)
    value = types[1]
    if isinstance(made, Array) and isinstance(value, Array):
        raise TypeRuleError("np.full with an array fill value is not supported")
    if isinstance(made, Array) and attributes.get("dtype") is None:
        return Array(kind_of(value) or "real", made.dims)
    return made


#: ``np.full(shape, value)``.
FULL = Primitive(
    "full",
    2,
    {"numpy": "full"},
    _full_vjp,
    _full_jvp,
    (ANY, ANY),
    result_type=_full_type,
    options=("dtype",),
    allocates=True,
)


def _like_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    like = types[0]
    if isinstance(like, Array):
        return Array(_made_kind(attributes, like.kind), like.dims)
    return like if attributes.get("dtype") is None else Scalar(_made_kind(attributes))


def _constant_like(name: str) -> Primitive:
    return Primitive(
        name,
        1,
        {"numpy": name},
        None,
        None,
        (ANY,),
        zero_derivative=True,
        result_type=_like_type,
        options=("dtype",),
        allocates=True,
    )


ONES_LIKE = _constant_like("ones_like")
#: ``np.zeros_like(x)``; also the adjoint of an array nothing reached.
ZEROS_LIKE = _constant_like("zeros_like")
EMPTY_LIKE = _constant_like("empty_like")


def _identity_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g,)


def _copy_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(COPY, t[0])


#: ``x.copy()``, ``np.copy(x)``: a new array of the same numbers.
COPY = Primitive(
    "copy",
    1,
    {"method": "copy", "numpy": "copy"},
    _identity_vjp,
    _copy_jvp,
    (ANY,),
    result_type=lambda types, attributes: types[0],
    allocates=True,
)


def _asarray_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """An array's own type (of ``dtype``'s kind); of a number, a 0-d array."""
    operand = types[0]
    if not isinstance(operand, (Scalar, Array)):
        return None
    return Array(_made_kind(attributes, operand.kind), dims_of(operand))


def _identity_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return t[0]


#: ``np.asarray(x)``, ``np.asarray(x, dtype=float)`` of an array (or a
#: number): the array itself where it has that dtype, so a view of it.
ASARRAY = Primitive(
    "asarray",
    1,
    {"numpy": "asarray"},
    _identity_vjp,
    _identity_jvp,
    (ANY,),
    result_type=_asarray_type,
    options=("dtype",),
    view=True,
)


def _astype_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    dtype = attributes.get("dtype")
    if dtype not in DTYPES:
        raise TypeRuleError(f"astype({dtype}) is not supported; use astype(float)")
    kind = DTYPES[str(dtype)]
    if isinstance(operand, Array):
        return Array(kind, operand.dims)
    return Scalar(kind) if operand is not None else None


def _astype_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    if e.attributes.get("dtype") != "float":
        return (None,)  # to integers or booleans: piecewise constant
    return (g,)


def _astype_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None or e.attributes.get("dtype") != "float":
        return None
    return t[0]


def _write_astype(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    dtype = context.builtin(str(attributes["dtype"]))
    method = ast.Attribute(args[0], "astype", ast.Load())
    return ast.Call(method, [dtype], [])


#: ``x.astype(float)`` (also ``int``, ``bool``: piecewise constant).
ASTYPE = Primitive(
    "astype",
    1,
    {"method": "astype"},
    _astype_vjp,
    _astype_jvp,
    (ANY,),
    result_type=_astype_type,
    writer=_write_astype,
    options=("dtype",),
    allocates=True,
)


def _array_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    rows = attributes.get("rows")
    kind: Kind = "int"
    for type_ in types:
        if type_ is None:
            return None
        if not isinstance(type_, Scalar):
            raise TypeRuleError(
                "np.array is supported of numbers written out; join arrays "
                "with np.stack([a, b])"
            )
        kind = "real" if "real" in (kind, type_.kind) else kind
    kind = _made_kind(attributes, kind)
    if rows is None:
        return Array(kind, (len(types),))
    return Array(kind, (int(rows), len(types) // int(rows)))  # type: ignore[call-overload]


def _array_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Each item's adjoint is the cotangent's item at its place.
    rows = e.attributes.get("rows")
    columns = len(args) // int(rows) if rows is not None else len(args)  # type: ignore[call-overload]
    cotangents = []
    for position in range(len(args)):
        row, column = divmod(position, columns)
        index: tuple[tuple[object, ...], ...] = (
            (("int", column),) if rows is None else (("int", row), ("int", column))
        )
        cotangents.append(e.call(INDEX, g, index=index))
    return tuple(cotangents)


def _array_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if all(tangent is None for tangent in t):
        return None
    items = [e.const(0.0) if tangent is None else tangent for tangent in t]
    return e.call(ARRAY, *items, **e.attributes)


def _write_array(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    rows = attributes.get("rows")
    items: list[ast.expr] = list(args)
    if rows is not None:
        columns = len(items) // int(rows)  # type: ignore[call-overload]
        items = [
            ast.List(items[start : start + columns], ast.Load())
            for start in range(0, len(items), columns)
        ]
    array = ast.Attribute(context.module("numpy"), "array", ast.Load())
    keywords = []
    if attributes.get("dtype") is not None:
        keywords.append(ast.keyword("dtype", context.builtin(str(attributes["dtype"]))))
    return ast.Call(array, [ast.List(items, ast.Load())], keywords)


#: ``np.array([a, b, c])`` or ``np.array([[a, b], [c, d]])`` (attribute
#: ``rows``) of numbers: operands are the items, row by row.
ARRAY = Primitive(
    "array",
    None,
    {"numpy": "array"},
    _array_vjp,
    _array_jvp,
    (),
    result_type=_array_type,
    writer=_write_array,
    options=("dtype",),
    allocates=True,
)


def _not_differentiated(
    name: str, arity: int | None, options: tuple[str, ...] = ("dtype",)
) -> Primitive:
    """``np.arange``, ``np.linspace``, ``np.eye``: no rule; an operand that
    depends on ``wrt`` is refused, never given a zero derivative."""
    return Primitive(
        name,
        arity,
        {"numpy": name},
        None,
        None,
        (),
        result_type=_sequence_type(name),
        options=options,
    )


def _sequence_type(name: str) -> TypeRule:
    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        if name == "eye":  # a rule that makes one says its size (``dims``)
            dims = attributes.get("dims", (None, None))
            return Array(_made_kind(attributes), dims)  # type: ignore[arg-type]
        kind: Kind = "real" if name == "linspace" else "int"
        if any(type_ != INT for type_ in types):
            kind = "real"
        return Array(_made_kind(attributes, kind), (None,))

    return rule


#: ``np.eye(n)``, ``np.eye(n, m, k=1)``: ones on a diagonal. A rule that
#: makes one gives it attribute ``dims``, the sizes it knows it has.
EYE = _not_differentiated("eye", None, options=("k", "dtype"))

CREATION = (
    ZEROS,
    ONES,
    EMPTY,
    EMPTY_LIKE,
    FULL,
    ONES_LIKE,
    ZEROS_LIKE,
    COPY,
    ASARRAY,
    ASTYPE,
    ARRAY,
    _not_differentiated("arange", None),
    _not_differentiated("linspace", None),
    EYE,
)
