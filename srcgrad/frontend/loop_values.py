"""The values a loop op carries: what its body starts from and yields.

Besides the names bound before the loop that its body reassigns, a loop
carries out what the code after it reads from a path through the body:
names every path assigns in a loop that surely runs (``carry_late``),
what a ``return`` inside it leaves (``flags_out``) and what names held
where a ``break`` stopped it (``carry_broken``). These start from
``undef``: the code after the loop reads them only where they were set.
"""

from __future__ import annotations

import ast

from srcgrad.frontend.analysis import LiveNames
from srcgrad.frontend.environment import (
    BREAK,
    FLAGS,
    HINTS,
    RETURN,
    RETVAL,
    Bound,
    Env,
    Lowered,
    MaybeUndefined,
    at_break,
    is_special,
    leaves,
    lowered,
    rebuild,
)
from srcgrad.frontend.state import LoweringState
from srcgrad.ir import Block, Value


class LoopValues:
    """The values a loop op carries, and the blocks of its regions."""

    def __init__(
        self,
        lowering: LoweringState,
        before: Env,
        carried: list[str],
        assigned: frozenset[str] | set[str],
        inside: MaybeUndefined,
    ) -> None:
        self.lowering = lowering
        self.before = before
        self.carried = carried
        self.assigned = {name for name in assigned if not is_special(name)}
        self.inside = inside
        self.inits = [
            leaf for name in carried for leaf in leaves(lowered(before[name]))
        ]
        self.hints = [name for name in carried for _ in leaves(lowered(before[name]))]
        #: What a ``return`` in the loop adds to the carried values.
        self.extra_yields: list[Value] = []
        self.extra_hints: list[str] = []
        #: Names carried out of a loop that surely runs once, by ``carry_late``.
        self.late: list[tuple[str, Lowered]] = []
        #: What names hold where the loop broke, by ``carry_broken``.
        self.broken: list[tuple[str, Lowered | MaybeUndefined]] = []

    def block(self, targets: list[ast.Name] | None = None) -> Block:
        """A region's block: targets, then carried values, bound in a fresh env."""
        lowering = self.lowering
        target_values = [
            Value(target.id, lowering.location(target)) for target in targets or []
        ]
        arguments = [Value(hint, lowering.builder.loc) for hint in self.hints]
        block = Block(target_values + arguments)
        env = dict(self.before)
        for name in sorted(self.assigned):
            env[name] = self.inside
        values = iter(arguments)
        for name in self.carried:
            env[name] = rebuild(lowered(self.before[name]), values)
        for target, value in zip(targets or [], target_values, strict=True):
            env[target.id] = value
            lowering.assigned_at[target.id] = lowering.line(target)
        env.update(dict.fromkeys(FLAGS, False))
        env.pop(RETVAL, None)
        lowering.env = env
        return block

    def carry_late(self, end: Env, live: LiveNames, blocks: list[Block]) -> None:
        """In a loop that surely runs once, carry out the names first
        assigned in its body that every path through the body assigns."""
        for name, bound in end.items():
            if (
                name in self.assigned
                and name not in self.carried
                and name in live
                and isinstance(bound, (Value, tuple))
            ):
                self.late.append((name, bound))
                inits = [self.lowering.undef(name) for _ in leaves(bound)]
                self._carry_out(inits, leaves(bound), name, blocks)

    def flags_out(self, end: Env, blocks: list[Block], node: ast.stmt) -> str:
        """Carry out of the loop what a ``return`` in it leaves.

        Returns "no" if the loop cannot return, "broke" if only a return
        can stop it (so it returned if it broke), and "carried" if a break
        can stop it too, so whether it returned is carried out as well.
        The value returned is always carried out, after that flag.
        """
        returned = end[RETURN]
        if returned is False:
            return "no"
        retval = end.get(RETVAL)
        lowering = self.lowering
        if isinstance(retval, MaybeUndefined):
            lowering.fail(node, retval.reason)
        assert isinstance(retval, (Value, tuple)), retval
        outcome = "broke"
        if not (returned is end[BREAK] or returned is True and end[BREAK] is True):
            outcome = "carried"
            flag = self.materialise(returned, blocks[-1])
            self._carry_out(
                [lowering.builder.const(False)], [flag], HINTS[RETURN], blocks
            )
        inits = [lowering.undef(HINTS[RETVAL]) for _ in leaves(retval)]
        self._carry_out(inits, leaves(retval), HINTS[RETVAL], blocks)
        return outcome

    def carry_broken(
        self, end: Env, depth: int, live: LiveNames, blocks: list[Block]
    ) -> None:
        """Carry out what each name first assigned in the body held where
        the loop broke, for the code that runs after a ``break``."""
        late = {name for name, _ in self.late}
        carried = late | set(self.carried)
        for name in sorted(n for n in self.assigned if n in live and n not in carried):
            key = at_break(depth, name)
            bound = end.get(key)
            if isinstance(bound, MaybeUndefined):
                self.broken.append((key, bound))
            elif isinstance(bound, (Value, tuple)):
                self.broken.append((key, bound))
                inits = [self.lowering.undef(name) for _ in leaves(bound)]
                self._carry_out(inits, leaves(bound), name, blocks)

    def _carry_out(
        self, inits: list[Value], yields: list[Value], hint: str, blocks: list[Block]
    ) -> None:
        """Carry values the body's block arguments do not start from."""
        self.inits += inits
        self.extra_yields += yields
        self.extra_hints += [hint] * len(yields)
        for block in blocks:
            block.arguments += [
                Value(hint, self.lowering.builder.loc, block) for _ in yields
            ]

    def materialise(self, flag: Bound, body: Block) -> Value:
        """A flag as a value at the end of ``body``."""
        if isinstance(flag, Value):
            return flag
        assert isinstance(flag, bool), flag
        with self.lowering.in_block(body):
            return self.lowering.builder.const(flag)
