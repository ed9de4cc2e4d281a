"""The pipeline's rounds on a straight-line function, redone where they can
change something.

``optimize`` runs CSE, folding and DCE over the whole function until a
round changes nothing. Folding asks how often a value is used, counted
when it starts, so what one round rewrites another may take further: a
sum of a thousand products of one factor takes a thousand rounds to
factor out (``y * a + y * b`` becomes ``y * (a + b)``, and only the next
round sees that product used once). Each round then redid every op: the
time grew with the square of the function's length.

Here a round does what a full round does, in the same order, with the same
counts, but looks only at the ops where something it reads has changed:

* CSE merges nothing unless two ops have the same key; the keys are kept
  up to date, and a full CSE runs only where two coincide.
* Folding an op reads its operands, the ops that make them (and through
  products, quotients and negations, the ops that make theirs) and how
  often those are used. An op folded once to no effect is folded again
  only when one of those changed (``_Rounds._cone``): its result is the
  same otherwise.
* DCE drops an op when nothing uses it any more, as counted.

Functions with branches or loops take the full rounds (``optimize``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable, Iterator, Mapping

import srcgrad.settings as settings
from srcgrad.ir import Block, Builder, Function, Op, Value
from srcgrad.passes.algebra import Rewriter
from srcgrad.passes.cse import operation_key
from srcgrad.passes.fold import simplify
from srcgrad.primitives import PRIMITIVES

#: Ops a rule looks through to the ops that make their operands.
_THROUGH = (PRIMITIVES["mul"], PRIMITIVES["div"], PRIMITIVES["neg"])
#: Ops whose results a rule asks how often they are used.
_COUNTED = (PRIMITIVES["mul"], PRIMITIVES["div"])

#: Where an op is: the order of ops in the block (an op made by folding
#: another takes that one's place: its key, then its rank among them).
Place = tuple[int, ...]


def is_straight(function: Function) -> bool:
    """One block, and no op with regions of its own."""
    return not any(op.regions for op in function.entry.ops)


def optimize_straight(
    function: Function,
    after_each: Callable[[Function], object] | None = None,
) -> None:
    """``optimize`` for a function ``is_straight``: the same rounds, to the
    same fixed point, or until they have folded ``settings.FOLD_BUDGET``
    times as many ops as the function has."""
    budget = settings.FOLD_BUDGET * len(function.entry.ops)
    state = _Rounds(function)  # and the first round's CSE
    changed = state.merged
    state.report(after_each)
    while True:
        changed |= state.fold()
        budget -= state.folds
        state.report(after_each)
        changed |= state.dce()
        state.report(after_each)
        if not changed or budget <= 0:
            break
        changed = state.cse()
        state.report(after_each)
    state.write()


class _Counts(Mapping[Value, int]):
    """How often each value is used, as it was when the fold running began:
    the live count, less what changed since."""

    def __init__(self, live: dict[Value, int], since: dict[Value, int]) -> None:
        self.live = live
        self.since = since

    def __getitem__(self, value: Value) -> int:
        return self.get(value)

    def get(self, value: Value, default: object = 0) -> int:
        return self.live.get(value, 0) - self.since.get(value, 0)

    def __iter__(self) -> Iterator[Value]:
        return iter(self.live)

    def __len__(self) -> int:
        return len(self.live)


class _Order(Mapping[Value, tuple[object, ...]]):
    """Values ranked by where they are defined (CSE sorts the operands of
    a commutative op so): the block's arguments, then each op's results."""

    def __init__(self, block: Block, place: dict[Op, Place]) -> None:
        self.arguments = {value: index for index, value in enumerate(block.arguments)}
        self.place = place

    def __getitem__(self, value: Value) -> tuple[object, ...]:
        maker = value.owner
        if isinstance(maker, Op):
            return (1, self.place[maker], maker.results.index(value))
        return (0, self.arguments[value])

    def __iter__(self) -> Iterator[Value]:
        return iter(self.arguments)

    def __len__(self) -> int:
        return len(self.arguments)


class _Rounds:
    """The block's ops by place, with their uses, keys and what changed.

    A place orders the ops as the block does, and ends in 0: an op made by
    folding the op at ``p`` takes ``p + (rank, 0)``, and one left before it
    ``p[:-1] + (-1, serial, rank, 0)``, as ``fold`` appends them there.
    """

    def __init__(self, function: Function) -> None:
        self.function = function
        self.block = function.entry
        self.place: dict[Op, Place] = {}
        self.order = _Order(self.block, self.place)
        self.uses: dict[Value, int] = {}
        #: Who uses each value; made when first asked (the first round,
        #: which folds every op, needs none).
        self.users: dict[Value, set[Op]] | None = None
        self.keys: dict[Op, Hashable] = {}
        self.key_count: dict[Hashable, int] = {}
        self.kinds: dict[int, tuple[bool, bool]] = {}
        #: Keys held by more than one op (CSE would merge them).
        self.shared = 0
        #: Ops to fold next (or all of them), values whose use count or
        #: making op changed since (their readers fold again), and ops that
        #: may be unused (or all of them).
        self.pending: set[Op] = set()
        self.everything = True
        self.changed: set[Value] = set()
        self.unused: set[Op] = set()
        self.sweep_all = True
        #: Use counts changed during the fold running (see ``_Counts``).
        self.since: dict[Value, int] = {}
        self.serial = 0
        #: How many ops the last ``fold`` folded.
        self.folds = 0
        self.merged = self._number()

    def _number(self) -> bool:
        """Take the block's ops in order, merged as ``cse`` merges them: an
        op with the key of an earlier one is dropped, and its results are
        the earlier one's. True if any was."""
        replacements: dict[Value, Value] = {}
        uses, keys, key_count = self.uses, self.keys, self.key_count
        table: dict[Hashable, Op] = {}
        for index, op in enumerate(self.block.ops):
            if replacements:
                op.operands = [replacements.get(value, value) for value in op.operands]
            key = operation_key(op, self.order, self.kinds)
            kept = table.get(key) if key is not None else None
            if kept is not None:
                for existing, result in zip(kept.results, op.results, strict=True):
                    if existing.name_hint is None:
                        existing.name_hint = result.name_hint
                    replacements[result] = existing
                # The merged value is a value of f if either op computed one.
                kept.derivative = kept.derivative and op.derivative
                continue
            self.place[op] = (index, 0)
            for operand in op.operands:  # ``_enter``, but for what starts empty
                uses[operand] = uses.get(operand, 0) + 1
            if key is not None:
                table[key] = op
                keys[op] = key
                key_count[key] = 1
        return bool(replacements)

    # -- the passes ---------------------------------------------------------
    def cse(self) -> bool:
        """CSE, which merges nothing unless two ops have one key."""
        if not self.shared:
            return False
        self.write()
        self.__init__(self.function)  # type: ignore[misc]
        return self.merged

    def fold(self) -> bool:
        """Folding, of the ops that may fold differently than last time."""
        everything = self.everything
        if everything:  # in order, as each op's users are too
            queue = [(place, 0, op) for op, place in self.place.items()]
            queue.sort(reverse=True)
        else:
            for value in self.changed:
                self.pending |= self._cone(value)
            queue = [(self.place[op], 0, op) for op in self.pending if op in self.place]
            heapq.heapify(queue)
        self.everything = False
        self.pending = set()
        self.changed = set()
        self.since = {}
        counts = _Counts(self.uses, self.since)
        serials = itertools.count(1)
        replacements: dict[Value, Value] = {}
        folded: set[Op] = set()
        made = Block()  # where a rule builds what it rewrites an op to
        builder = Builder(made)
        rewriter = Rewriter(builder, counts)
        changed = False
        while queue:
            place, _, op = queue.pop() if everything else heapq.heappop(queue)
            if op not in self.place or op in folded:
                continue
            folded.add(op)
            if replacements:
                operands = [replacements.get(value, value) for value in op.operands]
                if operands != op.operands:  # Values compare by identity
                    self._replace_operands(op, operands)
            made.ops = []
            builder.derivative, builder.loc = op.derivative, op.loc
            simpler = simplify(rewriter, op)
            if simpler is None:
                if made.ops:  # left behind, as fold leaves them: DCE drops them
                    self._insert(made.ops, (*place[:-1], -1, self._serial()))
                continue
            if simpler.name_hint is None and simpler.defining_op in made.ops:
                simpler.name_hint = op.result.name_hint
            self._insert(made.ops, place)
            replacements[op.result] = simpler
            if not everything:
                for user in self._users().get(op.result, ()):
                    heapq.heappush(queue, (self.place[user], next(serials), user))
            self._leave(op)
            changed = True
        self.since = {}
        self.folds = len(folded)
        return changed

    def dce(self) -> bool:
        """DCE: drop the pure ops nothing uses, and what only they used."""
        candidates = self.place if self.sweep_all else self.unused
        dead = [op for op in candidates if op in self.place and self._idle(op)]
        self.sweep_all = False
        changed = bool(dead)
        while dead:
            op = dead.pop()
            if op not in self.place:
                continue
            self._leave(op)
            for operand in op.operands:
                maker = operand.defining_op
                if maker is not None and maker in self.place and self._idle(maker):
                    dead.append(maker)
        self.unused = set()
        return changed

    def write(self) -> None:
        """Put the ops in the block, in order."""
        self.block.ops = sorted(self.place, key=self.place.__getitem__)

    def report(self, after_each: Callable[[Function], object] | None) -> None:
        if after_each is not None:
            self.write()
            after_each(self.function)

    # -- bookkeeping --------------------------------------------------------
    def _serial(self) -> int:
        self.serial += 1
        return self.serial

    def _idle(self, op: Op) -> bool:
        """Pure, not the terminator, and none of its results used."""
        definition = op.definition
        return (
            definition.pure
            and not definition.is_terminator
            and not any(self.uses.get(result, 0) for result in op.results)
        )

    def _users(self) -> dict[Value, set[Op]]:
        if self.users is None:
            self.users = {}
            for op in self.place:
                for operand in op.operands:
                    self.users.setdefault(operand, set()).add(op)
        return self.users

    def _insert(self, ops: list[Op], prefix: Place) -> None:
        """Put ops folding made at places starting with ``prefix``."""
        for rank, op in enumerate(ops):
            op.parent = self.block
            self._enter(op, (*prefix, rank, 0))

    def _enter(self, op: Op, place: Place) -> None:
        self.place[op] = place
        for operand in op.operands:
            self._count(operand, 1)
            if self.users is not None:
                self.users.setdefault(operand, set()).add(op)
        self._key(op)
        self.pending.add(op)
        self.unused.add(op)

    def _leave(self, op: Op) -> None:
        del self.place[op]
        for operand in op.operands:
            self._count(operand, -1)
            if self.users is not None:
                self.users[operand].discard(op)
        self._unkey(op)

    def _replace_operands(self, op: Op, operands: list[Value]) -> None:
        old, op.operands = op.operands, operands
        for operand in old:
            self._count(operand, -1)
            if self.users is not None and operand not in operands:
                self.users[operand].discard(op)
        for operand in operands:
            self._count(operand, 1)
            if self.users is not None:
                self.users.setdefault(operand, set()).add(op)
        self._unkey(op)
        self._key(op)
        self.changed.update(op.results)

    def _count(self, value: Value, change: int) -> None:
        count = self.uses[value] = self.uses.get(value, 0) + change
        self.since[value] = self.since.get(value, 0) + change
        maker = value.defining_op
        if maker is None:
            return
        if maker.definition in _COUNTED:
            self.changed.add(value)
        if count == 0:
            self.unused.add(maker)

    def _key(self, op: Op) -> None:
        key = operation_key(op, self.order, self.kinds)
        if key is not None:
            self.keys[op] = key
            count = self.key_count[key] = self.key_count.get(key, 0) + 1
            self.shared += count == 2

    def _unkey(self, op: Op) -> None:
        key = self.keys.pop(op, None)
        if key is not None:
            count = self.key_count[key] = self.key_count[key] - 1
            self.shared -= count == 1

    def _cone(self, value: Value) -> set[Op]:
        """The ops whose folding reads ``value``: its users, the users of
        what they make, and so on through products, quotients and
        negations (which ``simplify``'s rules look through)."""
        users = self._users()
        through = {value}
        pending = [value]
        while pending:
            for user in users.get(pending.pop(), ()):
                if user.definition in _THROUGH:
                    for result in user.results:
                        if result not in through:
                            through.add(result)
                            pending.append(result)
        reads = set(through)
        for read in through:
            for user in users.get(read, ()):
                reads.update(user.results)
        return {user for read in reads for user in users.get(read, ())}
