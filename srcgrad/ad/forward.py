"""Forward mode: IR of ``f`` in, IR of its Jacobian-vector products out.

Each value ``v`` of ``f`` that depends on a ``wrt`` input gets, next to it,
its tangent ``v_dot`` in each of ``directions`` directions: the sum, over
its operands, of the partial derivative times the operand's tangent
(docs/design.md, "Forward mode"). The primitives' JVP rules build those
sums as IR, right after the op they differentiate, so the passes share
what a rule and ``f`` both compute (``cos(x)`` in ``sin(x)``'s tangent).

A tangent that is zero is not computed at all: it is ``None`` in the
sweep, and a rule given only ``None`` is not applied. Control flow keeps
its shape: an ``if`` yields the tangents of its values next to them, a loop
carries them next to the values it carries, and a loop over a tape (the
reverse sweep of a gradient reads its tapes so) walks the tape of tangents
alongside. Several directions (a Hessian's columns) are swept at once, so
``f``'s own values, and a gradient's adjoints, are computed once for all.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.forward_context import ForwardContext, Tangent
from srcgrad.ad.forward_control import forward_if, forward_loop
from srcgrad.ad.reverse import fail_where_f_fails
from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    NEW_LIST,
    PACK,
    UNDEF,
    UNPACK,
    WHILE,
    Block,
    Builder,
    Function,
    Op,
    Value,
    is_call,
    walk,
)
from srcgrad.ir.types import Array, ListOf, TypeRuleError
from srcgrad.passes.activity_checks import custom_rule_error, has_zero_derivative
from srcgrad.primitives import Primitive, RuleEmitter
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.lists import LIST_ZEROS, list_zeros


class ForwardSweep:
    """Copies ops of ``f`` into ``block``, each followed by its tangents.

    ``tangents`` are those known on entry (a region's sweep starts from
    its parent's: what the region reads from outside).
    """

    def __init__(
        self,
        block: Block,
        context: ForwardContext,
        tangents: dict[Value, Tangent] | None = None,
    ) -> None:
        self.block = block
        self.context = context
        self.primal = Builder(block)
        self.derivative = Builder(block, derivative=True)
        self.tangents: dict[Value, Tangent] = dict(tangents or {})

    def child(self, block: Block) -> ForwardSweep:
        return ForwardSweep(block, self.context, self.tangents)

    def sweep(self, ops: Sequence[Op]) -> None:
        for op in ops:
            self.step(op)

    def step(self, op: Op) -> None:
        """Copy ``op``, then compute its results' tangents."""
        if op.definition is IF:
            forward_if(self, op)
        elif op.definition in (FOR, WHILE):
            forward_loop(self, op)
        elif is_call(op):
            self._call(op)
        else:
            copy = self.copy(op)
            if op.definition is NEW_LIST and op.result in self.context.tapes:
                self._new_tapes(op, copy)
            elif op.definition is APPEND:
                self._append(op)
            elif op.definition in (PACK, UNPACK):
                self._tuple(op)
            elif not op.regions and op.results:
                self._differentiate(op)

    def copy(self, op: Op) -> Op:
        """Append a copy of ``op`` (which owns no region), kept where it
        raises as ``f`` does."""
        mapping = self.context.mapping
        results = [Value(r.name_hint, r.loc, type=r.type) for r in op.results]
        mapping.update(zip(op.results, results, strict=True))
        copy = Op(
            op.definition,
            [mapping[operand] for operand in op.operands],
            results,
            dict(op.attributes),
            [],
            op.loc,
            derivative=op.derivative,
        )
        self.block.append(copy)
        if len(op.results) == 1 and not op.definition.is_terminator:
            fail_where_f_fails(
                self.primal,
                op,
                mapping,
                self.context.active,
                self.context.reaching,
                self.context.function,
            )
        return copy

    def tangent(self, value: Value, direction: int) -> Value | None:
        found = self.tangents.get(value)
        return None if found is None else found[direction]

    def tangent_or_zero(self, value: Value, direction: int) -> Value:
        """``value``'s tangent, or a zero of its shape where it has none."""
        found = self.tangent(value, direction)
        if found is not None:
            return found
        return self.zero_like(value)

    def zero_like(self, value: Value) -> Value:
        """A zero tangent for ``value`` of ``f``: of its shape (an array's
        is an array, a list's a list of zeros), made at this point."""
        copy = self.context.mapping[value]
        op = value.defining_op
        if op is not None and op.definition is UNDEF:
            return self.derivative.create(UNDEF, []).result
        if isinstance(value.type, Array):
            attributes = {"namespace": "numpy"}
            return self.derivative.create(ZEROS_LIKE, [copy], attributes).result
        if isinstance(value.type, ListOf):
            emitter = RuleEmitter(self.derivative, LIST_ZEROS, "list")
            return list_zeros(emitter, copy)
        return self.derivative.const(0.0)

    # -- ops ---------------------------------------------------------------
    def _differentiate(self, op: Op) -> None:
        """Apply ``op``'s JVP rule, once per direction with a tangent."""
        if not any(result in self.context.active for result in op.results):
            return
        given = [self.tangents.get(operand) for operand in op.operands]
        if all(tangent is None for tangent in given) or has_zero_derivative(op):
            return
        primitive = _differentiable(op)
        mapping = self.context.mapping
        args = tuple(mapping[operand] for operand in op.operands)
        out = mapping[op.result]
        emitter = RuleEmitter(
            self.derivative, primitive, str(op.attributes["namespace"]), op.attributes
        )
        hint = self.context.hints.get(op.result)
        made: Tangent = []
        with self.derivative.at(op.loc):
            for direction in range(self.context.directions):
                tangents = tuple(
                    None if tangent is None else tangent[direction] for tangent in given
                )
                if all(tangent is None for tangent in tangents):
                    made.append(None)
                    continue
                if not primitive.broadcasts:  # a tangent may only broadcast
                    tangents = tuple(
                        None if t is None else emitter.materialize(t, arg)
                        for t, arg in zip(tangents, args, strict=True)
                    )
                try:
                    tangent = primitive.jvp(emitter, tangents, args, out)  # type: ignore[misc]
                except TypeRuleError as error:
                    raise DifferentiationError(str(error), op.loc) from None
                if tangent is not None and tangent.name_hint is None:
                    tangent.name_hint = hint
                made.append(tangent)
        if any(tangent is not None for tangent in made):
            self.tangents[op.result] = made

    def _new_tapes(self, op: Op, copy: Op) -> None:
        """A tape of tangents per direction, next to the tape ``op`` makes."""
        hint = f"{copy.result.name_hint or 'tape'}_dot"
        self.tangents[op.result] = [
            self.derivative.create(NEW_LIST, [], hint=hint).result
            for _ in range(self.context.directions)
        ]

    def _append(self, op: Op) -> None:
        """Push the tangent of what ``op`` pushes on a tape of tangents."""
        tape, value = op.operands
        tapes = self.tangents.get(tape)
        if tapes is None:
            return
        with self.derivative.at(op.loc):
            for direction, tangent_tape in enumerate(tapes):
                assert tangent_tape is not None
                pushed = self.tangent_or_zero(value, direction)
                self.derivative.create(APPEND, [tangent_tape, pushed], result_count=0)

    def _tuple(self, op: Op) -> None:
        """A tuple of tangents next to a tuple of values (a callee's saved
        values, in a gradient), and its items next to the values'. An item
        that is never differentiated (a count, a range: ``pairs.carried``)
        has None in the tuple of tangents, and no tangent unpacked."""
        given = [self.tangents.get(operand) for operand in op.operands]
        if all(tangent is None for tangent in given):
            return
        count = len(op.operands) if op.definition is PACK else len(op.results)
        found = op.attributes.get("carried")
        carried: tuple[bool, ...] = (
            found if isinstance(found, tuple) else (True,) * count
        )
        made: list[Tangent] = [[] for _ in op.results]
        with self.derivative.at(op.loc):
            for direction in range(self.context.directions):
                if op.definition is PACK:
                    items = [
                        (
                            self.tangent_or_zero(value, direction)
                            if carries
                            else self.derivative.const(None)
                        )
                        for value, carries in zip(op.operands, carried, strict=True)
                    ]
                    made[0].append(self.derivative.create(PACK, items).result)
                    continue
                tangent = given[0][direction] if given[0] is not None else None
                assert tangent is not None
                unpacked = self.derivative.create(
                    UNPACK, [tangent], result_count=len(op.results)
                )
                for index, item in enumerate(unpacked.results):
                    item.name_hint = self.context.hints.get(op.results[index])
                    made[index].append(item)
        for result, tangents, carries in zip(op.results, made, carried, strict=False):
            if carries or op.definition is PACK:
                self.tangents[result] = tangents

    def _call(self, op: Op) -> None:
        if self.context.calls is None:
            raise DifferentiationError(
                f"op {op.name!r} calls a function in a function without others",
                op.loc,
            )
        self.context.calls.call(self, op)


def _differentiable(op: Op) -> Primitive:
    """``op``'s primitive, if forward mode can apply its JVP rule.

    Raises:
        DifferentiationError: it is not a primitive, srcgrad only
            evaluates it, or it has no JVP rule.
    """
    definition = op.definition
    if op.attributes.get("namespace") == "custom" and op.name != "custom_call":
        raise custom_rule_error(op)
    if isinstance(definition, Primitive) and definition.opaque:
        raise DifferentiationError(
            f"no derivative rule for {op.attributes.get('display', definition.name)};"
            " it lies between wrt and the output, and srcgrad differentiates "
            "the math and NumPy functions it has rules for (listed in the "
            "reference)",
            op.loc,
        )
    if not isinstance(definition, Primitive) or definition.jvp is None:
        raise DifferentiationError(
            f"op {op.name!r} lies between wrt and the output but has no "
            "forward-mode rule (JVP)",
            op.loc,
        )
    return definition


def tapes_with_tangents(function: Function, active: frozenset[Value]) -> set[Value]:
    """The lists ``function`` pushes values with tangents on (its tapes)."""
    return {
        op.operands[0]
        for op in walk(function.entry)
        if op.definition is APPEND and op.operands[1] in active
    }
