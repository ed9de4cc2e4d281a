"""Reverse mode: IR of ``f`` in, IR of its gradient out.

The gradient function takes ``f``'s parameters and returns the adjoints of
the ``wrt`` ones. Its body is a check that the inputs reaching the output
are real numbers (``CHECK_REAL``), then ``f``'s body (the forward sweep,
where each op that raises outside its domain is kept by an ``EVALUATE`` so
the gradient raises where ``f`` does), then the reverse sweep
(``srcgrad.ad.sweep``; ``srcgrad.ad.control`` for branches and loops, and
the tapes loops keep). Passes run afterwards drop the forward values
nothing needs and share the ones the rules recompute.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.calls import forward_call
from srcgrad.ad.clone import clone_into
from srcgrad.ad.context import CallPlan, SweepContext
from srcgrad.ad.hints import adjoint_hints
from srcgrad.ad.inputs import check_real_inputs
from srcgrad.ad.shapes import check_shapes, sizes_unchecked
from srcgrad.ad.sweep import ReverseSweep
from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    CHECK_REAL,
    CONST,
    EVALUATE,
    GLOBAL,
    Block,
    Builder,
    Function,
    Op,
    Parameter,
    Region,
    Value,
    is_call,
    walk,
)
from srcgrad.ir.names import fresh_name
from srcgrad.ir.types import Array, ListOf, Type, is_array
from srcgrad.passes import active_values, reaching_output
from srcgrad.primitives import RuleEmitter
from srcgrad.primitives.broadcasting import ONE_NUMBER
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.elementwise import QUIET_INSIDE


def reverse(
    function: Function,
    wrt: Sequence[str],
    *,
    as_tuple: bool = False,
    with_value: bool = False,
    has_aux: bool = False,
    seeded: bool = False,
    name: str | None = None,
    calls: CallPlan | None = None,
) -> Function:
    """The gradient of scalar-valued ``function`` with respect to ``wrt``
    (or, ``seeded``, its vector-Jacobian product).

    Args:
        function: the primal, in IR.
        wrt: names of the parameters to differentiate with respect to.
        as_tuple: return the adjoints as a tuple even if there is one.
        with_value: return ``f``'s value first, then the adjoints
            (``value_and_grad``): the forward sweep computes it anyway.
        has_aux: ``function`` returns ``(value, aux)``; only ``value`` is
            differentiated, and ``aux`` is returned as it is, after the
            value (if ``with_value``) and before the adjoints.
        seeded: ``function`` may return arrays or a tuple: the adjoint of
            each output is a keyword-only parameter (``cotangent``, or
            ``cotangent_0``, ``cotangent_1``... for a tuple), and the
            adjoints of ``wrt`` come back as a tuple (``vjp``).
        name: the gradient's name; ``<name>_grad`` by default.
        calls: for the entry of a program that calls its other functions,
            their activity and derivatives (``srcgrad.ad.program``).

    Returns:
        A new function with ``function``'s parameters, returning the adjoint
        of each ``wrt`` parameter (a tuple if ``as_tuple`` or several).

    Raises:
        DifferentiationError: ``function`` does not return a single number,
            or an op on the way from ``wrt`` to its output cannot be
            differentiated.
    """
    terminator = function.entry.terminator if seeded else None
    if terminator is None:
        terminator = _scalar_return(function, has_aux)
    block = Block(
        [
            Value(value.name_hint, value.loc, type=value.type)
            for value in function.arguments
        ]
    )
    mapping = dict(zip(function.arguments, block.arguments, strict=True))
    builder = Builder(block)
    wrt_values = [function.argument(parameter) for parameter in wrt]
    if calls is None:
        active = active_values(function, wrt_values)
        reaching = reaching_output(function)
    else:
        active = calls.activity(function.name).active
        reaching = reaching_output(function, calls.summaries)
    reads = global_reads(function, reaching)
    if calls is not None:
        reads += calls.global_reads()
    inputs = [*function.arguments, *(op.result for op in reads)]
    if not any(is_array(value.type) for value in inputs):
        # Built for numbers: check they are, and hand arrays on (see api).
        check_real_inputs(builder, function, wrt, mapping, reaching, reads)
    else:
        check_shapes(builder, function)
    context = SweepContext(mapping, active, adjoint_hints(function), {}, calls)
    forward_sweep(builder, function, context, reaching)

    # Everything from here on is a derivative term, not a value of f.
    builder = Builder(block, derivative=True)
    sweep = ReverseSweep(builder, context)
    parameters = list(function.parameters)
    output = terminator.operands[0]
    if seeded:
        parameters += _seed_outputs(sweep, terminator, block, parameters)
    elif output in active:
        with builder.at(terminator.loc):
            if output.type is None:  # maybe an array: check it is one number
                attributes = {"namespace": "helper"}
                builder.create(
                    ONE_NUMBER, [mapping[output]], attributes, result_count=0
                )
            sweep.adjoints[output] = builder.const(1.0, hint=context.hints.get(output))
    sweep.sweep(function.entry.ops[:-1])

    with builder.at(terminator.loc):
        results = [
            _adjoint_of_input(builder, sweep.adjoints.get(value), mapping[value])
            for value in wrt_values
        ]
        value = [mapping[output]] if with_value else []
        aux = [mapping[terminator.operands[1]]] if has_aux else []
        returned = builder.ret([*value, *aux, *results])
        named = ("value",) * with_value + ("aux",) * has_aux
        returned.attributes["hints"] = named + tuple(
            context.hints[value] for value in wrt_values
        )
        if with_value:
            returned.attributes["value"] = True
        if has_aux:
            returned.attributes["aux"] = True
        # Which input each is the adjoint of (``passes.returns``).
        returned.attributes["inputs"] = tuple(
            function.arguments.index(value) for value in wrt_values
        )
        if as_tuple or len(wrt) > 1 or seeded:
            returned.attributes["tuple"] = True
    gradient_name = name or f"{function.name}_grad"
    return Function(gradient_name, parameters, Region([block]), function.loc)


def _seed_outputs(
    sweep: ReverseSweep, terminator: Op, block: Block, taken: list[Parameter]
) -> list[Parameter]:
    """A cotangent parameter per output of ``terminator``'s, each the
    adjoint its output starts from (``vjp``): keyword-only, named apart
    from ``taken``."""
    outputs = terminator.operands
    names = {parameter.name for parameter in taken}
    made: list[Parameter] = []
    for index, output in enumerate(outputs):
        base = "cotangent" if len(outputs) == 1 else f"cotangent_{index}"
        name = fresh_name(base, names)
        names.add(name)
        seed = Value(name, terminator.loc, block, type=output.type)
        block.arguments.append(seed)
        made.append(Parameter(name, "keyword_only"))
        if output in sweep.active:
            sweep.accumulate(output, seed)
    return made


def forward_sweep(
    builder: Builder,
    function: Function,
    context: SweepContext,
    reaching: set[Value],
) -> None:
    """Append ``function``'s body at ``builder``: the forward sweep.

    Each op that raises outside its domain and whose value reaches the
    output is kept by an ``EVALUATE`` (see ``_must_evaluate``), each ``**``
    that may be complex is checked, each control-flow op's copy is recorded
    in ``context.copies`` and each call is made to call what the reverse
    sweep needs (``srcgrad.ad.calls``). ``context.mapping`` maps the
    function's arguments on entry and every value on exit.
    """
    mapping, active = context.mapping, context.active

    def keep_failures(builder: Builder, op: Op, copy: Op) -> None:
        """The forward sweep fails where f fails (see ``_must_evaluate``)."""
        if is_call(op):
            forward_call(context, op, copy)
            if copy.results[-1] not in context.saved.values() and any(
                result in reaching for result in op.results
            ):  # called where nothing is active: it may still raise, as in f
                with builder.at(op.loc):
                    builder.create(EVALUATE, [copy.results[0]], result_count=0)
            return
        if op.regions:
            context.copies[op] = copy
            return
        fail_where_f_fails(builder, op, mapping, active, reaching, function.name)

    clone_into(builder, function.entry.ops[:-1], mapping, after=keep_failures)


def fail_where_f_fails(
    builder: Builder,
    op: Op,
    mapping: dict[Value, Value],
    active: frozenset[Value],
    reaching: set[Value],
    function: str,
) -> None:
    """After ``op`` (not a call, owning no region) is copied at ``builder``:
    keep it by an ``EVALUATE`` if it raises outside its domain and nothing
    else would compute it (``_must_evaluate``), and check that a ``**``
    that may be complex is real. Both modes' sweeps of ``f`` call this."""
    if _must_evaluate(op, active, reaching):
        why = {"why": "shapes"} if sizes_unchecked(op) else {}
        with builder.at(op.loc):
            builder.create(EVALUATE, [mapping[op.result]], why, result_count=0)
    if _may_be_complex(op) and op.result in reaching:
        _check_real_value(builder, op, mapping[op.result], function)


