"""What a gradient returns: for each input, a new value of the input's kind.

An adjoint can be, after the passes, one of the caller's own arrays
(``d/dx sum(x * y)`` is ``y``), a view of one, an array that only
broadcasts to the input's shape (``d/dx sum(x)`` is ``1.0``), a boolean
array (``d/dx sum(x * (x > 0))``) or an ``int`` a parameter held. Handed
back as it is, the first would let ``gx *= lr`` change the caller's data
and the others would not be a gradient of the input's shape and type.
``finish_returns`` makes each such value a new one of the input's shape
and dtype (``shaped_like``), or a ``float`` for a number; a value the
gradient computed, of the right shape and kind, is returned as it is.
"""

from __future__ import annotations

from srcgrad.ir import GLOBAL, Builder, Function, Value, walk
from srcgrad.ir.types import Array, Scalar, same_shape
from srcgrad.passes.floats import surely_float
from srcgrad.primitives import PRIMITIVES, Primitive
from srcgrad.primitives.broadcasting import AS_FLOAT, SHAPED_LIKE


def finish_returns(function: Function) -> None:
    """Make what the gradient ``function`` returns safe to hand back (see
    the module); its return's attribute ``inputs`` says, for each value,
    the position of the input it is the adjoint of."""
    terminator = function.entry.terminator
    assert terminator is not None
    positions: tuple[int, ...] | None = terminator.attributes.get("inputs")  # type: ignore[assignment]
    if positions is None:
        return
    function.entry.ops.pop()
    builder = Builder(function.entry, terminator.loc, derivative=True)
    # The inputs differentiated with respect to were checked to be floats.
    checked = {function.arguments[position] for position in positions}
    # value_and_grad returns f's value first, has_aux its aux: the
    # adjoints follow them.
    first = sum(1 for key in ("value", "aux") if terminator.attributes.get(key))
    # the arrays handed back so far (what each shares its items with): two
    # inputs' adjoints may be one value (d/dx and d/dw of sum(x + w)), and
    # an adjoint may be f's aux (d/dw of sum(e) is e, for aux e = exp(w))
    shared: set[Value] = {_viewed(v) or v for v in terminator.operands[:first]}
    for index, position in enumerate(positions, start=first):
        value = terminator.operands[index]
        input_ = function.arguments[position]
        root = _viewed(value) or value
        if root in shared and isinstance(input_.type, Array):
            value = _copied(builder, value, input_)
        shared.add(root)
        terminator.operands[index] = _finished(
            builder, value, input_, checked, reads_arrays(function)
        )
    function.entry.append(terminator)


def reads_arrays(function: Function) -> bool:
    """``function`` is built for arrays: an input or a global it reads is
    one (a Dask array's, perhaps)."""
    return any(isinstance(a.type, Array) for a in function.arguments) or any(
        op.definition is GLOBAL and isinstance(op.result.type, Array)
        for op in walk(function.entry)
    )


def _viewed(value: Value) -> Value | None:
    """What the view ``value`` shares its items with, if it is a view (a
    join's parts of one adjoint never overlap: each is its own)."""
    op = value.defining_op
    if op is None or not isinstance(op.definition, Primitive) or not op.definition.view:
        return None
    if op.attributes.get("part"):
        return value
    return _viewed(op.operands[0]) or op.operands[0]


def _copied(builder: Builder, value: Value, input_: Value) -> Value:
    attributes = {"namespace": "helper"}
    return builder.create(SHAPED_LIKE, [value, input_], attributes).result


def _finished(
    builder: Builder,
    adjoint: Value,
    input_: Value,
    checked: set[Value],
    arrays: bool = False,
) -> Value:
    if isinstance(input_.type, Array):
        # NumPy's arithmetic on 0-d arrays gives numbers, not 0-d arrays
        fresh = input_.type.rank and _made_here(adjoint)
        if fresh and _is_real_array_like(adjoint, input_):
            return adjoint
        return _copied(builder, adjoint, input_)
    if isinstance(input_.type, Scalar):
        if surely_float(adjoint, checked):
            return adjoint
        if arrays:  # the adjoint may be a Dask array's: kept lazy
            made = builder.create(AS_FLOAT, [adjoint], {"namespace": "helper"})
            return made.result
        attributes = {"namespace": "builtins"}
        return builder.create(PRIMITIVES["float"], [adjoint], attributes).result
    # Of a kind not known when built (a function NumPy gives no type): the
    # input's shape and kind when it runs (a float for a float).
    return _copied(builder, adjoint, input_)


def _made_here(value: Value) -> bool:
    """Made by an op of the gradient that makes a new array, or a writable
    view of one (``t.T``): never one of the caller's arrays."""
    op = value.defining_op
    if op is None or not isinstance(op.definition, Primitive):
        return False
    if op.definition.opaque or op.definition.name in _READ_ONLY_VIEWS:
        return False
    if op.definition.view:
        return op.definition.name in _WRITABLE_VIEWS and _made_here(op.operands[0])
    return True


#: Views that can be handed back when what they view was made here.
_WRITABLE_VIEWS = frozenset(
    {
        "transpose",
        "swapaxes",
        "reshape_like",
        "reshape",
        "index",
        "ravel",
        "setitem",  # the array written into
        "index_add",
    }
)
#: Views NumPy makes read-only.
_READ_ONLY_VIEWS = frozenset({"broadcast_to"})


def _is_real_array_like(adjoint: Value, input_: Value) -> bool:
    type_ = adjoint.type
    return (
        isinstance(type_, Array)
        and type_.kind == "real"
        and same_shape(type_, input_.type)
    )


def finish_tangents(function: Function) -> bool:
    """Make the tangents a forward-mode ``function`` returns safe to hand
    back, as ``finish_returns`` does adjoints: each is shaped like the
    output it is the tangent of. Its return lists those outputs after the
    values it shows (attribute ``shown``), and pairs each tangent's
    position with its output's among them (``like``); they are dropped.
    False if ``function`` is not forward mode's."""
    terminator = function.entry.terminator
    assert terminator is not None
    pairs: tuple[tuple[int, int], ...] | None = terminator.attributes.pop("like", None)  # type: ignore[assignment]
    if pairs is None:
        return False
    shown = int(terminator.attributes.pop("shown"))  # type: ignore[call-overload]
    function.entry.ops.pop()
    builder = Builder(function.entry, terminator.loc, derivative=True)
    outputs = terminator.operands[shown:]
    operands = terminator.operands[:shown]
    handed: set[Value] = set(operands[: min(pair[0] for pair in pairs)])
    for position, at in pairs:
        value, output = operands[position], outputs[at]
        root = _viewed(value) or value
        if root in handed and isinstance(output.type, Array):
            value = _copied(builder, value, output)
        handed.add(root)
        operands[position] = _finished(
            builder, value, output, set(), reads_arrays(function)
        )
    terminator.operands = operands
    function.entry.append(terminator)
    return True
