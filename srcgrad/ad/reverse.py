"""Reverse mode: IR of ``f`` in, IR of its gradient out.

The gradient function takes ``f``'s parameters and returns the adjoints of
the ``wrt`` ones. Its body is ``f``'s body (the forward sweep) followed by
the reverse sweep, which walks ``f``'s ops backwards and applies each one's
VJP rule, accumulating ``S(i) = sum_j S(j) * dy_j/dy_i`` into one adjoint
per value, exactly once per edge (DESIGN.md, "The idea it is built on").
Passes run afterwards drop the forward values nothing needs and share the
ones the rules recompute.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.clone import clone_into
from srcgrad.errors import DifferentiationError
from srcgrad.ir import Block, Builder, Function, Op, Region, Value
from srcgrad.passes import active_values
from srcgrad.primitives import PRIMITIVES, Primitive, RuleEmitter


def reverse(
    function: Function,
    wrt: Sequence[str],
    *,
    as_tuple: bool = False,
    name: str | None = None,
) -> Function:
    """The gradient of scalar-valued ``function`` with respect to ``wrt``.

    Args:
        function: the primal, in IR.
        wrt: names of the parameters to differentiate with respect to.
        as_tuple: return the adjoints as a tuple even if there is one.
        name: the gradient's name; ``<name>_grad`` by default.

    Returns:
        A new function with ``function``'s parameters, returning the adjoint
        of each ``wrt`` parameter (a tuple if ``as_tuple`` or several).

    Raises:
        DifferentiationError: ``function`` does not return a single number.
    """
    terminator = function.entry.terminator
    assert terminator is not None
    if terminator.attributes.get("tuple") or len(terminator.operands) != 1:
        raise DifferentiationError(
            f"{function.name} returns a tuple of {len(terminator.operands)} values; "
            "a gradient needs a function that returns one number",
            terminator.loc,
        )
    block = Block([Value(value.name_hint, value.loc) for value in function.arguments])
    mapping = dict(zip(function.arguments, block.arguments, strict=True))
    builder = Builder(block)
    forward_ops = function.entry.ops[:-1]
    clone_into(builder, forward_ops, mapping)

    wrt_values = [function.argument(parameter) for parameter in wrt]
    active = active_values(function, wrt_values)
    output = terminator.operands[0]
    adjoints: dict[Value, Value] = {}
    if output in active:
        with builder.at(terminator.loc):
            adjoints[output] = builder.const(1.0, hint=_adjoint_hint(output))
    for op in reversed(forward_ops):
        _propagate(builder, op, mapping, adjoints, active)

    with builder.at(terminator.loc):
        results = [adjoints.get(value) or builder.const(0.0) for value in wrt_values]
        returned = builder.ret(results)
        returned.attributes["hints"] = tuple(f"{parameter}_bar" for parameter in wrt)
        if as_tuple or len(wrt) > 1:
            returned.attributes["tuple"] = True
    gradient_name = name or f"{function.name}_grad"
    return Function(
        gradient_name, list(function.parameters), Region([block]), function.loc
    )


def _propagate(
    builder: Builder,
    op: Op,
    mapping: dict[Value, Value],
    adjoints: dict[Value, Value],
    active: frozenset[Value],
) -> None:
    """Apply ``op``'s VJP to its result's adjoint, if it has one."""
    if len(op.results) != 1 or op.result not in adjoints:
        return
    primitive = op.definition
    assert isinstance(primitive, Primitive) and primitive.vjp is not None
    emitter = RuleEmitter(builder, primitive, str(op.attributes["namespace"]))
    args = tuple(mapping[operand] for operand in op.operands)
    with builder.at(op.loc):
        cotangents = primitive.vjp(
            emitter, adjoints[op.result], args, mapping[op.result]
        )
        for operand, cotangent in zip(op.operands, cotangents, strict=True):
            if cotangent is not None and operand in active:
                _accumulate(builder, adjoints, operand, cotangent)


def _accumulate(
    builder: Builder, adjoints: dict[Value, Value], value: Value, cotangent: Value
) -> None:
    """Add ``cotangent`` into the adjoint of ``value``: one term of S(i)."""
    hint = _adjoint_hint(value)
    existing = adjoints.get(value)
    if existing is None:
        if cotangent.name_hint is None:
            cotangent.name_hint = hint
        adjoints[value] = cotangent
        return
    total = builder.create(
        PRIMITIVES["add"], [existing, cotangent], {"namespace": "operator"}, hint=hint
    ).result
    adjoints[value] = total


def _adjoint_hint(value: Value) -> str | None:
    return None if value.name_hint is None else f"{value.name_hint}_bar"
