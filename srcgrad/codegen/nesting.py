"""Keeping generated code as flat as the user's, and within Python's limits.

An ``elif`` chain of the source is, in the IR, an ``if`` nested in the
else-branch of the one before, each computing its condition there; written
as it is, a table of a hundred branches nests a hundred deep, and Python
refuses code indented more than 99 levels. An else-branch that computes
values only to test them in the one ``if`` it ends with is written as an
``elif`` instead: each value is bound where it is first read, with ``:=``
(``elif (t_1 := x < 1.0):``), so it is computed exactly when and as often
as before, and the chain stays flat.

What is still nested deeper than Python allows (guards for the statements
after a ``return``, ``break`` or ``continue`` taken in an ``if`` nest) is an
error at the source line of the statement too deep, never an
``IndentationError`` from compiling the generated text.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping

from srcgrad.codegen.format import verbatim
from srcgrad.errors import UnsupportedSyntaxError
from srcgrad.ir.location import SourceLocation

#: The deepest indentation level CPython's tokenizer accepts (its MAXINDENT
#: is 100, and a new level must stay below it). A ``def`` at the top of a
#: module puts its body at level 1.
MAX_INDENT = 99


def as_elif(otherwise: list[ast.stmt]) -> ast.If | None:
    """The else-branch ``otherwise`` as one ``if`` an ``elif`` can write.

    That is a lone ``if``, or assignments of names each read first (before
    anything else is computed) by what comes after it, then an ``if``:
    ``t = x < 1.0; if t: ...`` becomes ``if (t := x < 1.0): ...``. Comments
    go (the ``elif`` line says what they said). None if it is not one.
    """
    statements = [statement for statement in otherwise if not is_comment(statement)]
    if not statements or not isinstance(statements[-1], ast.If):
        return None
    *prefix, last = statements
    assert isinstance(last, ast.If)
    names = [_assigned_name(statement) for statement in prefix]
    # What each assignment computes, then the test; each binds the name
    # before it where it first reads it.
    computed = [getattr(statement, "value", None) for statement in prefix]
    computed.append(last.test)
    for index, name in enumerate(names):
        value, reader = computed[index], computed[index + 1]
        if name is None or value is None or reader is None:
            return None
        computed[index + 1] = _bind_first_read(reader, name, value)
    test = computed[-1]
    if test is None:
        return None
    last.test = test  # the else-branch it was in is dropped
    return last


def is_comment(statement: ast.stmt) -> bool:
    value = getattr(statement, "value", None)
    return (
        isinstance(statement, ast.Expr)
        and isinstance(value, ast.Name)
        and value.id.startswith("#")
    )


def _assigned_name(statement: ast.stmt) -> str | None:
    """``t`` for ``t = ...``; None for any other statement."""
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return None
    target = statement.targets[0]
    return target.id if isinstance(target, ast.Name) else None


def _bind_first_read(
    expression: ast.expr, name: str, value: ast.expr
) -> ast.expr | None:
    """``expression`` with its first step, a read of ``name``, made
    ``(name := value)``; None if the first thing it computes is not that read.

    Only then does moving ``value`` into it keep the order in which things
    are computed (and so which error is raised, if one is).
    """
    if isinstance(expression, ast.Name):
        return _walrus(name, value) if expression.id == name else None
    first = _first_operand(expression)
    if first is None:
        return None
    field, index = first
    child = getattr(expression, field)
    bound = _bind_first_read(child if index is None else child[index], name, value)
    if bound is None:
        return None
    rebuilt = copy.copy(expression)
    if index is None:
        setattr(rebuilt, field, bound)
    else:
        setattr(rebuilt, field, [bound, *child[1:]])
    return rebuilt


def _first_operand(expression: ast.expr) -> tuple[str, int | None] | None:
    """The field of ``expression`` Python evaluates first, if all it computes
    before that is reading a function (a name or a module's attribute)."""
    if isinstance(expression, (ast.BinOp, ast.Compare)):
        return "left", None
    if isinstance(expression, ast.UnaryOp):
        return "operand", None
    if isinstance(expression, ast.BoolOp):
        return "values", 0
    if isinstance(expression, (ast.Attribute, ast.Subscript)):
        return "value", None
    if isinstance(expression, ast.IfExp):
        return "test", None
    if (
        isinstance(expression, ast.Call)
        and expression.args
        and _reads_a_function(expression.func)
    ):
        return "args", 0
    return None


def _reads_a_function(function: ast.expr) -> bool:
    if isinstance(function, ast.Attribute):
        return _reads_a_function(function.value)
    return isinstance(function, ast.Name) and function.id.isidentifier()


def _walrus(name: str, value: ast.expr) -> ast.expr:
    text = ast.unparse(value)
    if isinstance(value, ast.Name) and not value.id.isidentifier() and "," in text:
        text = f"({text})"  # a tuple written out as text
    return verbatim(f"({name} := {text})")


def check_nesting(
    statements: list[ast.stmt], locations: Mapping[ast.stmt, SourceLocation]
) -> None:
    """Refuse a body Python would not compile for being nested too deeply.

    Args:
        statements: a function's body (at indentation level 1).
        locations: the source location of statements, where known.

    Raises:
        UnsupportedSyntaxError: at the source line of the first statement
            nested deeper than ``MAX_INDENT`` levels.
    """
    found = _too_deep(statements, 1, locations, None)
    if found is None:
        return
    level, location = found
    raise UnsupportedSyntaxError(
        f"code nested too deeply: the gradient nests this statement {level} "
        f"levels deep, and Python allows at most {MAX_INDENT}. The statements "
        "after an `if` that may `return`, `break` or `continue` are written "
        "inside an `if` of their own, one level deeper each time; move part "
        "of this code into a helper function (srcgrad differentiates calls)",
        location,
    )


def _too_deep(
    statements: list[ast.stmt],
    level: int,
    locations: Mapping[ast.stmt, SourceLocation],
    around: SourceLocation | None,
) -> tuple[int, SourceLocation | None] | None:
    """The level and location of the first statement deeper than allowed."""
    for statement in statements:
        location = locations.get(statement, around)
        if level > MAX_INDENT:
            return level, location
        for body, inner in _bodies(statement, level):
            found = _too_deep(body, inner, locations, location)
            if found is not None:
                return found
    return None


def _bodies(statement: ast.stmt, level: int) -> list[tuple[list[ast.stmt], int]]:
    """The bodies of a compound statement, and the level each is written at.

    A lone ``if`` in an else-branch is an ``elif``: its bodies are written
    at the levels of the first ``if``'s (a loop, not recursion: a table of
    a thousand branches is one chain).
    """
    if isinstance(statement, (ast.For, ast.While)):
        return [(statement.body, level + 1), (statement.orelse, level + 1)]
    bodies = []
    while isinstance(statement, ast.If):
        bodies.append((statement.body, level + 1))
        otherwise = statement.orelse
        if len(otherwise) == 1 and isinstance(otherwise[0], ast.If):
            statement = otherwise[0]
        else:
            bodies.append((otherwise, level + 1))
            break
    return bodies
