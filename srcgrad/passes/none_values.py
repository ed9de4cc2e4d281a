"""None is never used as a number: a check of the program before it is optimised.

A call may pass ``None`` to a helper: the default of a parameter it omits
(``def h(t, k=None)`` called as ``h(x)``), or ``None`` written as an
argument. Python accepts that as long as the helper only tests the value
(``if k:``, ``k == 0``) or passes it on; ``t * k`` raises ``TypeError``.
The gradient must not do better than ``f``: written out, ``t * k`` has the
derivative ``k`` with respect to ``t``, and the gradient would return
``None``, or a number that is the gradient of nothing. So each value that
may be ``None`` is followed through the program (into the parameters it is
passed to, out of the functions that return it, through branches and
loops), and any other use of it is an error, reported where it is.

Inside ``if k:`` (and in the ``else`` of ``if not k:``) ``k`` is not
``None``. This is a may-analysis over the whole program: a helper called
once with ``None`` and once with a number is checked as if always None.
"""

from __future__ import annotations

from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    CONDITION,
    CONST,
    FOR,
    IF,
    RETURN,
    WHILE,
    YIELD,
    Function,
    Op,
    Program,
    Value,
    callee_of,
    is_call,
    loop_parts,
    walk,
)

#: Primitives Python evaluates on None without complaint, and that give a
#: bool, never None: ``k == 0``, ``k != 0``, ``not k``, ``bool(k)``.
_ACCEPT_NONE = frozenset(
    {("eq", "operator"), ("ne", "operator"), ("not", "operator"), ("bool", "builtins")}
)


def refuse_none_as_number(program: Program) -> None:
    """Raise where a value that may be ``None`` is used as a number.

    Raises:
        DifferentiationError: at the first such use, in program order,
            saying where the ``None`` comes from.
    """
    origins = _may_be_none(program)
    # A use in a helper first: the entry returning None is its consequence.
    for returns in (False, True):
        for symbol in program.reachable():
            entry = symbol == program.entry
            for op in walk(program.functions[symbol].entry):
                if (op.definition is RETURN) != returns:
                    continue
                for operand in op.operands:
                    if operand in origins and _uses_as_number(op, operand, entry):
                        message = _message(op, origins[operand], program.entry)
                        raise DifferentiationError(message, op.loc)


def _message(op: Op, origin: str, entry: str) -> str:
    if op.definition is RETURN:
        return f"{entry} returns None here ({origin}); grad needs a number"
    if op.definition.name == "clip":  # np.clip takes None: no bound
        return (
            f"a bound of this clip may be None ({origin}), known only when "
            "it runs; the gradient is built for the bounds there are: for "
            "no bound, write None itself (np.clip(x, None, hi))"
        )
    return (
        f"None is used as a number here, where {entry} raises TypeError "
        f"({origin}); pass a number"
    )


def _may_be_none(program: Program) -> dict[Value, str]:
    """Each value that may be None, and why (which call gives it None)."""
    origins: dict[Value, str] = {}
    changed = True
    while changed:
        changed = False
        for symbol in program.reachable():
            for op in walk(program.functions[symbol].entry):
                for value, origin in _flows(program, op, origins):
                    if value not in origins:
                        origins[value] = origin
                        changed = True
    return origins


def _flows(
    program: Program, op: Op, origins: dict[Value, str]
) -> list[tuple[Value, str]]:
    """The values ``op`` may make None, given ``origins``, and why: where
    it passes a value on that may be None there."""
    found: list[tuple[Value, str]] = []
    if is_call(op):
        callee = program.functions[callee_of(op)]
        for index, operand in enumerate(op.operands):
            if _is_none(operand):
                found.append((callee.arguments[index], _passed(op, callee, index)))
            elif _none_at(operand, op, origins):
                found.append((callee.arguments[index], origins[operand]))
        returned = _returned(callee)
        found += [
            (result, origins[value])
            for result, value in zip(op.results, returned.operands, strict=True)
            if _none_at(value, returned, origins)
        ]
    elif op.definition is IF:
        for region in op.regions:
            terminator = region.block.terminator
            assert terminator is not None
            found += [
                (result, origins[value])
                for result, value in zip(op.results, terminator.operands, strict=True)
                if _none_at(value, terminator, origins)
            ]
    elif op.definition in (FOR, WHILE):
        found += _loop_flows(op, origins)
    return found


def _loop_flows(op: Op, origins: dict[Value, str]) -> list[tuple[Value, str]]:
    """A loop's carried values, from its initial values and what it yields;
    each may also be a result (the loop may run no step)."""
    parts = loop_parts(op)
    body_end = parts.body.terminator
    assert body_end is not None
    found = []
    for index, carried in enumerate(parts.carried):
        for value, user in ((parts.inits[index], op), (parts.yields[index], body_end)):
            if _none_at(value, user, origins):
                found += [
                    (carried, origins[value]),
                    (parts.results[index], origins[value]),
                ]
                if parts.condition is not None:
                    found.append((parts.condition.arguments[index], origins[value]))
    return found


def _none_at(value: Value, user: Op, origins: dict[Value, str]) -> bool:
    """``value`` may be None where ``user`` uses it."""
    return value in origins and not _guarded(value, user)


def _passed(call: Op, callee: Function, index: int) -> str:
    name = callee.parameters[index].name
    line = f" on line {call.loc.line}" if call.loc is not None else ""
    return f"{callee.name} is called{line} with None for its parameter {name!r}"


def _is_none(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is CONST and op.attributes["value"] is None


def _returned(function: Function) -> Op:
    terminator = function.entry.terminator
    assert terminator is not None
    return terminator


def _uses_as_number(op: Op, value: Value, entry: bool) -> bool:
    """``op`` does with ``value`` what Python refuses for None (or, for the
    entry function's ``return``, what grad refuses)."""
    if is_call(op) or op.definition in (YIELD, CONDITION):
        return False  # passed on: followed by ``_may_be_none``
    if op.definition is RETURN:
        return entry and not _guarded(value, op)
    if op.definition is IF:
        return False  # `if k:` tests it
    if op.definition in (FOR, WHILE) and value is not loop_parts(op).iterable:
        return False  # an initial value of a carried one: followed
    namespace = op.attributes.get("namespace")
    if (op.definition.name, namespace) in _ACCEPT_NONE:
        return False
    return not _guarded(value, op)


def _guarded(value: Value, op: Op) -> bool:
    """``op`` runs only where ``value`` is truthy, so not None: inside
    ``if value:``, or in the ``else`` of ``if not value:``."""
    current = op
    while current.parent is not None and current.parent.parent is not None:
        region = current.parent.parent
        owner = region.parent
        if owner is None:  # the function's body
            return False
        if owner.definition is IF:
            branch = owner.regions.index(region)
            condition = owner.operands[0]
            negated = condition.defining_op
            if branch == 0 and condition is value:
                return True
            if (
                branch == 1
                and negated is not None
                and negated.name == "not"
                and negated.operands[0] is value
            ):
                return True
        current = owner
    return False
