"""Lowering statement lists: assignments, ``if``, and leaving early.

``return``, ``break`` and ``continue`` set flags in the environment
(``environment.py``) instead of jumping: the IR has no jumps. After each
statement of a list, if ``$skip`` may be true, the rest of the list is
lowered inside a guard ``if $skip {} {rest}``; if it is surely true, the
rest is unreachable and not lowered. Where an ``if`` has a branch that
always leaves, the statements after it go into its other branch instead,
so ``if x > 0: return x`` then ``return -x`` is one ``if`` yielding the
value returned, and ``if c: break`` is a stop flag that is ``c`` itself.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from srcgrad.errors import CallError
from srcgrad.frontend.analysis import always_exits, appended_to, last_reads
from srcgrad.frontend.constructs import assignment_to
from srcgrad.frontend.environment import (
    BREAK,
    FLAGS,
    RETURN,
    RETVAL,
    SKIP,
    Bound,
    Lowered,
    MaybeUndefined,
    at_break,
    is_lowered,
)
from srcgrad.frontend.merge import Branches, merge
from srcgrad.frontend.nested import NestedLowering
from srcgrad.ir import Block, Value
from srcgrad.primitives.lists import LIST_APPEND


class StatementLowering(NestedLowering):
    """Lowers statement lists and the statements that are not loops."""

    def _for(self, node: ast.For, rest: list[ast.stmt] | None = None) -> None:
        raise NotImplementedError

    def _while(self, node: ast.While, rest: list[ast.stmt] | None = None) -> None:
        raise NotImplementedError

    def _statements(self, body: list[ast.stmt]) -> None:
        """Lower ``body``; ``self.live`` and ``self.more`` say what follows it."""
        outer_live, outer_more = self.live, self.more
        last = last_reads(body, self.source.scan.reads)
        try:
            for index, statement in enumerate(body):
                more = index + 1 < len(body)
                self.live = self.live_after(last, index, outer_live)
                self.more = more or outer_more
                with self.builder.at(self.location(statement)):
                    if more and _one_branch_exits(statement):
                        self.live, self.more = outer_live, outer_more
                        self._statement(statement, body[index + 1 :])
                        return
                    self._statement(statement)
                skip = self.env[SKIP]
                if skip is False:
                    continue
                if skip is True or not more:
                    return
                assert isinstance(skip, Value), skip
                self.live, self.more = outer_live, outer_more
                rest = body[index + 1 :]
                with self.builder.at(self.location(rest[0])):
                    self._guard(skip, rest)
                return
        finally:
            self.live, self.more = outer_live, outer_more

    def _statement(
        self, statement: ast.stmt, rest: list[ast.stmt] | None = None
    ) -> None:
        """Lower ``statement``; ``rest``, the statements after it, goes into
        the branch of an ``if`` (or of a loop's ``else``) that does not
        always leave."""
        if isinstance(statement, ast.Assign) and not isinstance(
            statement.value, ast.Lambda
        ):
            value = self._expression(statement.value)
            for target in statement.targets:
                self._bind(target, value)
        elif isinstance(statement, ast.AugAssign):
            self._augmented(statement)
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:
                self._bind(statement.target, self._expression(statement.value))
        elif isinstance(statement, ast.Pass):
            pass
        elif isinstance(statement, ast.FunctionDef) or (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Lambda)
        ):
            self._nested_definition(statement)
        elif isinstance(statement, ast.If):
            self._if(statement, rest)
        elif isinstance(statement, ast.For):
            self._for(statement, rest)
        elif isinstance(statement, ast.While):
            self._while(statement, rest)
        elif isinstance(statement, ast.Return):
            self._return(statement)
        elif isinstance(statement, ast.Break):
            self._break(statement)
        elif isinstance(statement, ast.Continue):
            self.env[SKIP] = True
        elif isinstance(statement, ast.Expr) and appended_to(statement) in self.env:
            self._append(statement)
        elif isinstance(statement, ast.Expr):
            self.fail(statement, self._no_effect(statement.value))
        else:
            self.unsupported(statement)

    def _append(self, statement: ast.Expr) -> None:
        """``xs.append(v)``: every name holding ``xs`` now holds ``xs`` with
        ``v`` at its end (types check later that ``xs`` is a list)."""
        call = statement.value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        name = appended_to(statement)
        assert name is not None
        if len(call.args) != 1 or call.keywords:
            self.fail(call, f"{name}.append takes exactly one argument", CallError)
        base = self._expression(call.func.value)
        if isinstance(base, tuple):
            self.fail(call.func, f"{name} is a tuple, which has no append")
        item = self._expression(call.args[0])
        if isinstance(item, tuple):
            self.fail(call.args[0], "appending a tuple to a list is not supported")
        self._refuse_aliases(name, base, call.func.value, "list")
        with self.builder.at(self.location(call)):
            appended = self.builder.create(
                LIST_APPEND, [base, item], {"namespace": "list"}, hint=name
            ).result
        self.env[name] = appended
        self.assigned_at[name] = self.line(statement)

    def _no_effect(self, value: ast.expr) -> str:
        """Why an expression statement is refused: what it does in Python
        that srcgrad does not follow, or that it does nothing."""
        if not isinstance(value, ast.Call):
            return (
                "an expression statement has no effect on the result; assign "
                "its value to a name (`y = ...`) or remove it"
            )
        function = value.func
        if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
            owner, method = function.value.id, function.attr
            if owner in self.locals or owner in self.env:
                return _method_call(owner, method)
        if isinstance(function, ast.Name) and function.id in self.nested_nodes:
            declaration = _enclosing_names(self.nested_nodes[function.id])
            if declaration is not None:
                return _writes_enclosing(
                    function.id, declaration, self.line(declaration)
                )
        return (
            "the value of this call is not used: srcgrad follows values, not "
            "what a call changes; assign its value to a name (`y = f(x)`) and "
            "use it, or remove the call"
        )

    def _break(self, statement: ast.Break) -> None:
        """Keep what each name the loop carries out on a ``break`` holds here."""
        for name in sorted(self.broken_names):
            bound = self.env.get(name, False)
            if not is_lowered(bound):
                bound = MaybeUndefined(
                    f"the `break` on line {self.line(statement)} may leave the "
                    "loop before it is assigned; assign it before the loop"
                )
            self.env[at_break(self.loop_depth, name)] = bound
        self.env[BREAK] = self.env[SKIP] = True

    def _augmented(self, statement: ast.AugAssign) -> None:
        target = statement.target
        if isinstance(target, ast.Subscript):  # y[i] += v reads, then writes
            read: ast.expr = ast.Subscript(target.value, target.slice, ast.Load())
        elif isinstance(target, ast.Name):
            read = ast.Name(target.id, ast.Load())
        else:
            self.fail(target, assignment_to(target))
        ast.copy_location(read, target)
        combined = ast.BinOp(read, statement.op, statement.value)
        ast.copy_location(combined, statement)
        value = self._expression(combined)
        op = value.defining_op if isinstance(value, Value) else None
        if isinstance(target, ast.Name) and op is not None:
            # On an array, Python changes it in place (passes.writes checks).
            op.attributes["augmented"] = target.id
        self._bind(target, value)

    def _return(self, statement: ast.Return) -> None:
        if statement.value is None:
            self.fail(statement, "`return` without a value is not supported")
        lowered = self._expression(statement.value)
        if isinstance(lowered, tuple) and any(
            isinstance(item, tuple) for item in lowered
        ):
            self.fail(statement.value, "returning nested tuples is not supported")
        self.env[RETVAL] = lowered
        self.env[RETURN] = self.env[SKIP] = True
        if self.loop_depth:
            self.env[BREAK] = True

    def _bind(self, target: ast.expr, value: Lowered) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Value) and value.name_hint is None:
                value.name_hint = target.id
            self.env[target.id] = value
            self.assigned_at[target.id] = self.line(target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            # `n, m = X.shape`; of another value, refused once it is typed
            items = (
                value if isinstance(value, tuple) else self._shape_items(value, target)
            )
            if items is None:
                return
            for element in target.elts:
                if isinstance(element, ast.Starred):
                    self.unsupported(element)
            if len(items) != len(target.elts):
                self.fail(
                    target,
                    f"cannot unpack {len(items)} values into {len(target.elts)} names",
                )
            for element, item in zip(target.elts, items, strict=True):
                self._bind(element, item)
        elif isinstance(target, ast.Subscript):
            self._write_item(target, value)
        else:
            self.fail(target, assignment_to(target))

    # -- branches ------------------------------------------------------------
    def _if(self, node: ast.If, rest: list[ast.stmt] | None = None) -> None:
        """``if``/``elif``/``else``; ``rest`` (the statements after it) goes
        into the branch that does not always leave."""
        condition = self._scalar(node.test)
        then_body, else_body = list(node.body), list(node.orelse)
        if rest:
            if always_exits(then_body):
                else_body += rest
            else:
                then_body += rest
        known = self.known_truth(condition)
        if known is not None:
            self._statements(then_body if known else else_body)
            return
        line = self.line(node)

        def reason(name: str) -> str:
            return (
                f"{self._assigned(name)}only in some branches of the `if` at "
                f"line {line}; assign it before the `if`"
            )

        self.branch(
            condition,
            lambda: self._statements(then_body),
            lambda: self._statements(else_body),
            reason,
        )

    def _rest(self, rest: list[ast.stmt]) -> None:
        """Lower ``rest`` where ``$skip`` may already be true."""
        skip = self.env[SKIP]
        if skip is False:
            self._statements(rest)
        elif isinstance(skip, Value) and rest:
            with self.builder.at(self.location(rest[0])):
                self._guard(skip, rest)

    def _guard(self, skip: Value, rest: list[ast.stmt]) -> None:
        """``if $skip {} {rest}``: the rest runs unless the list was left."""
        # Only `return` leaves a function's body: there, skipping is returning.
        known: dict[str, Bound] = {} if self.loop_depth else {RETURN: True}
        line = self.line(rest[0])

        def reason(name: str) -> str:
            return (
                f"{self._assigned(name)}after a `return`, `break` or `continue` "
                f"that may skip it; assign it before line {line}"
            )

        self.branch(
            skip,
            None,
            lambda: self._statements(rest),
            reason,
            then_known=known,
            else_known=dict.fromkeys(FLAGS, False),
            flags_imply_condition=True,
        )

    def _assigned(self, name: str) -> str:
        line = self.assigned_at.get(name)
        return "it is assigned " + (f"on line {line}, but " if line else "")

    def branch(
        self,
        condition: Value,
        then: Callable[[], None] | None,
        otherwise: Callable[[], None] | None,
        reason: Callable[[str], str],
        *,
        then_known: dict[str, Bound] | None = None,
        else_known: dict[str, Bound] | None = None,
        flags_imply_condition: bool = False,
    ) -> None:
        """Lower ``then`` and ``otherwise`` from copies of the environment
        and merge them. Each branch knows what ``then_known`` and
        ``else_known`` say, and that a flag that is the condition itself is
        true in the then branch and false in the other."""
        before = self.env
        envs, blocks = [], []
        for lower, known, truth in (
            (then, then_known, True),
            (otherwise, else_known, False),
        ):
            self.env = dict(before)
            for flag in FLAGS:
                if before[flag] is condition:
                    self.env[flag] = truth
            self.env.update(known or {})
            with self.in_block(Block()) as block:
                if lower is not None:
                    lower()
            envs.append(self.env)
            blocks.append(block)
        self.env = before
        self.env = merge(
            self,
            Branches(
                condition,
                before,
                (envs[0], envs[1]),
                (blocks[0], blocks[1]),
                reason,
                flags_imply_condition,
            ),
        )


def _one_branch_exits(statement: ast.stmt) -> bool:
    """An ``if`` with exactly one branch that always leaves, or a loop whose
    ``else`` always leaves."""
    if isinstance(statement, ast.If):
        return always_exits(statement.body) != always_exits(statement.orelse)
    if isinstance(statement, (ast.For, ast.While)):
        return always_exits(statement.orelse)
    return False


#: List methods that change the list they are called on.
_MUTATING = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"}
)


def _method_call(owner: str, method: str) -> str:
    """Why ``owner.method(...)`` as a statement is refused."""
    if method in _MUTATING:
        return (
            f"`{owner}.{method}(...)` changes the list `{owner}` in place: "
            "mutating lists is not supported (yet); build the values as a "
            "tuple written out (`values = (a, b, c)`), or add them up as a "
            "`for` loop goes (`total = total + v`)"
        )
    return (
        f"calling the method `{owner}.{method}(...)` is not supported: srcgrad "
        "follows numbers, not objects; write the computation with operators "
        "and functions of numbers"
    )


def _enclosing_names(definition: ast.stmt) -> ast.Nonlocal | ast.Global | None:
    """The first ``nonlocal`` or ``global`` statement in ``definition``."""
    for node in ast.walk(definition):
        if isinstance(node, (ast.Nonlocal, ast.Global)):
            return node
    return None


def _writes_enclosing(
    function: str, declaration: ast.Nonlocal | ast.Global, line: int
) -> str:
    """Why calling ``function``, which assigns names of the code around it,
    is refused."""
    keyword = "nonlocal" if isinstance(declaration, ast.Nonlocal) else "global"
    names = ", ".join(f"`{name}`" for name in declaration.names)
    first = declaration.names[0]
    return (
        f"{function}() assigns {names} of the code around it (`{keyword}` on "
        f"line {line}): writes to an enclosing function's or the module's "
        f"variables are not supported; make {function} return the new value "
        f"and assign it here: `{first} = {function}(...)`"
    )
