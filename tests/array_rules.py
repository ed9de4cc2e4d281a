"""One array primitive's rules as generated code, at operands of given shapes.

``rules_at`` builds the JVP and the VJP of one op the way the reverse sweep
does (a ``RuleEmitter`` over values typed as the operands are), runs them
through the passes and codegen users get, and loads them; tests compare the
two by the dot-product identity ``<J u, v> = <u, J^T v>``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from srcgrad.codegen import generate, load
from srcgrad.ir import PACK, Block, Builder, Function, Parameter, Region, Value, verify
from srcgrad.passes import optimize
from srcgrad.primitives import Primitive, RuleEmitter
from srcgrad.runtime import type_of


@dataclass(frozen=True)
class Fixed:
    """An operand that is a constant of the op, not differentiated: a shape
    written out, a roll's shift."""

    value: int | tuple[int, ...]


def _operand(builder: Builder, fixed: Fixed) -> Value:
    if isinstance(fixed.value, tuple):
        items = [builder.const(item) for item in fixed.value]
        return builder.create(PACK, items).result
    return builder.const(fixed.value)


def rules_at(
    primitive: Primitive,
    namespace: str,
    attributes: Mapping[str, object],
    operands: Sequence[Any],
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``(jvp, vjp)``: ``jvp(*inputs, *tangents) -> (tangent,)`` and
    ``vjp(*inputs, g) -> cotangents``, the inputs being the operands that
    are not ``Fixed``, of those operands' types."""
    return (
        _rule(primitive, namespace, attributes, operands, "jvp"),
        _rule(primitive, namespace, attributes, operands, "vjp"),
    )


def primal_at(
    primitive: Primitive,
    namespace: str,
    attributes: Mapping[str, object],
    operands: Sequence[Any],
) -> Callable[..., Any]:
    """``primal(*inputs) -> (value,)``: the op itself, as codegen writes it."""
    return _rule(primitive, namespace, attributes, operands, "primal")


def _rule(
    primitive: Primitive,
    namespace: str,
    attributes: Mapping[str, object],
    operands: Sequence[Any],
    mode: str,
) -> Callable[..., Any]:
    inputs = [
        _typed(f"x{i}", value)
        for i, value in enumerate(operands)
        if not isinstance(value, Fixed)
    ]
    block = Block(list(inputs))
    builder = Builder(block)
    pending = iter(inputs)
    args = [
        _operand(builder, value) if isinstance(value, Fixed) else next(pending)
        for value in operands
    ]
    written = {"namespace": namespace, **attributes}
    out = builder.create(primitive, args, written).result
    emitter = RuleEmitter(builder, primitive, namespace, written)
    seeds, results = _applied(mode, emitter, args, out, operands)
    block.arguments.extend(seeds)
    for seed in seeds:
        seed.owner = block
    returned = builder.ret([value or builder.const(0.0) for value in results])
    returned.attributes["tuple"] = True
    parameters = [Parameter(value.name_hint) for value in block.arguments]
    function = verify(Function(mode, parameters, Region([block])))
    optimize(function, after_each=verify)
    return load(generate(function), {"__builtins__": builtins})


def _applied(
    mode: str,
    emitter: RuleEmitter,
    args: list[Value],
    out: Value,
    operands: Sequence[Any],
) -> tuple[list[Value], list[Value | None]]:
    """The seeds (tangents of the inputs, or the cotangent of ``out``) and
    what the rule makes of them: the tangent, or the inputs' cotangents."""
    primitive = emitter.primitive
    if mode == "primal":
        return [], [out]
    inputs = [
        arg
        for arg, value in zip(args, operands, strict=True)
        if not isinstance(value, Fixed)
    ]
    if mode == "jvp":
        seeds = [_typed(f"t{i}", None, value.type) for i, value in enumerate(inputs)]
        tangents = iter(seeds)
        per_operand = tuple(
            None if isinstance(value, Fixed) else next(tangents) for value in operands
        )
        return seeds, [primitive.jvp(emitter, per_operand, tuple(args), out)]
    seeds = [_typed("g", None, out.type)]
    cotangents = primitive.vjp(emitter, seeds[0], tuple(args), out)
    return seeds, [
        cotangent
        for cotangent, value in zip(cotangents, operands, strict=True)
        if not isinstance(value, Fixed)
    ]


def _typed(name: str, value: Any, type_: Any = None) -> Value:
    made = Value(name)
    made.type = type_ if value is None else type_of(value, name)
    return made
