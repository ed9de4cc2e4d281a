"""Which ops are written inline into the statement that uses them.

Constants, global reads and tuples of constants (a shape written out,
``(4, 3)``) are always written inline. Any other pure op
with one result is written inline when it is a temporary (no name hint, or
a term its one user continues) used exactly once, by an op of the *same
block*: a value is never carried into a region (inside a loop it would be
recomputed every iteration), nor out of one. An ``if`` that came from an
expression (``a if c else b``, ``a and b``) is itself such an op when both
its regions hold only ops written inline.

An inlined expression is evaluated where it is used, not where it was
defined, so it is never moved past an op that appends to a list (it may
read that list), and a loop's stop flag that reads the loop's carried values
keeps a statement of its own (the carried values are updated before the
flag is tested).

An expression is never nested deeper than ``settings.EXPRESSION_DEPTH``
ops: the op that would go deeper gets a statement of its own. Folding may
factor a long chain (``p * (t * (t_1 * ...))``) that Python cannot even
parse written as one expression (it allows 200 nested parentheses, and
its compiler recurses once per level).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import srcgrad.settings as settings
from srcgrad.ir import (
    APPEND,
    CONST,
    GLOBAL,
    IF,
    PACK,
    UNDEF,
    UNPACK,
    Block,
    Function,
    Op,
    Value,
    branch_yields,
    is_control_flow,
    loop_parts,
    uses,
)

#: The kinds of expression an ``if`` op may come from (its "expression").
EXPRESSIONS = frozenset({"ternary", "and", "or", "max", "min"})


class Inlining:
    """Decides, once per op, whether it is written inline.

    Args:
        function: the function being written.
        hints: each value's name hint.
        into_copies: ops also written inline into the copy that ends a loop
            body (``a, b = b, a + b``), though they have a name hint.
    """

    def __init__(
        self,
        function: Function,
        hints: Mapping[Value, str | None],
        into_copies: Collection[Op] = (),
    ) -> None:
        self.hints = hints
        self.users = uses(function.entry)
        self.into_copies = frozenset(into_copies)
        self._decided: dict[Op, bool] = {}
        self._depth: dict[Op, int] = {}
        self.max_depth = settings.EXPRESSION_DEPTH
        self._expressions: dict[Op, bool] = {}
        self._mutations: dict[Block, list[int]] = {}
        self._index: dict[Op, int] = {}

    def inlined(self, op: Op) -> bool:
        """Whether ``op`` is written inline where its result is used."""
        if op not in self._decided:
            # The ops it reads first, innermost first, without recursing
            # once per level of a deep expression.
            for inner in _inner_first(op, self._decided):
                self._decided[inner] = self._decide(inner) and self._shallow(inner)
        return self._decided[op]

    def _shallow(self, op: Op) -> bool:
        """Whether ``op``'s expression, with what is inlined into it, is at
        most ``settings.EXPRESSION_DEPTH`` deep (its depth is noted for its
        user)."""
        depth = 1 + max(
            (self._depth.get(inner, 0) for inner in _read_ops(op)), default=0
        )
        if depth > self.max_depth:
            return False
        self._depth[op] = depth
        return True

    def used(self, value: Value) -> bool:
        """Whether any op reads ``value``."""
        return bool(self.users.get(value))

    def expression_if(self, op: Op) -> bool:
        """``op`` is an ``if`` from an expression that can be written as one."""
        if op not in self._expressions:
            self._expressions[op] = self._writable_as_expression(op)
        return self._expressions[op]

    def effective_users(self, value: Value) -> list[Op]:
        """The ops that read ``value``, one per read.

        The condition of ``a and b`` (``a or b``) is read by the ``if`` and
        yielded by one branch, but written once: that yield does not count.
        """
        found = list(self.users.get(value, ()))
        for user in dict.fromkeys(found):
            repeated = _repeated_condition(user)
            if (
                repeated is not None
                and user.operands[0] is value
                and repeated.operands[:1] == [value]
                and self.expression_if(user)
            ):
                found.remove(repeated)
        return found

    def _decide(self, op: Op) -> bool:
        definition = op.definition
        if definition in (CONST, GLOBAL) or _literal_tuple(op):
            return True
        if definition in (UNDEF, UNPACK) or len(op.results) != 1:
            return False  # `(a,) = saved` unpacks: it is never `saved` inline
        if getattr(definition, "statements", None) is not None:
            return False  # written as statements that bind its result
        if definition is IF:
            if not self.expression_if(op):
                return False
        elif not definition.pure or op.regions:
            return False
        users = self.effective_users(op.result)
        if len(users) != 1 or users[0].parent is not op.parent:
            return False
        user = users[0]
        if self._mutated_between(op, user) or self._stop_reading_carried(op, user):
            return False
        hint = self.hints.get(op.result)
        if hint is None or op in self.into_copies:
            return True
        return self._partial_sum(op, hint, user)

    def _writable_as_expression(self, op: Op) -> bool:
        if op.definition is not IF or len(op.results) != 1:
            return False
        if op.attributes.get("expression") not in EXPRESSIONS:
            return False
        for region in op.regions:
            block = region.block
            for inner in block.ops[:-1]:
                if not self.inlined(inner):
                    return False
        then, otherwise = branch_yields(op)
        return not any(_is_undef(value) for value in then + otherwise)

    def _partial_sum(self, op: Op, hint: str, user: Op) -> bool:
        """Whether ``op`` is a term of an adjoint that its one user continues.

        Adjoint contributions from one source line are written as one sum
        (``x_bar = a * y + b``), not as ``x_bar = a * y`` then ``x_bar =
        x_bar + b``; contributions from other lines stay statements of
        their own, under their own line's comment.
        """
        if is_control_flow(user) or user.definition.is_terminator:
            return False
        return (
            op.derivative
            and user.derivative
            and len(user.results) == 1
            and self.hints.get(user.result) == hint
            and _line(op) == _line(user)
        )

    def _mutated_between(self, op: Op, user: Op) -> bool:
        """An op strictly between ``op`` and ``user`` changes a list or an
        array (``_appends``)."""
        block = op.parent
        assert block is not None
        if block not in self._mutations:
            counts = [0]
            for position, inner in enumerate(block.ops):
                self._index[inner] = position
                counts.append(counts[-1] + _appends(inner))
            self._mutations[block] = counts
        counts = self._mutations[block]
        start, end = self._index[op], self._index[user]
        return counts[end] - counts[start + 1] > 0

    def _stop_reading_carried(self, op: Op, user: Op) -> bool:
        """``op`` is a loop's stop flag and reads the loop's carried values."""
        block = user.parent
        if block is None or block.terminator is not user or block.parent is None:
            return False
        loop = block.parent.parent
        if loop is None or loop.definition is IF or not is_control_flow(loop):
            return False
        parts = loop_parts(loop)
        if parts.body is not block or parts.stop is not op.result:
            return False
        return self._reads_any(op, set(parts.carried))

    def _reads_any(self, op: Op, values: set[Value]) -> bool:
        for operand in op.operands:
            if operand in values:
                return True
            inner = operand.defining_op
            if (
                inner is not None
                and self.inlined(inner)
                and self._reads_any(inner, values)
            ):
                return True
        return False


def _read_ops(op: Op) -> Iterator[Op]:
    """The ops an expression written for ``op`` may hold: those making its
    operands and, for an ``if`` written as an expression, those in its
    branches."""
    for operand in op.operands:
        inner = operand.defining_op
        if inner is not None:
            yield inner
    for region in op.regions:
        for block in region.blocks:
            yield from block.ops


def _inner_first(op: Op, decided: Collection[Op]) -> list[Op]:
    """``op`` and the ops its expression may hold, not yet decided, each
    after those it reads."""
    order: list[Op] = []
    seen = {op}
    stack = [(op, _read_ops(op))]
    while stack:
        current, reads = stack[-1]
        for inner in reads:
            if inner not in seen and inner not in decided:
                seen.add(inner)
                stack.append((inner, _read_ops(inner)))
                break
        else:
            stack.pop()
            order.append(current)
    return order


def _repeated_condition(op: Op) -> Op | None:
    """The yield of ``a and b`` (``a or b``) that hands back the condition."""
    kind = op.attributes.get("expression")
    if op.definition is not IF or kind not in ("and", "or"):
        return None
    branch = op.regions[1 if kind == "and" else 0].block
    return branch.terminator


def _appends(op: Op) -> int:
    """1 if ``op`` changes a list or an array (appends to a tape, writes an
    item), itself or inside its regions: no read moves past it."""
    if op.definition is APPEND or getattr(op.definition, "statements", None):
        return 1
    for region in op.regions:
        for block in region.blocks:
            if any(_appends(inner) for inner in block.ops):
                return 1
    return 0


def _is_undef(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is UNDEF


def _line(op: Op) -> int | None:
    return None if op.loc is None else op.loc.line


def _literal_tuple(op: Op) -> bool:
    """``op`` makes a tuple of constants, such as the shape ``(4, 3)``."""
    return op.definition is PACK and all(
        operand.defining_op is not None and operand.defining_op.definition is CONST
        for operand in op.operands
    )
