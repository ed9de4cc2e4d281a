"""A call to a function with a rule of the user's (``srcgrad.custom``).

``custom_call %f, %x, %y`` is ``f.value(x, y)``: ``f(x, y)``, where ``%f``
is the decorated object, read by name when the code runs, checked to be a
number where ``x`` and ``y`` are (the type the code is built for). Its
rules call the user's rule through that object, rather than reading ``f``:

* JVP: ``f.tangent(2, out, x, y, x_dot, y_dot)`` (``custom_tangent``),
  the tangent ``f_jvp`` gives (or, for a ``custom_vjp``, one built from
  ``f_bwd``);
* VJP: ``x_bar, y_bar = f.pullback(g, out, x, y)`` (``custom_pullback``),
  the cotangents ``f_bwd`` gives (or, for a ``custom_jvp``, built from
  ``f_jvp``).

``out`` is ``f``'s value as the code computed it: what the rule returns is
checked against its shape (``srcgrad.custom``).

Neither has rules of its own: a second derivative through a custom rule is
refused where it is asked for, never a silent zero.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import REAL, Scalar, Type
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
    Writer,
)

_CUSTOM = {"namespace": "custom"}


def _result_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """A number of numbers (``f.value`` checks it is one when it runs:
    srcgrad never reads ``f``); of anything else, what the code gives."""
    values = types[1:]
    if values and all(isinstance(t, Scalar) for t in values):
        return REAL
    return None


def _write_call(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    value = ast.Attribute(args[0], "value", ast.Load())
    return ast.Call(value, list(args[1:]), [])


def _write_method(name: str) -> Writer:
    def write(
        args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
    ) -> ast.expr:
        method = ast.Attribute(args[0], name, ast.Load())
        leading: list[ast.expr] = []
        if "count" in attributes:
            leading.append(ast.Constant(int(attributes["count"])))  # type: ignore[call-overload]
        call = ast.Call(method, leading + list(args[1:]), [])
        if attributes.get("single"):  # the one cotangent of a tuple of one
            return ast.Subscript(call, ast.Constant(0), ast.Load())
        return call

    return write


def _jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    """``f.tangent(n, *args, *tangents)``: a zero for an argument with none."""
    function, *values = args
    tangents = [
        tangent if tangent is not None else _zero_like(e, value)
        for tangent, value in zip(t[1:], values, strict=True)
    ]
    attributes = {**_CUSTOM, "count": len(values), **_shown(e)}
    # f's value as the code computed it: the rule's is checked against it
    operands = [function, out, *values, *tangents]
    return e.results(CUSTOM_TANGENT, operands, attributes, 1)[0]


def _zero_like(e: RuleBuilder, value: Value) -> Value:
    """The tangent of an argument with none: a zero of its shape."""
    if isinstance(value.type, Scalar):
        return e.const(0.0)
    return e.apply(ZEROS_LIKE, value, namespace="numpy")


def _shown(e: RuleBuilder) -> dict[str, object]:
    """How messages name the rule: after the function it is for."""
    display = e.attributes.get("display")
    return {} if display is None else {"display": f"the rule of {display}"}


def _vjp(e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value) -> Cotangents:
    """``x_bar, y_bar = f.pullback(g, x, y)``."""
    function, *values = args
    attributes = {**_CUSTOM, **_shown(e), "single": len(values) == 1}
    operands = [function, g, out, *values]
    made = e.results(CUSTOM_PULLBACK, operands, attributes, len(values))
    return (None, *made)


#: ``f(*args)`` for ``f`` with a custom rule (the object is the first operand).
CUSTOM_CALL = Primitive(
    "custom_call",
    None,
    {"custom": "custom_call"},
    _vjp,
    _jvp,
    (),
    result_type=_result_type,
    writer=_write_call,
    elementwise=False,
)
#: ``f.tangent(n, *args, *tangents)``: the output's tangent, by the rule.
CUSTOM_TANGENT = Primitive(
    "custom_tangent",
    None,
    {"custom": "custom_tangent"},
    None,
    None,
    (),
    opaque=True,
    result_type=_result_type,
    writer=_write_method("tangent"),
    elementwise=False,
)
#: ``f.pullback(g, *args)``: one cotangent per argument, by the rule.
CUSTOM_PULLBACK = Primitive(
    "custom_pullback",
    None,
    {"custom": "custom_pullback"},
    None,
    None,
    (),
    opaque=True,
    writer=_write_method("pullback"),
    elementwise=False,
)
