"""Which names a module's statements bind: questions about the syntax alone.

``FileResolver`` asks these while reading a file it never runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

#: Statements that bind their name to a function or class.
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

#: Scopes of their own: names bound inside them are not module globals.
NESTED_SCOPES = (*DEFINITIONS, ast.Lambda)


def assigns_a_literal(statement: ast.stmt) -> bool:
    """``name = <literal>`` or ``pass``: a statement that cannot raise."""
    return (
        isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Constant)
        and all(isinstance(target, ast.Name) for target in statement.targets)
    ) or isinstance(statement, ast.Pass)


def is_type_checking_flag(target: ast.expr, value: ast.expr) -> bool:
    """``TYPE_CHECKING = False``, the flag written without importing typing."""
    return (
        isinstance(target, ast.Name)
        and target.id == "TYPE_CHECKING"
        and isinstance(value, ast.Constant)
        and value.value is False
    )


def bound_names(node: ast.AST) -> Iterator[str]:
    """Names a target, pattern or handler binds in the module's scope."""
    for child in same_scope(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            yield child.id
        elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
            yield child.name
        elif isinstance(child, ast.MatchMapping) and child.rest:
            yield child.rest
        elif isinstance(child, ast.ExceptHandler) and child.name:
            yield child.name


def walrus_targets(statement: ast.stmt) -> Iterator[str]:
    """Names ``:=`` binds in the expressions of ``statement`` itself."""
    for field in ast.iter_child_nodes(statement):
        if isinstance(field, ast.expr):
            for child in same_scope(field):
                if isinstance(child, ast.NamedExpr):
                    yield child.target.id


def same_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and its descendants, not entering nested functions or classes."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (*NESTED_SCOPES, ast.stmt)):
            yield from same_scope(child)


def rebound_by_functions(module: ast.Module) -> Iterator[tuple[int, str, int]]:
    """Names a function declares ``global``: it may rebind them at any time
    after its ``def`` (statement number, name, line)."""
    for order, statement in enumerate(module.body):
        for node in ast.walk(statement):
            if isinstance(node, ast.Global):
                for name in node.names:
                    yield order, name, node.lineno


def module_scope_statements(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """``statements`` and those nested in them (in ``if``, ``try``, loops),
    not inside a ``def`` or ``class``."""
    for statement in statements:
        yield statement
        if isinstance(statement, DEFINITIONS):
            continue
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, ast.stmt):
                yield from module_scope_statements([child])
            elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                yield from module_scope_statements(child.body)