def _adjoint_of_input(builder: Builder, adjoint: Value | None, value: Value) -> Value:
    """What the gradient returns for the input ``value``: its adjoint, or
    zero (of its shape) where nothing reached it."""
    if not is_array(value.type):
        return adjoint or builder.const(0.0)
    if adjoint is None:
        return RuleEmitter(builder, ZEROS_LIKE, "numpy").call(ZEROS_LIKE, value)
    return adjoint  # given the input's shape and kind by ``passes.returns``


def _scalar_return(function: Function, has_aux: bool = False) -> Op:
    """``function``'s return, checked to hand back exactly one number (and,
    ``has_aux``, one value more: ``return loss, aux``)."""
    terminator = function.entry.terminator
    assert terminator is not None
    if has_aux:
        if len(terminator.operands) != 2 or not terminator.attributes.get("tuple"):
            raise DifferentiationError(
                f"{function.name} is differentiated with has_aux=True, so it "
                "must return a pair: `return value, aux` (aux may be an array "
                "or a number; return several as a list or an array)",
                terminator.loc,
            )
        _one_number(function, terminator, terminator.operands[0].type)
        return terminator
    returned = terminator.operands[0].type if terminator.operands else None
    if len(terminator.operands) == 1:
        _one_number(function, terminator, returned)
    if terminator.attributes.get("tuple") or len(terminator.operands) != 1:
        raise DifferentiationError(
            f"{function.name} returns a tuple of {len(terminator.operands)} values; "
            "grad needs a function that returns one real number (or, with "
            "has_aux=True, a pair: the number and a value returned as it is). "
            "for the derivatives of several outputs use srcgrad.jacobian, "
            "srcgrad.vjp or srcgrad.jvp",
            terminator.loc,
        )
    return terminator


