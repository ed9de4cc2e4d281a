"""The body of the generated function, as Python ``ast`` statements.

Each block of the IR becomes a list of statements: an op that is not
written inline becomes an assignment (or, with no result, an expression
statement); an ``if`` op an ``if`` statement whose branches assign its
results; a loop a ``for`` or ``while`` statement. Where a value flows into
a variable of another name (see ``naming``), a copy is written: before a
loop for its initial values, at the end of a branch or of a loop body for
the values they yield, all of one point in one tuple assignment, so a swap
(``a, b = b, a``) is right.

Each run of statements from one source line, inside bodies too, is headed
by a comment quoting that line. ``ast`` has no comments: a comment is a
name whose text is the comment, which ``ast.unparse`` writes as it is.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable

from srcgrad.codegen.checks import check_statement, evaluated_why, shapes_statement
from srcgrad.codegen.format import verbatim
from srcgrad.codegen.layout import Flow
from srcgrad.codegen.nesting import as_elif, check_nesting, is_comment
from srcgrad.codegen.plan import Plan
from srcgrad.ir import (
    CHECK_REAL,
    CHECK_SHAPES,
    CONDITION,
    EVALUATE,
    FOR,
    IF,
    RETURN,
    UNDEF,
    UNPACK,
    WHILE,
    YIELD,
    Block,
    Op,
    Pattern,
    Value,
    loop_parts,
    target_pattern,
)
from srcgrad.ir.location import SourceLocation

#: A statement and the source location it comes from.
Located = tuple[ast.stmt, SourceLocation | None]


class _Run:
    """Statements of one block, a comment heading each run from one line.

    A body continues the run of its header: its first statements need no
    comment if they come from the header's line. A line of another file
    than ``home`` (a helper's, in its forward and backward sweeps) is
    named with its file, as a traceback names it.
    """

    def __init__(
        self,
        located: dict[ast.stmt, SourceLocation],
        home: str | None,
        header: SourceLocation | None = None,
    ) -> None:
        self.statements: list[ast.stmt] = []
        self.located = located
        self.home = home
        self.line = None if header is None else (header.filename, header.line)

    def add(self, statement: ast.stmt, loc: SourceLocation | None) -> None:
        """``statement``, after a comment if ``loc`` starts a new run."""
        if loc is not None and (loc.filename, loc.line) != self.line:
            where = f"line {loc.line}"
            if self.home is not None and loc.filename != self.home:
                where = f"{os.path.basename(loc.filename)}, {where}"
            comment = f"# {where}: {loc.text.strip()}"
            self.statements.append(ast.Expr(verbatim(comment)))
            self.line = (loc.filename, loc.line)
        if loc is not None:
            self.located[statement] = loc
        self.statements.append(statement)

    def add_all(self, statements: Iterable[Located]) -> None:
        """Each statement, as ``add`` does."""
        for statement, loc in statements:
            self.add(statement, loc)

    def add_compound(self, statement: ast.stmt, loc: SourceLocation | None) -> None:
        """A statement with a body: what follows it starts a new run."""
        self.add(statement, loc)
        self.line = None


class Writer:
    """Writes a function's body from its ``Plan``; its comments name the
    file of a line not in ``home`` (the file of the function differentiated)."""

    def __init__(self, plan: Plan, home: str | None = None) -> None:
        self.plan = plan
        self.home = home
        self.layout = plan.layout
        self.flows: dict[int, list[Flow]] = {}
        for flow in plan.layout.flows:
            self.flows.setdefault(flow.position, []).append(flow)
        # A variable a copy reads is bound even where nothing is assigned
        # to it: to None, a value nothing uses.
        self.unassigned: dict[int, list[Value]] = {}
        #: The source location of each statement written, where known.
        self.located: dict[ast.stmt, SourceLocation] = {}
        for flow in plan.variables.unbound():
            self.unassigned.setdefault(flow.position, []).append(flow.target)

    def body(self) -> list[ast.stmt]:
        """The statements of the function's body."""
        run = _Run(self.located, self.home)
        self._write(self.plan.function.entry, run)
        check_nesting(run.statements, self.located)
        return run.statements

    def _body(
        self, header: SourceLocation | None, *parts: Block | list[Located]
    ) -> list[ast.stmt]:
        """A compound statement's body: blocks and statements, one run."""
        run = _Run(self.located, self.home, header)
        for part in parts:
            if isinstance(part, Block):
                self._write(part, run)
            else:
                run.add_all(part)
        return run.statements

    def _write(self, block: Block, run: _Run) -> None:
        """The statements of ``block`` (but its terminator's copies) to ``run``."""
        for op in block.ops:
            definition = op.definition
            inlined = self.plan.inlining.inlined(op)
            if definition in (UNDEF, YIELD, CONDITION) or inlined:
                continue
            if definition is RETURN:
                run.statements.append(self._return(op))
            elif definition is IF and not self.plan.inlining.expression_if(op):
                self._if(op, run)
            elif definition in (FOR, WHILE):
                self._loop(op, run)
            elif getattr(definition, "statements", None) is not None:
                for statement in self._written_as_statements(op):
                    run.add(statement, self.plan.location(op))
            else:
                run.add(self._simple(op), self.plan.location(op))

    # -- simple statements --------------------------------------------------
    def _simple(self, op: Op) -> ast.stmt:
        plan = self.plan
        if op.definition is CHECK_REAL:
            args = [ast.unparse(plan.expression(value)) for value in op.operands]
            return check_statement(op, args, plan.context, plan.function)
        if op.definition is CHECK_SHAPES:
            return shapes_statement(op, plan.context, plan.function.name)
        value = plan.op_expression(op)
        if op.definition is EVALUATE:
            return ast.Expr(verbatim(f"{ast.unparse(value)}  # {evaluated_why(op)}"))
        if not op.results:
            return ast.Expr(value)
        if len(op.results) == 1 and op.definition is not UNPACK:
            return _assignment(self._target(op.result), value)
        # `a, b = f(x)`; `(a,) = saved`; a result nothing reads is `_`.
        targets: list[ast.expr] = [
            ast.Name(
                self.plan.names.get(result) or self.plan.unused or "_", ast.Store()
            )
            for result in op.results
        ]
        return _assignment(ast.Tuple(targets, ast.Store()), value)

    def _written_as_statements(self, op: Op) -> list[ast.stmt]:
        """An op that makes its value in statements (an array, written into)."""
        args = [self.plan.expression(value) for value in op.operands]
        write = op.definition.statements  # type: ignore[attr-defined]
        target = self._target(op.result)
        statements: list[ast.stmt] = write(
            target, args, op.attributes, self.plan.context
        )
        return statements

    def _return(self, op: Op) -> ast.stmt:
        values = [self.plan.expression(value) for value in op.operands]
        if "layout" in op.attributes:  # forward mode's nested tuples
            return ast.Return(verbatim(_laid_out(op.attributes["layout"], values)))
        if op.attributes.get("value") or op.attributes.get("aux"):
            return self._return_with(op, values)
        if op.attributes.get("tuple") and len(values) == 1:
            return ast.Return(verbatim(f"({ast.unparse(values[0])},)"))
        if len(values) == 1:
            return ast.Return(values[0])
        return ast.Return(verbatim(_tuple_text(values)) if values else None)

    def _return_with(self, op: Op, values: list[ast.expr]) -> ast.stmt:
        """``return value, (gx, gy)`` (``value_and_grad``), ``return (gx,
        gy), aux`` (``has_aux``), ``return (value, aux), (gx, gy)`` (both)."""
        with_value, has_aux = op.attributes.get("value"), op.attributes.get("aux")
        first = int(bool(with_value)) + int(bool(has_aux))
        head, adjoints = values[:first], values[first:]
        grads = _tuple_text(adjoints)
        if len(adjoints) > 1 or len(adjoints) == 1 and op.attributes.get("tuple"):
            grads = f"({grads})" if len(adjoints) > 1 else f"({grads},)"
        if with_value and has_aux:
            text = f"({_tuple_text(head)}), {grads}"
        elif with_value:
            text = f"{_tuple_text(head)}, {grads}"
        else:
            text = f"{grads}, {_tuple_text(head)}"
        return ast.Return(verbatim(text))

    def _target(self, value: Value) -> ast.Name:
        return ast.Name(self.plan.names[value], ast.Store())

    def _copies(self, position: int, near: Op) -> list[Located]:
        """The copy at ``position`` of each flow whose ends are named apart.

        Its comment names the line its values come from, else ``near``'s.
        """
        targets: list[ast.expr] = []
        values: list[ast.expr] = []
        sources: list[Value] = []
        for flow in self.flows.get(position, ()):
            if not self.plan.variables.copied(flow):
                continue
            value = self.plan.expression(flow.source)
            name = self.plan.names[flow.target]
            if isinstance(value, ast.Name) and value.id == name:
                continue
            targets.append(ast.Name(name, ast.Store()))
            values.append(value)
            sources.append(flow.source)
        bound = {name.id for name in targets if isinstance(name, ast.Name)}
        for target in self.unassigned.get(position, ()):
            name = self.plan.names[target]
            if name not in bound:
                bound.add(name)
                targets.append(ast.Name(name, ast.Store()))
                values.append(ast.Constant(None))
        if not targets:
            return []
        loc = self.plan.copy_location(sources) or near.loc
        return [(_assign(targets, values), loc)]

    # -- if -----------------------------------------------------------------
    def _if(self, op: Op, run: _Run) -> None:
        points = self.layout.ifs[op]
        loc = self.plan.location(op)
        then_block, else_block = (region.block for region in op.regions)
        then = self._body(
            loc, then_block, self._copies(points.then_end, _yield(then_block))
        )
        otherwise = self._body(
            loc, else_block, self._copies(points.else_end, _yield(else_block))
        )
        if not then and not otherwise:
            return
        test = self.plan.expression(op.operands[0])
        # A lone `if` is an `elif`; one after the statements computing its
        # test is, with `:=`, only where nesting it would go deep.
        code = [statement for statement in otherwise if not is_comment(statement)]
        lone = len(code) == 1 and isinstance(code[0], ast.If)
        flatten = (then and lone) or _else_depth(code) >= _FLAT_FROM
        chained = as_elif(otherwise) if flatten else None
        if chained is not None:
            # `if t: pass` keeps a chain flat where the then-branch is empty.
            run.add_compound(ast.If(test, then or [ast.Pass()], [chained]), loc)
            return
        if not then:
            test, then, otherwise = _negated(test), otherwise, []
        run.add_compound(ast.If(test, then, otherwise), loc)

    # -- loops --------------------------------------------------------------
    def _loop(self, op: Op, run: _Run) -> None:
        parts = loop_parts(op)
        points = self.layout.loops[op]
        loc = self.plan.location(op)
        run.add_all(self._copies(points.before, op))
        broke = self._broke(op)
        if broke is not None:
            run.add(_assignment(broke, ast.Constant(False)), op.loc)
        tail = self._copies(points.end, _yield(parts.body)) + self._break(op, broke)
        snapshot = self.layout.snapshots.get(op)
        if snapshot is not None:
            stop = self.plan.expression(parts.stop)  # type: ignore[arg-type]
            tail.insert(0, (_assignment(self._target(snapshot), stop), None))
        if parts.iterable is not None:
            body = self._body(loc, parts.body, tail)
            target = self._pattern(target_pattern(op), parts.targets)
            iterable = self.plan.expression(parts.iterable)
            loop: ast.stmt = ast.For(
                target, iterable, body or [ast.Pass()], [], lineno=0
            )
        elif self.layout.condition_inline(op):
            test = self._condition(op)
            body = self._body(loc, parts.body, tail)
            loop = ast.While(test, body or [ast.Pass()], [])
        else:
            leave = ast.If(_negated(self._condition(op)), [ast.Break()], [])
            assert parts.condition is not None
            body = self._body(loc, parts.condition, [(leave, None)], parts.body, tail)
            loop = ast.While(ast.Constant(True), body, [])
        run.add_compound(loop, loc)

    def _condition(self, op: Op) -> ast.expr:
        """The expression a ``while`` loops on."""
        condition = op.regions[0].block
        assert condition.terminator is not None
        return self.plan.expression(condition.terminator.operands[0])

    def _broke(self, op: Op) -> ast.Name | None:
        """The name of the flag that says the loop broke, if it is read."""
        broke = loop_parts(op).broke
        if broke is None or broke not in self.plan.names:
            return None
        return self._target(broke)

    def _break(self, op: Op, broke: ast.Name | None) -> list[Located]:
        """``if stop: break`` (with ``broke = True`` where that is read)."""
        parts = loop_parts(op)
        if parts.stop is None:
            return []
        stop = self.layout.snapshots.get(op, parts.stop)
        test = self.plan.expression(stop)
        leave: list[ast.stmt] = [ast.Break()]
        if broke is not None:
            leave.insert(0, _assignment(broke, ast.Constant(True)))
        if isinstance(test, ast.Constant) and not test.value:
            return []
        loc = self.plan.copy_location([parts.stop])
        if isinstance(test, ast.Constant):
            return [(statement, loc) for statement in leave]
        return [(ast.If(test, leave, []), loc)]

    def _pattern(self, pattern: Pattern, targets: list[Value]) -> ast.expr:
        """The ``for`` targets, unpacked as the pattern says."""
        if isinstance(pattern, int):
            target = targets[pattern]
            name = self.plan.names.get(target, self.plan.unused)
            assert name is not None
            return ast.Name(name, ast.Store())
        if not pattern:
            return ast.Name(self.plan.unused or "_", ast.Store())
        return ast.Tuple(
            [self._pattern(inner, targets) for inner in pattern], ast.Store()
        )


def _yield(block: Block) -> Op:
    terminator = block.terminator
    assert terminator is not None
    return terminator


def _assign(targets: list[ast.expr], values: list[ast.expr]) -> ast.stmt:
    """``a = x``, or ``a, b = x, y``: every value read before any is assigned."""
    if len(targets) == 1:
        return _assignment(targets[0], values[0])
    return _assignment(ast.Tuple(targets, ast.Store()), verbatim(_tuple_text(values)))


def _laid_out(layout: object, values: list[ast.expr], top: bool = True) -> str:
    """The values returned, nested as ``layout`` says: an operand's
    position, or a tuple of layouts (``(0, (1, 2))`` is ``y, (gx, gy)``)."""
    if isinstance(layout, int):
        return _tuple_text([values[layout]])
    assert isinstance(layout, tuple)
    parts = [_laid_out(part, values, top=False) for part in layout]
    text = ", ".join(parts) + ("," if len(parts) == 1 else "")
    return text if top and len(parts) > 1 else f"({text})"


def _tuple_text(values: list[ast.expr]) -> str:
    """``x, y``: ``ast.unparse`` would parenthesise the tuple; a conditional
    expression in it reads better in parentheses of its own.
    """
    return ", ".join(
        (
            f"({ast.unparse(value)})"
            if isinstance(value, ast.IfExp)
            else ast.unparse(value)
        )
        for value in values
    )


def _assignment(target: ast.expr, value: ast.expr) -> ast.stmt:
    # ast.unparse reads the line number of an assignment (for type comments).
    return ast.Assign([target], value, lineno=0)


def _negated(test: ast.expr) -> ast.expr:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    return ast.UnaryOp(ast.Not(), test)


#: How deep a chain of else-branches ending in an ``if`` may nest before it
#: is written as an ``elif`` chain binding its conditions with ``:=``.
_FLAT_FROM = 4


def _else_depth(statements: list[ast.stmt]) -> int:
    """How many ``if``s end ``statements``, each in the else of the one
    before (or its body, where an empty then-branch was negated away)."""
    depth = 0
    while statements and isinstance(statements[-1], ast.If):
        depth += 1
        statements = statements[-1].orelse or statements[-1].body
    return depth
