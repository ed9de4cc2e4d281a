"""The reverse sweep: ops backwards, one adjoint per active value.

``ReverseSweep`` walks a block's ops in reverse and applies each active
op's VJP rule to its result's adjoint, accumulating
``S(i) = sum_j S(j) * dy_j/dy_i`` into one adjoint per value, exactly once
per edge (docs/design.md, "Reverse mode: the path sum, factored"). An
``if`` or a loop is handed to ``srcgrad.ad.control``, which builds the
mirrored control flow and sweeps the op's regions with a child sweep; a
call to ``srcgrad.ad.calls``, which calls the callee's backward sweep.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.calls import reverse_call
from srcgrad.ad.context import SweepContext
from srcgrad.ad.control import reverse_if, reverse_loop
from srcgrad.errors import DifferentiationError
from srcgrad.ir import FOR, IF, WHILE, Builder, Op, Value, branch_yields, is_call
from srcgrad.ir.types import ListOf, TypeRuleError, is_array, same_shape
from srcgrad.passes import check_differentiable
from srcgrad.passes.aliases import made_inside
from srcgrad.primitives import PRIMITIVES, Primitive, RuleEmitter
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.emitter import summed_axes
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.list_sums import LIST_ADD
from srcgrad.primitives.lists import LIST_ITEM_ADD, LIST_ZEROS, list_zeros


class ReverseSweep:
    """The adjoints of one region's values, and where their ops go.

    Args:
        builder: where the reverse sweep's ops are appended.
        context: what the whole gradient shares.
        loop_depth: how many loops the region is inside; a value saved
            inside a loop is pushed on a tape, so it must be defined on
            every path.
        adjoints: the adjoints known on entry (a child sweep starts from
            its parent's).
    """

    def __init__(
        self,
        builder: Builder,
        context: SweepContext,
        loop_depth: int = 0,
        adjoints: dict[Value, Value] | None = None,
    ) -> None:
        self.builder = builder
        self.context = context
        self.loop_depth = loop_depth
        self.adjoints: dict[Value, Value] = dict(adjoints or {})

    @property
    def active(self) -> frozenset[Value]:
        return self.context.active

    def child(self, builder: Builder, *, in_loop: bool = False) -> ReverseSweep:
        """A sweep of a region of an op this sweep is at."""
        depth = self.loop_depth + (1 if in_loop else 0)
        return ReverseSweep(builder, self.context, depth, self.adjoints)

    def sweep(self, ops: Sequence[Op]) -> None:
        """Propagate adjoints through ``ops``, last to first."""
        for op in reversed(ops):
            self.propagate(op)

    def propagate(self, op: Op) -> None:
        """Apply ``op``'s VJP to its results' adjoints, if they have any.

        Raises:
            DifferentiationError: ``op`` has an adjoint but no rule to apply
                (activity analysis refuses such ops first; this is the
                backstop that keeps a missing rule from becoming a zero).
        """
        if not any(result in self.adjoints for result in op.results):
            return
        primitive = op.definition
        if op.definition is not IF and (
            not isinstance(primitive, Primitive) or not primitive.broadcasts
        ):
            self._materialize(op)
        if op.definition is IF:
            reverse_if(self, op)
            return
        if op.definition in (FOR, WHILE):
            reverse_loop(self, op)
            return
        if is_call(op):
            reverse_call(self, op)
            return
        primitive = check_differentiable(op)
        assert primitive.vjp is not None
        namespace = str(op.attributes["namespace"])
        emitter = RuleEmitter(self.builder, primitive, namespace, op.attributes)
        mapping = self.context.mapping
        args = tuple(mapping[operand] for operand in op.operands)
        result = mapping[op.result]
        elementwise = primitive.broadcasts
        with self.builder.at(op.loc):
            try:
                cotangents = primitive.vjp(
                    emitter, self.adjoints[op.result], args, result
                )
            except TypeRuleError as error:
                raise DifferentiationError(str(error), op.loc) from None
            for operand, arg, cotangent in zip(
                op.operands, args, cotangents, strict=True
            ):
                if cotangent is not None and operand in self.active:
                    if elementwise and not isinstance(arg.type, ListOf):
                        # broadcasting stretched it: sum it back
                        cotangent = self._summed_back(emitter, cotangent, arg, result)
                    self.accumulate(operand, cotangent)

    def _summed_back(
        self, emitter: RuleEmitter, cotangent: Value, operand: Value, result: Value
    ) -> Value:
        """An elementwise op's ``cotangent`` for ``operand``, summed over the
        axes along which broadcasting stretched the operand to ``result``'s
        shape. A cotangent that only broadcasts to that shape (a sum's
        adjoint) is stretched first: summing it then counts every item."""
        axes = summed_axes(result.type, operand.type)
        if axes == ((), ()):
            return cotangent  # the operand has the result's shape
        if cotangent.type is None or not same_shape(cotangent.type, result.type):
            cotangent = emitter.materialize(cotangent, result)
        return emitter.unbroadcast(cotangent, operand, shaped_as=result.type)

    def _materialize(self, op: Op) -> None:
        """Stretch the adjoints of ``op``'s results to their values' shapes:
        an adjoint may only broadcast to its value's shape (a reduction's
        is), which elementwise ops take but no other op does."""
        with self.builder.at(op.loc):
            for result in op.results:
                adjoint = self.adjoints.get(result)
                if adjoint is not None:
                    self.adjoints[result] = self.stretched(adjoint, result)

    def stretched(self, adjoint: Value, value: Value) -> Value:
        """``adjoint``, which may only broadcast to ``value``'s shape,
        stretched to it here."""
        emitter = RuleEmitter(self.builder, PRIMITIVES["add"], "numpy")
        return emitter.materialize(adjoint, self.context.mapping[value])

    def accumulate(self, value: Value, cotangent: Value) -> None:
        """Add ``cotangent`` into the adjoint of ``value``: one term of S(i)."""
        hint = self.context.hints.get(value)
        existing = self.adjoints.get(value)
        if existing is None:
            if cotangent.name_hint is None:
                cotangent.name_hint = hint
            self.adjoints[value] = cotangent
            return
        if isinstance(value.type, ListOf):
            self.adjoints[value] = _added_lists(self.builder, existing, cotangent, hint)
            return
        operands = [existing, cotangent]
        add = self.builder.create(
            PRIMITIVES["add"], operands, {"namespace": "operator"}, hint=hint
        )
        self.adjoints[value] = add.result

    def full_adjoint(self, value: Value) -> Value:
        """The adjoint of ``value`` as a branch or a loop hands it on: of
        ``value``'s own shape (zeros where nothing reached it, a number
        that only broadcasts stretched), as the value it becomes is typed."""
        adjoint = self.adjoint_or_zero(value, shaped=True)
        if not is_array(value.type):
            return adjoint
        return self.stretched(adjoint, value)

    def adjoint_or_zero(self, value: Value, *, shaped: bool = False) -> Value:
        """The adjoint of ``value``, or a zero if nothing reached it yet:
        with ``shaped``, an array's zero is an array of its shape (where
        ``value`` is computed before this point), which a loop then adds
        to item by item, in place."""
        found = self.adjoints.get(value)
        if found is not None:
            return found
        hint = self.context.hints.get(value)
        if isinstance(value.type, ListOf):  # a list's adjoint is always a list
            emitter = RuleEmitter(self.builder, LIST_ZEROS, "list")
            made = list_zeros(emitter, self.context.mapping[value])
            made.name_hint = hint
            return made
        if shaped and is_array(value.type):
            zeros = self.builder.create(
                ZEROS_LIKE,
                [self.context.mapping[_defined_twin(value)]],
                {"namespace": "numpy"},
                hint=hint,
            )
            return zeros.result
        return self.builder.const(0.0, hint=hint)


def _added_lists(
    builder: Builder, existing: Value, cotangent: Value, hint: str | None
) -> Value:
    """Two adjoints of one list, added item by item. The adjoint of an item
    read (zeros with ``g`` at ``i``) is added at ``i`` alone: ``acc[i] =
    acc[i] + g``, so a loop that reads items costs one addition per item."""
    for scattered, other in ((cotangent, existing), (existing, cotangent)):
        if _one_item(scattered):
            op = scattered.defining_op
            assert op is not None
            _, g, index = op.operands
            operands = [other, g, index]
            return builder.create(
                LIST_ITEM_ADD, operands, {"namespace": "list"}, hint=hint
            ).result
    operands = [existing, cotangent]
    return builder.create(LIST_ADD, operands, {"namespace": "list"}, hint=hint).result


def _one_item(adjoint: Value) -> bool:
    """``adjoint`` is zeros with one item added: an item read's."""
    op = adjoint.defining_op
    if op is None or op.definition is not LIST_ITEM_ADD:
        return False
    base = op.operands[0].defining_op
    return base is not None and base.definition is LIST_ZEROS


def _defined_twin(value: Value) -> Value:
    """A value of ``value``'s shape that every path defines: a branch's
    value may be undefined where the code returned early (its adjoint is
    then zero, but made of a value Python has bound), and a write's value
    has its array's shape."""
    op = value.defining_op
    if op is None or op.definition is not IF:
        return value
    position = op.results.index(value)
    for branch in branch_yields(op):
        found = _outside(branch[position], op)
        if found is not None:
            return found
    return value


def _outside(value: Value, branch_op: Op) -> Value | None:
    """``value``, or the array a chain of writes into it starts from, if
    that is defined outside ``branch_op``'s regions."""
    seen = 0
    while seen < 64:
        op = value.defining_op
        if not made_inside(value, branch_op):
            return value
        if op is None:
            return None
        if op.definition in (SETITEM, INDEX_ADD):
            value = op.operands[0]
        elif op.definition is IF:
            twin = _defined_twin(value)
            if twin is value:
                return None
            value = twin
        else:
            return None
        seen += 1
    return None
