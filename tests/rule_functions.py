"""One primitive's rule as generated code, for the table-driven tests.

The rule is built through a ``RuleEmitter`` and run through the same
passes and codegen users get, so a test of it tests what users run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from srcgrad.codegen import generate, load
from srcgrad.ir import Block, Builder, Function, Parameter, Region, Value, verify
from srcgrad.ir.types import Type
from srcgrad.passes import optimize
from srcgrad.primitives import Primitive, RuleEmitter


def rule_function(
    primitive: Primitive,
    namespace: str,
    arity: int,
    mode: str,
    only: int | None = None,
    types: Sequence[Type] | None = None,
    attributes: Mapping[str, object] | None = None,
) -> Callable[..., Any]:
    """Generated code for one rule: (x..., seed...) -> cotangents or tangent.

    ``mode`` is "vjp" ((x..., g) -> cotangents), "jvp" ((x..., t...) ->
    (tangent,)) or "primal" ((x...) -> (value,)). With ``only``, a VJP
    returns the cotangent of that operand alone, as reverse mode computes
    it when only that operand is active. ``types`` are the operands' types
    (array rules depend on them; the seeds get the matching ones), and
    ``attributes`` the op's (``axis``, ``subscripts``).
    """
    args = [Value(f"x{i}") for i in range(arity)]
    seeds = {"vjp": [Value("g")], "jvp": [Value(f"t{i}") for i in range(arity)]}.get(
        mode, []
    )
    if types is not None:
        for value, type_ in zip(args, types, strict=True):
            value.type = type_
        if mode == "jvp":
            for value, type_ in zip(seeds, types, strict=True):
                value.type = type_
    block = Block(args + seeds)
    builder = Builder(block)
    attributes = {"namespace": namespace, **(attributes or {})}
    out = builder.create(primitive, args, attributes).result
    if mode == "vjp":
        seeds[0].type = out.type
    emitter = RuleEmitter(builder, primitive, namespace, attributes)
    if mode == "vjp":
        results = list(primitive.vjp(emitter, seeds[0], tuple(args), out))
        if only is not None:
            results = [results[only]]
    elif mode == "jvp":
        results = [primitive.jvp(emitter, tuple(seeds), tuple(args), out)]
    else:
        results = [out]
    returned = builder.ret([value or builder.const(0.0) for value in results])
    returned.attributes["tuple"] = True
    parameters = [Parameter(value.name_hint) for value in block.arguments]
    function = verify(Function(mode, parameters, Region([block])))
    optimize(function, after_each=verify)
    return load(generate(function))
