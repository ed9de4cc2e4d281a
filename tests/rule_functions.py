"""One primitive's rule as generated code, for the table-driven tests.

The rule is built through a ``RuleEmitter`` and run through the same
passes and codegen users get, so a test of it tests what users run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srcgrad.codegen import generate, load
from srcgrad.ir import Block, Builder, Function, Parameter, Region, Value, verify
from srcgrad.passes import optimize
from srcgrad.primitives import Primitive, RuleEmitter


def rule_function(
    primitive: Primitive,
    namespace: str,
    arity: int,
    mode: str,
    only: int | None = None,
) -> Callable[..., Any]:
    """Generated code for one rule: (x..., seed...) -> cotangents or tangent.

    ``mode`` is "vjp" ((x..., g) -> cotangents), "jvp" ((x..., t...) ->
    (tangent,)) or "primal" ((x...) -> (value,)). With ``only``, a VJP
    returns the cotangent of that operand alone, as reverse mode computes
    it when only that operand is active.
    """
    args = [Value(f"x{i}") for i in range(arity)]
    seeds = {"vjp": [Value("g")], "jvp": [Value(f"t{i}") for i in range(arity)]}.get(
        mode, []
    )
    block = Block(args + seeds)
    builder = Builder(block)
    out = builder.create(primitive, args, {"namespace": namespace}).result
    emitter = RuleEmitter(builder, primitive, namespace)
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