def _one_number(function: Function, terminator: Op, returned: Type | None) -> None:
    """Refuse a value that is an array or a list: grad needs one number."""
    if isinstance(returned, Array) and returned.rank:
        raise DifferentiationError(
            f"{function.name} returns an array ({returned}), not one number: "
            "grad needs a "
            "function that returns one number (take its sum, or its value "
            "at an index, to differentiate that)",
            terminator.loc,
        )
    if isinstance(returned, ListOf):
        raise DifferentiationError(
            f"{function.name} returns a list, not one number: grad needs a "
            "function that returns one number (take its sum, or one item, to "
            "differentiate that)",
            terminator.loc,
        )


def global_reads(function: Function, reaching: set[Value]) -> list[Op]:
    """The ``global`` ops of ``function`` whose value is among ``reaching``
    (but for the functions with custom rules it calls: not inputs)."""
    return [
        op
        for op in walk(function.entry)
        if op.definition is GLOBAL
        and op.result in reaching
        and not op.attributes.get("custom")
    ]


def _may_be_complex(op: Op) -> bool:
    """``x ** y`` is complex in Python for x < 0 unless y is a whole number."""
    if op.name != "pow" or op.attributes.get("namespace") != "operator":
        return False
    exponent = op.operands[1].defining_op
    if exponent is None or exponent.definition is not CONST:
        return True
    value = exponent.attributes["value"]
    return not (isinstance(value, (int, float)) and float(value).is_integer())


def _check_real_value(builder: Builder, op: Op, value: Value, function: str) -> None:
    """Check, when it runs, that ``op``'s value is real: else f has no gradient.

    The message names ``function``, the user's function that computes it
    (not the forward sweep the check is written in).
    """
    loc = op.loc
    text = "x ** y" if loc is None else loc.text[loc.column - 1 : loc.end_column - 1]
    where = "" if loc is None else f" (line {loc.line})"
    attributes = {
        "names": (f"{text.strip()}{where}",),
        "kinds": ("value",),
        "function": function,
    }
    with builder.at(loc):
        builder.create(CHECK_REAL, [value], attributes, result_count=0)


#: Operators that raise on some floats (``1 / 0.0``, ``0.0 ** -1``).
_RAISING_OPERATORS = frozenset({"div", "floordiv", "mod", "pow"})


def _must_evaluate(op: Op, active: frozenset[Value], reaching: set[Value]) -> bool:
    """Whether the gradient must compute ``op`` so that it raises where f does.

    An active op whose function raises outside its domain where its
    derivative would not (``math.log(-1.0)``, while ``1/x`` is -1.0) is kept,
    as is ``int(x)`` of a float that may be nan or infinite.
    So is an inactive op that may raise (any ``math`` call, ``/``, ``//``,
    ``**``), or a NumPy function that warns outside its domain
    (``QUIET_INSIDE``): no derivative term computes it, yet ``f`` fails
    on it (``x + math.sqrt(y)`` at y = -1). Either way only if its value reaches
    the output; ``compiler`` drops the ones a derivative term computes.
    """
    if len(op.results) != 1 or op.result not in reaching:
        return False
    if sizes_unchecked(op):
        return True  # it raises where f does, if its arrays do not fit
    namespace = op.attributes.get("namespace")
    checked: frozenset[str] = getattr(op.definition, "needs_domain_check", frozenset())
    if namespace in checked:
        return True
    if op.result in active:
        return False
    if namespace == "math" or (namespace == "numpy" and op.name in QUIET_INSIDE):
        return True
    return (
        namespace == "operator"
        and op.name in _RAISING_OPERATORS
        and (not _cannot_raise(op))
    )


def _cannot_raise(op: Op) -> bool:
    """``x / 2``, ``x // 2``, ``x % 2`` and ``x ** 2`` raise for no float ``x`` (an
    overflow aside, which the gradient does not reproduce anyway)."""
    constant = op.operands[1].defining_op
    if constant is None or constant.definition is not CONST:
        return False
    value = constant.attributes["value"]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return value >= 0 if op.name == "pow" else value != 0
