"""List comprehensions, as the loops they stand for.

``[e for t in it if c]`` is lowered as ``xs = []``, then ``for t in it:
if c: xs.append(e)``, with a name no code can read, and the names its
targets bind are restored afterwards: in Python a comprehension has a scope
of its own (``[x * 2 for x in r]`` leaves an outer ``x`` as it was). So
every loop the function may write, and every list rule, serves it. A
generator expression is taken the same way where its consumer reads it
once in order (``sum(v * v for v in xs)``).
"""

from __future__ import annotations

import ast
import itertools

from srcgrad.frontend.statements import StatementLowering
from srcgrad.ir import Op, Value

_COUNTER = itertools.count(1)
#: What generated code calls a comprehension's list.
_HINT = "items"


class ComprehensionLowering(StatementLowering):
    """Lowers list comprehensions (and generators ``sum`` reads) to loops."""

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp) -> Value:
        for generator in node.generators:
            if generator.is_async:
                self.unsupported(generator)
        key = f"__srcgrad_comprehension_{next(_COUNTER)}"
        statements = [_made(ast.Assign([ast.Name(key, ast.Store())], _empty()), node)]
        statements.append(_loops(node, key))
        bound = _targets(node)
        saved = {name: self.env[name] for name in bound if name in self.env}
        block = self.builder.block
        first = len(block.ops)
        outer_live = self.live
        self.live = outer_live.with_names(frozenset([key]))
        try:
            self._statements(statements)
        finally:
            self.live = outer_live
        made = self.env.pop(key)
        assert isinstance(made, Value)
        for name in bound:
            self.env.pop(name, None)
        self.env.update(saved)
        _rename(block.ops[first:], key)
        return made


def _empty() -> ast.List:
    return ast.List([], ast.Load())


def _loops(node: ast.ListComp | ast.GeneratorExp, key: str) -> ast.stmt:
    """The nested ``for``/``if`` statements that append each item."""
    append = ast.Attribute(ast.Name(key, ast.Load()), "append", ast.Load())
    statement: ast.stmt = _made(ast.Expr(ast.Call(append, [node.elt], [])), node.elt)
    for generator in reversed(node.generators):
        for condition in reversed(generator.ifs):
            statement = _made(ast.If(condition, [statement], []), condition)
        loop = ast.For(generator.target, generator.iter, [statement], [])
        statement = _made(loop, generator.target)
    return statement


def _made(statement: ast.stmt, where: ast.AST) -> ast.stmt:
    """``statement`` at ``where``'s place in the source (messages point there)."""
    for each in ast.walk(statement):
        if "lineno" in each._attributes and not hasattr(each, "lineno"):
            ast.copy_location(each, where)
    return statement


def _targets(node: ast.ListComp | ast.GeneratorExp) -> set[str]:
    """The names the comprehension's ``for`` clauses bind."""
    return {
        name.id
        for generator in node.generators
        for name in ast.walk(generator.target)
        if isinstance(name, ast.Name)
    }


def _rename(ops: list[Op], key: str) -> None:
    """Name the comprehension's list ``items`` in generated code."""
    for op in ops:
        values = list(op.results)
        for region in op.regions:
            for block in region.blocks:
                values += block.arguments
                _rename(block.ops, key)
        for value in values:
            if value.name_hint == key:
                value.name_hint = _HINT
