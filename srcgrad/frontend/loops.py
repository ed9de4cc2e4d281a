"""Lowering ``for`` and ``while`` loops to ``for``/``while`` ops, or unrolled.

A loop carries the names its body assigns that were bound before it and
are read again (in the loop or after it): each is a block argument of the
body, initialised with its value before the loop and yielded at the end of
an iteration. A name first assigned in the body is not carried: after the
loop (or in the body before its assignment) it may be undefined, unless
the loop surely runs (``while True:``, ``range`` of constants) and every
path through the body assigns it: then it is carried out too, from
``undef``.

A loop whose body may ``break`` or ``return`` has ``exit``: its stop flag is
``$break`` at the end of the body. A ``return`` inside also carries the
value returned out (and whether the loop returned, where a ``break`` could
stop it too). ``for v in (x, y, 2.0):`` is unrolled: its items may depend
on the inputs differentiated, so each gets its own copy of the body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from srcgrad.frontend.analysis import stores
from srcgrad.frontend.environment import (
    BREAK,
    FLAGS,
    HINTS,
    RETURN,
    RETVAL,
    SKIP,
    Bound,
    Env,
    Flag,
    Lowered,
    MaybeUndefined,
    is_lowered,
    is_special,
    leaves,
    lowered,
    rebuild,
    same_shape,
)
from srcgrad.frontend.iterables import IterableLowering, surely_iterates
from srcgrad.ir import CONDITION, FOR, WHILE, Block, Pattern, Value


class LoopLowering(IterableLowering):
    """Lowers ``for`` and ``while`` statements."""

    def _for(self, node: ast.For, rest: list[ast.stmt] | None = None) -> None:
        """``rest``: the statements after a loop whose ``else`` always leaves."""
        items = self._static_items(node.iter)
        if items is not None:
            self._unroll(node, items, rest)
            return
        iterable = self._iterable(node.iter)
        targets: list[ast.Name] = []
        pattern = self._pattern(node.target, targets)
        self._loop(node, rest, iterable, targets, pattern)

    def _while(self, node: ast.While, rest: list[ast.stmt] | None = None) -> None:
        self._loop(node, rest, None, [], 0)

    # -- for and while ops ---------------------------------------------------------
    def _loop(
        self,
        node: ast.For | ast.While,
        rest: list[ast.stmt] | None,
        iterable: Value | None,
        targets: list[ast.Name],
        pattern: Pattern,
    ) -> None:
        kind = "for" if iterable is not None else "while"
        line = self.line(node)
        assigned = stores(node.body) | {target.id for target in targets}
        tests = [node.test] if isinstance(node, ast.While) else []
        # What follows the loop: its continuation, and the statements after
        # it when they were moved into the branch of its `else`.
        after = self.live | self.reads(rest or [])
        live = (
            self.reads(node.body) | self.reads(tests) | self.reads(node.orelse) | after
        )
        before = self.env
        carried = [
            name
            for name, bound in before.items()
            if not is_special(name)
            and name in assigned
            and name in live
            and is_lowered(bound)
        ]
        inside = MaybeUndefined(
            f"it is assigned in the `{kind}` loop at line {line} only after this "
            "point (or on an earlier iteration); assign it before the loop"
        )
        loop = _Loop(self, before, carried, assigned, inside)
        condition = None
        runs_once = iterable is not None and surely_iterates(iterable)
        if isinstance(node, ast.While):
            condition = loop.block()
            with self.in_block(condition):
                test = self._scalar(node.test)
                self.end_block(condition, [test], CONDITION)
            runs_once = self.known_truth(test) is True
        body = loop.block(targets)
        saved = self.live, self.more
        self.live, self.more = live, False
        self.loop_depth += 1
        try:
            with self.in_block(body):
                self._statements(node.body)
        finally:
            self.loop_depth -= 1
            self.live, self.more = saved
        end = self.env
        self.env = before
        for name in carried:
            if not is_lowered(end[name]) or not same_shape(
                lowered(before[name]), lowered(end[name])
            ):
                self.fail(
                    node,
                    f"`{name}` holds a tuple of another length, or a tuple instead "
                    f"of a number, at the end of the `{kind}` loop's body",
                )
        exits = end[BREAK] is not False
        blocks = [body] if condition is None else [condition, body]
        if runs_once:
            loop.carry_late(end, after, blocks)
        returned = loop.flags_out(end, blocks, node)
        yields = [leaf for name in carried for leaf in leaves(lowered(end[name]))]
        yields += loop.extra_yields
        hints = loop.hints + loop.extra_hints
        if exits:
            yields.append(loop.materialise(end[BREAK], body))
            hints.append("broke")
        self.end_block(body, yields)
        results = [self.result(hint) for hint in hints]
        attributes: dict[str, object] = {}
        if iterable is not None:
            attributes["targets"] = len(targets)
            default = 0 if len(targets) == 1 else tuple(range(len(targets)))
            if pattern != default:
                attributes["pattern"] = pattern
        if exits:
            attributes["exit"] = True
        operands = ([iterable] if iterable is not None else []) + loop.inits
        definition = WHILE if iterable is None else FOR
        self.structured(definition, operands, blocks, results, attributes)
        broke = results.pop() if exits else None
        self._after_loop(loop, results, broke, returned, end.get(RETVAL), line, kind)
        self._else_clause(node, False if broke is None else broke, rest)

    def _after_loop(
        self,
        loop: _Loop,
        results: list[Value],
        broke: Value | None,
        returned: str,
        retval: Bound | None,
        line: int,
        kind: str,
    ) -> None:
        """Bind the loop's results; ``returned`` is what ``flags_out`` said."""
        values: Iterator[Value] = iter(results)
        env = dict(loop.before)
        for name in loop.carried:
            env[name] = rebuild(lowered(loop.before[name]), values)
        after = MaybeUndefined(
            f"it is assigned in the `{kind}` loop at line {line}, so it may be "
            "undefined if the loop runs zero times; assign it before the loop"
        )
        for name in loop.assigned - set(loop.carried):
            env[name] = after
        for name, shape in loop.late:
            env[name] = rebuild(shape, values)
        if broke is not None:
            self.booleans.add(broke)
        flag: Flag = False
        if returned == "broke":
            assert broke is not None
            flag = broke
        elif returned == "carried":
            flag = next(values)
            self.booleans.add(flag)
        if returned != "no":
            assert isinstance(retval, (Value, tuple))
            env[RETVAL] = rebuild(retval, values)
        self.env = env
        self._leave_loop(flag)

    def _leave_loop(self, returned: Bound) -> None:
        """After a loop: the enclosing list is skipped if the loop returned."""
        self.env[RETURN] = self.env[SKIP] = returned
        self.env[BREAK] = returned if self.loop_depth else False

    def _else_clause(
        self, node: ast.For | ast.While, broke: Bound, rest: list[ast.stmt] | None
    ) -> None:
        """``else:`` runs if the loop did not stop early; ``rest``, if the
        ``else`` always leaves, runs if the loop did."""
        rest = rest or []
        if broke is True:
            self._rest(rest)
            return
        if broke is False:
            self._statements(node.orelse)
            return
        if not node.orelse:
            return
        assert isinstance(broke, Value)
        line = self.line(node)

        def reason(name: str) -> str:
            return (
                f"{self._assigned(name)}only in the `else` of the loop at line "
                f"{line}, which a `break` skips; assign it before the loop"
            )

        with self.builder.at(self.location(node.orelse[0])):
            self.branch(
                broke,
                (lambda: self._rest(rest)) if rest else None,
                lambda: self._statements(node.orelse),
                reason,
                else_known=dict.fromkeys(FLAGS, False),
                flags_imply_condition=True,
            )

    # -- unrolled loops --------------------------------------------------------------
    def _unroll(
        self, node: ast.For, items: list[Lowered], rest: list[ast.stmt] | None
    ) -> None:
        live = (
            self.reads(node.body)
            | self.reads(node.orelse)
            | self.reads(rest or [])
            | self.live
        )
        saved = self.live, self.more
        self.live, self.more = live, False
        self.loop_depth += 1
        try:
            self._iterations(node, items)
        finally:
            self.loop_depth -= 1
            self.live, self.more = saved
        broke = self.env[BREAK]
        self._leave_loop(self.env[RETURN])
        self._else_clause(node, broke, rest)

    def _iterations(self, node: ast.For, items: list[Lowered]) -> None:
        for index, item in enumerate(items):
            with self.builder.at(self.location(node)):
                self._bind(node.target, item)
            self._statements(node.body)
            stop = self.env[BREAK]
            self.env[SKIP] = stop  # what is skipped now: the other iterations
            if stop is False:
                continue
            if stop is True or index == len(items) - 1:
                return
            assert isinstance(stop, Value)
            remaining = items[index + 1 :]
            line = self.line(node)

            def reason(name: str, line: int = line) -> str:
                return (
                    f"{self._assigned(name)}in an iteration of the loop at line "
                    f"{line} that a `break` may skip; assign it before the loop"
                )

            with self.builder.at(self.location(node)):
                self.branch(
                    stop,
                    None,
                    lambda rest=remaining: self._iterations(node, rest),  # type: ignore[misc]
                    reason,
                    else_known=dict.fromkeys(FLAGS, False),
                    flags_imply_condition=True,
                )
            return


class _Loop:
    """The values a loop op carries, and the blocks of its regions."""

    def __init__(
        self,
        lowering: LoopLowering,
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

    def block(self, targets: list[ast.Name] | None = None) -> Block:
        """A region's block: targets, then carried values, bound in a fresh env."""
        lowering = self.lowering
        target_values = [
            Value(target.id, lowering.location(target)) for target in targets or []
        ]
        arguments = [Value(hint, lowering.builder.loc) for hint in self.hints]
        block = Block(target_values + arguments)
        env = dict(self.before)
        for name in self.assigned:
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

    def carry_late(self, end: Env, live: frozenset[str], blocks: list[Block]) -> None:
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
