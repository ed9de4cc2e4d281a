"""Forward mode for a function: its Jacobian-vector products, as IR.

``jvp`` builds, from ``f``'s IR, a function with ``f``'s parameters that
sweeps ``f`` once with every value's tangents next to it
(``srcgrad.ad.forward``) and returns what it was asked for:

* seeded by parameters (``jvp``): one tangent parameter per ``wrt`` input,
  ``x_dot``, keyword-only after ``f``'s own; it returns ``f``'s value and
  its tangent, ``return y, y_dot``;
* seeded by the basis (``derivative``, a Hessian's columns): direction
  ``k`` starts with tangent 1 in the ``k``-th ``wrt`` input and none in
  the others, so each tangent is a partial derivative; for numbers only.

The tangents returned are made safe to hand back after the passes
(``passes.returns.finish_tangents``): a new array of the output's shape,
a ``float`` for a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from srcgrad.ad.forward import ForwardSweep, tapes_with_tangents
from srcgrad.ad.forward_context import ForwardCalls, ForwardContext
from srcgrad.ad.hints import derived_hints
from srcgrad.ad.inputs import check_real_inputs
from srcgrad.ad.reverse import global_reads
from srcgrad.ad.shapes import check_shapes
from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    Block,
    Builder,
    Function,
    Parameter,
    Region,
    Value,
)
from srcgrad.ir.types import Array, is_array
from srcgrad.passes import active_values, reaching_output

#: How the tangents of the ``wrt`` inputs start (see the module).
Seeding = Literal["parameters", "basis"]


def jvp(
    function: Function,
    wrt: Sequence[str],
    *,
    seeding: Seeding,
    with_value: bool,
    name: str,
    as_tuple: bool = False,
    calls: ForwardCalls | None = None,
    active: frozenset[Value] | None = None,
    reaching: set[Value] | None = None,
    check_inputs: bool = True,
) -> Function:
    """The forward-mode transform of ``function`` (see the module).

    Args:
        function: ``f``, in IR.
        wrt: the parameters whose tangents are seeded.
        seeding: tangent parameters, or the basis.
        with_value: return ``f``'s value before the tangents.
        as_tuple: by the basis, each output's tangents in a tuple of one
            per direction, even if there is one.
        name: the new function's name.
        calls: the forward sweeps of the functions ``function`` calls.
        active: the values that get tangents, if not the values between
            ``wrt`` and the output (``active_values``).
        reaching: the values the output depends on, if not as
            ``reaching_output`` finds them without the program's summaries.
        check_inputs: start with the check of the inputs' kinds and
            sizes; a gradient transformed again already has its own.

    Raises:
        DifferentiationError: an op between ``wrt`` and the output has no
            JVP rule, or a basis is asked for an array input.
    """
    block = Block(
        [
            Value(value.name_hint, value.loc, type=value.type)
            for value in function.arguments
        ]
    )
    mapping = dict(zip(function.arguments, block.arguments, strict=True))
    wrt_values = [function.argument(parameter) for parameter in wrt]
    if active is None:
        active = active_values(function, wrt_values)
    if reaching is None:
        reaching = reaching_output(function)
    builder = Builder(block)
    reads = global_reads(function, reaching)
    inputs = [*function.arguments, *(op.result for op in reads)]
    if not check_inputs:
        pass  # a gradient, which checks its own
    elif not any(is_array(value.type) for value in inputs):
        check_real_inputs(builder, function, wrt, mapping, reaching, reads)
    else:
        check_shapes(builder, function)
    directions = len(wrt) if seeding == "basis" else 1
    context = ForwardContext(
        mapping,
        active,
        reaching,
        derived_hints(function, "_dot"),
        directions,
        function.name,
        calls,
        tapes_with_tangents(function, active),
    )
    sweep = ForwardSweep(block, context)
    parameters = list(function.parameters)
    for position, value in enumerate(wrt_values):
        hint = context.hints[value]
        if seeding == "parameters":
            seed = Value(hint, value.loc, block, type=value.type)
            block.arguments.append(seed)
            parameters.append(Parameter(hint or "t", "keyword_only"))
            sweep.tangents[value] = [seed]
            continue
        if isinstance(value.type, Array):
            raise DifferentiationError(
                f"{value.name_hint} is an array: a derivative by the basis "
                "is taken with respect to numbers (use jvp, or jacobian, "
                "for an array)",
                function.loc,
            )
        sweep.tangents[value] = [
            sweep.derivative.const(1.0, hint=hint) if k == position else None
            for k in range(directions)
        ]
    sweep.sweep(function.entry.ops[:-1])
    terminator = function.entry.terminator
    assert terminator is not None
    if not terminator.operands:
        raise DifferentiationError(
            f"{function.name} returns nothing: there is no value to differentiate",
            terminator.loc,
        )
    _return(
        sweep,
        terminator.operands,
        bool(terminator.attributes.get("tuple")),
        with_value,
        as_tuple and seeding == "basis",
    )
    return Function(name, parameters, Region([block]), function.loc)


def _return(
    sweep: ForwardSweep,
    outputs: list[Value],
    as_tuple: bool,
    with_value: bool,
    by_direction: bool,
) -> None:
    """``return y, y_dot`` (with the value) or ``return y_dot``, each a
    tuple where ``f`` returns one; with several directions, each output's
    tangents are a tuple of one per direction."""
    mapping = sweep.context.mapping
    values = [mapping[value] for value in outputs] if with_value else []
    operands = list(values)
    hidden: list[Value] = []  # each tangent's output, to shape it like
    like: list[tuple[int, int]] = []  # (tangent's position, in hidden)
    layouts: list[object] = []
    for value in outputs:
        positions = []
        for direction in range(sweep.context.directions):
            operands.append(sweep.tangent_or_zero(value, direction))
            hidden.append(mapping[value])
            like.append((len(operands) - 1, len(hidden) - 1))
            positions.append(len(operands) - 1)
        several = by_direction or len(positions) > 1
        layouts.append(tuple(positions) if several else positions[0])
    layout: object = tuple(layouts) if as_tuple else layouts[0]
    if with_value:
        layout = (tuple(range(len(outputs))) if as_tuple else 0, layout)
    returned = sweep.derivative.ret(operands + hidden)
    returned.attributes["layout"] = layout
    returned.attributes["like"] = tuple(like)
    returned.attributes["shown"] = len(operands)
