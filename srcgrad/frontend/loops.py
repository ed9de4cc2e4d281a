"""Lowering ``for`` and ``while`` loops to ``for``/``while`` ops, or unrolled.

A loop carries the names its body assigns that were bound before it and
are read again (in the loop or after it): each is a block argument of the
body, initialised with its value before the loop and yielded at the end of
an iteration. A name first assigned in the body is not carried: after the
loop (or in the body before its assignment) it may be undefined, unless
the loop surely runs (``while True:``, ``range`` of constants) and every
path through the body assigns it, or the code after the loop reads it only
where a ``break`` stopped the loop after assigning it (a search loop's
result, set before ``break`` and in ``else:``). Then it is carried out
too, from ``undef`` (``loop_values.py``).

A loop whose body may ``break`` or ``return`` has ``exit``: its stop flag is
``$break`` at the end of the body. A ``return`` inside also carries the
value returned out (and whether the loop returned, where a ``break`` could
stop it too). ``for v in (x, y, 2.0):`` is unrolled: its items may depend
on the inputs differentiated, so each gets its own copy of the body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager

from srcgrad.frontend.analysis import LiveNames, stores
from srcgrad.frontend.environment import (
    BREAK,
    FLAGS,
    RETURN,
    RETVAL,
    SKIP,
    Bound,
    Env,
    Flag,
    Lowered,
    MaybeUndefined,
    at_break,
    is_lowered,
    is_special,
    leaves,
    lowered,
    rebuild,
    same_shape,
)
from srcgrad.frontend.iterables import IterableLowering, surely_iterates
from srcgrad.frontend.loop_values import LoopValues
from srcgrad.ir import CONDITION, FOR, WHILE, Pattern, Value


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
        after = self.live.with_names(self.reads(rest or []))
        live = after.with_names(
            self.reads(node.body) | self.reads(tests) | self.reads(node.orelse)
        )
        before = self.env
        carried = [
            name
            for name, bound in before.items()
            if name in assigned  # the rarest first: every name bound is asked
            and not is_special(name)
            and name in live
            and is_lowered(bound)
        ]
        inside = MaybeUndefined(
            f"it is assigned in the `{kind}` loop at line {line} only after this "
            "point (or on an earlier iteration); assign it before the loop"
        )
        loop = LoopValues(self, before, carried, assigned, inside)
        condition = None
        runs_once = iterable is not None and surely_iterates(iterable)
        if isinstance(node, ast.While):
            condition = loop.block()
            with self.in_block(condition):
                test = self._scalar(node.test)
                self.end_block(condition, [test], CONDITION)
            runs_once = self.known_truth(test) is True
        body = loop.block(targets)
        with (
            self._inside_loop(live, {n for n in loop.assigned if n in after}, before),
            self.in_block(body),
        ):
            self._statements(node.body)
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
        if exits:
            loop.carry_broken(end, self.loop_depth + 1, after, blocks)
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
        broke: Value | bool = results.pop() if exits else False
        if exits and condition is not None and runs_once:
            broke = True  # `while True:` stops only where it breaks
        self._after_loop(loop, results, broke, returned, end.get(RETVAL), line, kind)
        self._else_clause(node, broke, rest)

    def _after_loop(
        self,
        loop: LoopValues,
        results: list[Value],
        broke: Value | bool,
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
        for name in sorted(loop.assigned - set(loop.carried)):
            env[name] = after
        for name, shape in loop.late:
            env[name] = rebuild(shape, values)
        if isinstance(broke, Value):
            self.booleans.add(broke)
        flag: Flag = False
        if returned == "broke":
            flag = broke
        elif returned == "carried":
            flag = next(values)
            self.booleans.add(flag)
        if returned != "no":
            assert isinstance(retval, (Value, tuple))
            env[RETVAL] = rebuild(retval, values)
        for key, bound in loop.broken:
            env[key] = (
                bound if isinstance(bound, MaybeUndefined) else rebuild(bound, values)
            )
        self.env = env
        self._leave_loop(flag)

    @contextmanager
    def _inside_loop(
        self, live: LiveNames, read_after: set[str], before: Env
    ) -> Iterator[None]:
        """Lower a loop's body: ``live`` is read after its statements, and
        ``read_after`` is assigned in it and read after it."""
        saved = self.live, self.more, self.broken_names
        self.live, self.more = live, False
        self.broken_names = frozenset(
            name for name in read_after if not is_lowered(before.get(name))
        )
        self.loop_depth += 1
        try:
            yield
        finally:
            self.loop_depth -= 1
            self.live, self.more, self.broken_names = saved

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
        prefix = at_break(self.loop_depth + 1, "")
        kept = {
            key[len(prefix) :]: self.env.pop(key)
            for key in list(self.env)
            if key.startswith(prefix)
        }
        if broke is True:
            self.env.update(kept)
            self._rest(rest)
            return
        if broke is False:
            self._statements(node.orelse)
            return
        if not node.orelse and not kept:
            return
        assert isinstance(broke, Value)
        line = self.line(node)

        in_else = stores(node.orelse)

        def reason(name: str) -> str:
            if isinstance(kept.get(name), MaybeUndefined):
                return kept[name].reason  # type: ignore[union-attr]
            if name in kept and name not in in_else:
                return (
                    f"{self._assigned(name)}only before a `break`, and the loop at "
                    f"line {line} may end without one; assign it before the loop "
                    "or in the loop's `else`"
                )
            return (
                f"{self._assigned(name)}only in the `else` of the loop at line "
                f"{line}, which a `break` skips; assign it before the loop"
            )

        def stopped() -> None:
            self.env.update(kept)
            self._rest(rest)

        with self.builder.at(self.location((node.orelse or [node])[0])):
            self.branch(
                broke,
                stopped,
                lambda: self._statements(node.orelse),
                reason,
                else_known=dict.fromkeys(FLAGS, False),
                flags_imply_condition=True,
            )

    # -- unrolled loops --------------------------------------------------------------
    def _unroll(
        self, node: ast.For, items: list[Lowered], rest: list[ast.stmt] | None
    ) -> None:
        after = self.live.with_names(self.reads(rest or []))
        live = after.with_names(self.reads(node.body) | self.reads(node.orelse))
        assigned = stores(node.body) | stores([node.target])
        read_after = {name for name in assigned if name in after}
        with self._inside_loop(live, read_after, self.env):
            self._iterations(node, items)
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
