"""Functions nested in the one being lowered: ``def`` and lambdas bound to a name.

A nested function becomes a function of the program of its own, lowered the
first time it is called. Its closure, the variables of the enclosing
function it reads (or that a nested function it calls reads), are passed
to it as parameters after its own: each call passes the values they hold
*when the call runs*, which is Python's late binding. Its defaults are the
values its ``def`` computed, as in Python. Its other free names mean what
they mean in the enclosing function, and a call to itself or to another
nested function is a call like any other, so recursion works.

To keep that simple and exact, a nested function is defined at the top
level of the enclosing function's body (not inside ``if``/``for``/
``while``), its name is bound once, and it is only ever called (never
passed around or returned).
"""

from __future__ import annotations

import ast
from collections.abc import Hashable
from dataclasses import dataclass

from srcgrad.frontend.analysis import child_nodes, free_names
from srcgrad.frontend.callees import CalleeSource, Default
from srcgrad.frontend.loaders import default_expressions, signature_of
from srcgrad.frontend.resolve import Binding, FunctionBinding, OtherBinding
from srcgrad.frontend.source import FunctionSource
from srcgrad.frontend.user_calls import UserCallLowering

#: A statement that defines a nested function.
Definition = ast.FunctionDef | ast.Assign


@dataclass(frozen=True, eq=False)
class NestedDefinition:
    """A nested function whose ``def`` has run.

    Attributes:
        name: its name.
        node: its ``def`` (a lambda is made a ``def`` returning its body).
        defaults: the values of its defaults, as its ``def`` computed them.
        key: identifies it among the program's functions.
        enclosing: the lowering of the function it is defined in.
    """

    name: str
    node: ast.FunctionDef
    defaults: tuple[Default, ...]
    key: Hashable
    enclosing: NestedLowering

    def source(self) -> CalleeSource:
        """How to lower it (see ``ProgramBuilder.callee``)."""
        outer = self.enclosing.source
        source = FunctionSource(
            self.node,
            outer.filename,
            outer.file_lines,
            outer.line_offset,
            outer.column_offset,
        )
        return CalleeSource(
            self.key,
            self.name,
            f"{self.name} (defined in {outer.name})",
            source,
            NestedResolver(self.enclosing),
            self.enclosing.unit.scope,
            signature_of(self.node.args, list(self.defaults)),
            self.enclosing.closures[self.name],
        )


class NestedResolver:
    """Free names of a nested function: the functions nested beside it, and
    otherwise what they mean in the enclosing function."""

    def __init__(self, enclosing: NestedLowering) -> None:
        self.enclosing = enclosing

    def resolve(self, name: str) -> Binding | None:
        if name in self.enclosing.nested_nodes:
            return self.enclosing.function_named(name)
        return self.enclosing.resolver.resolve(name)


class NestedLowering(UserCallLowering):
    """Lowers the statements that define nested functions."""

    def find_nested_functions(self) -> None:
        """Find the nested functions and the closure of each (see module)."""
        self.nested: dict[str, NestedDefinition] = {}
        self.nested_nodes = {}
        for statement in self.source.node.body:
            name = _defined_name(statement)
            if name is not None:
                self.nested_nodes.setdefault(name, statement)
        values = self.locals - set(self.nested_nodes)
        free = {
            name: free_names(_function_node(statement))
            for name, statement in self.nested_nodes.items()
        }
        closures = {name: found & values for name, found in free.items()}
        changed = True
        while changed:
            changed = False
            for name, found in free.items():
                more = closures[name].union(
                    *(closures[other] for other in found if other in closures)
                )
                changed |= more != closures[name]
                closures[name] = more
        self.closures = {name: tuple(sorted(found)) for name, found in closures.items()}

    def function_named(self, name: str) -> Binding:
        """The nested function ``name``, if its ``def`` has run."""
        found = self.nested.get(name)
        if found is None:
            line = self.line(self.nested_nodes[name])
            return OtherBinding(
                f"function {name!r}, called before its definition on line {line} runs"
            )
        return FunctionBinding(
            name, f"function {name} (defined in {self.source.name})", nested=found
        )

    def _nested_source(self, binding: FunctionBinding) -> CalleeSource:
        assert isinstance(binding.nested, NestedDefinition)
        return binding.nested.source()

    def _nested_definition(self, statement: Definition) -> None:
        """``def g(...)`` or ``g = lambda ...``: define ``g`` from here on."""
        name = _defined_name(statement)
        assert name is not None
        if _bindings_of(self.source.node, name) != 1:
            self.fail(
                statement,
                f"`{name}` is bound more than once in {self.source.name}; srcgrad "
                "calls nested functions bound once: give each its own name",
            )
        if self.nested_nodes.get(name) is not statement:
            self.fail(
                statement,
                "a nested function must be defined at the top level of "
                f"{self.source.name}'s body, not inside if, for or while",
            )
        node = _as_def(statement, name)
        if node.decorator_list:
            self.fail(
                node.decorator_list[0],
                "a decorated nested function is not supported; call the "
                "function itself",
            )
        defaults = tuple(
            (
                Default(value=None)  # checked where used: ``passes.none_values``
                if isinstance(expression, ast.Constant) and expression.value is None
                else Default(lowered=self._scalar(expression), owner=self)
            )
            for expression in default_expressions(node.args)
        )
        key = ("nested", self.unit.key, name, statement.lineno, statement.col_offset)
        self.nested[name] = NestedDefinition(name, node, defaults, key, self)


def _defined_name(statement: ast.stmt) -> str | None:
    """The name a statement binds to a nested function, if it defines one."""
    if isinstance(statement, ast.FunctionDef):
        return statement.name
    if (
        isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Lambda)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id
    return None


def _function_node(statement: ast.stmt) -> ast.FunctionDef | ast.Lambda:
    if isinstance(statement, ast.Assign):
        assert isinstance(statement.value, ast.Lambda)
        return statement.value
    assert isinstance(statement, ast.FunctionDef)
    return statement


def _as_def(statement: Definition, name: str) -> ast.FunctionDef:
    """The ``def`` of a nested function; a lambda returns its body."""
    if isinstance(statement, ast.FunctionDef):
        return statement
    function = statement.value
    assert isinstance(function, ast.Lambda)
    body = ast.copy_location(ast.Return(function.body), function.body)
    definition = ast.FunctionDef(
        name=name, args=function.args, body=[body], decorator_list=[], returns=None
    )
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        setattr(definition, "type_params", [])  # noqa: B010
    return ast.copy_location(definition, function)


def _bindings_of(function: ast.FunctionDef, name: str) -> int:
    """How many times ``function``'s own scope binds ``name``."""
    count = sum(
        1
        for arg in ast.walk(function.args)
        if isinstance(arg, ast.arg) and arg.arg == name
    )
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            count += node.id == name
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            count += node.name == name
            continue
        elif isinstance(node, ast.Lambda):
            continue
        pending += child_nodes(node)
    return count
