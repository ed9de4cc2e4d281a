"""Where a function's source comes from: a live function, or a file.

Either way the result is a ``FunctionSource``: the parsed ``def`` plus what
it takes to turn an AST node back into a ``file:line:col`` location in the
user's own file (the line offset of the snippet, the indentation that was
removed to parse it).
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import os
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from srcgrad.errors import SourceUnavailableError, UnsupportedSyntaxError
from srcgrad.frontend.analysis import Scan, scan_body
from srcgrad.frontend.blocks import Definition, parsed_definition
from srcgrad.frontend.identity import Scope, compiles_to, module_imports
from srcgrad.ir import SourceLocation


@dataclass(frozen=True)
class FunctionSource:
    """A parsed function definition and the file it came from.

    Attributes:
        node: the ``def``; decorators are ignored.
        filename: the user's file, as tracebacks name it.
        file_lines: the whole file, to quote lines in errors and comments.
        line_offset: added to a node's line to get the file's line.
        column_offset: characters of indentation removed before parsing.
    """

    node: ast.FunctionDef
    filename: str
    file_lines: tuple[str, ...]
    line_offset: int = 0
    column_offset: int = 0

    @property
    def name(self) -> str:
        return self.node.name

    @functools.cached_property
    def scan(self) -> Scan:
        """What one walk of its body finds (``analysis.scan_body``)."""
        return scan_body(self.node)

    def location(self, node: ast.AST) -> SourceLocation:
        """The span of ``node`` in the user's file."""
        return span_in_file(
            node, self.filename, self.file_lines, self.line_offset, self.column_offset
        )


def span_in_file(
    node: ast.AST,
    filename: str,
    file_lines: tuple[str, ...],
    line_offset: int = 0,
    column_offset: int = 0,
) -> SourceLocation:
    """The span of ``node``, parsed from text that starts ``line_offset``
    lines into the file with ``column_offset`` characters of indentation
    removed, in the file ``file_lines`` holds."""
    line = getattr(node, "lineno", 1) + line_offset
    text = file_lines[line - 1] if 0 < line <= len(file_lines) else ""
    one_byte_each = text.isascii()
    start = _column(text, one_byte_each, getattr(node, "col_offset", 0), column_offset)
    if getattr(node, "end_lineno", None) == getattr(node, "lineno", None):
        end_offset: int = node.end_col_offset  # type: ignore[attr-defined]
        end = _column(text, one_byte_each, end_offset, column_offset)
    else:
        end = len(text.rstrip())
    return SourceLocation(filename, line, start + 1, max(end, start + 1) + 1, text)


def _column(
    text: str, one_byte_each: bool, byte_offset: int, column_offset: int
) -> int:
    """The character column of ``byte_offset`` (ast columns are UTF-8 byte
    offsets into the dedented line) in the line ``text``, which was
    dedented by ``column_offset`` characters."""
    if one_byte_each and byte_offset >= 0:
        length = len(text)
        return min(byte_offset + min(column_offset, length), length)
    encoded = text.encode("utf-8")
    shifted = byte_offset + len(text[:column_offset].encode("utf-8"))
    return len(encoded[:shifted].decode("utf-8", errors="ignore"))


def async_def_error(name: str, location: SourceLocation) -> UnsupportedSyntaxError:
    """The error for an ``async def``, read live or from a file."""
    return UnsupportedSyntaxError(
        f"{name} is an `async def`; srcgrad differentiates plain functions", location
    )


def gradient_callee_error(name: str) -> SourceUnavailableError:
    """The error for a call to ``name``, a gradient srcgrad generated."""
    return SourceUnavailableError(
        f"{name} is a derivative srcgrad generated, which code srcgrad "
        "differentiates cannot call; differentiate it directly instead "
        "(srcgrad.grad(srcgrad.grad(h)) is h's second derivative)"
    )


#: The name a lambda's gradient is given (``lambda_grad``).
LAMBDA_NAME = "lambda"

#: What Python calls a lambda (its ``__name__``), and so messages too.
LAMBDA_DISPLAY = "<lambda>"


def source_of_function(function: Callable[..., Any]) -> FunctionSource:
    """Read and parse the source of a live function (a ``def`` or a lambda).

    The text is checked against the code the function runs: compiled again,
    it must give the same code object (see ``frontend.identity``).

    Raises:
        SourceUnavailableError: no source (a builtin, a REPL definition,
            ``exec`` without a file, a deleted file), a lambda srcgrad can't
            single out, or a file edited since the function was defined.
        UnsupportedSyntaxError: an ``async def``.
    """
    if not inspect.isfunction(function):
        raise SourceUnavailableError(f"{function!r} is not a Python function")
    code = function.__code__  # not inspect.unwrap: the code we will bind to
    filename, found = _source_lines(function)
    first_line, indent = found.first_line, found.indent
    file_lines = tuple(linecache.getlines(filename) or found.lines)
    if not linecache.getlines(filename):
        first_line = 1
    tree = _parsed(found, function, filename)
    scope = Scope(_class_name(function), module_imports("".join(file_lines), filename))
    place = _Place(filename, file_lines, first_line - 1, indent, scope)
    if code.co_name == "<lambda>":  # even if its __name__ was changed
        definition = _lambda_definition(tree, code, place)
    else:
        definition = _def_statement(function, tree, place)
    if place.scope.class_name is not None:
        _mangle_private_names(definition, place.scope.class_name)
    return FunctionSource(definition, filename, file_lines, first_line - 1, indent)


def _parsed(
    definition: Definition, function: types.FunctionType, filename: str
) -> ast.Module:
    """The text ``inspect`` found for ``function``, parsed.

    Raises:
        SourceUnavailableError: it does not parse.
    """
    if definition.tree is None:
        if function.__code__.co_name != "<lambda>":
            # A `def` starts a statement and its block parses alone: these
            # lines are something else now.
            raise _changed_since_defined(function.__qualname__, filename)
        raise SourceUnavailableError(
            f"cannot parse the source of {function.__qualname__} on its own; "
            "define it with `def`"
        )
    return definition.tree


def _mangle_private_names(definition: ast.FunctionDef, class_name: str) -> None:
    """Rename ``__private`` names as Python does inside ``class_name``.

    In a class body ``__scale`` means ``_Model__scale``, for globals and
    parameters alike; the generated code, compiled outside the class, must
    spell the name Python actually reads.
    """
    stripped = class_name.lstrip("_")
    if not stripped:
        return  # a class named only with underscores mangles nothing

    def mangled(name: str) -> str:
        private = name.startswith("__") and not name.endswith("__")
        return f"_{stripped}{name}" if private else name

    for node in ast.walk(definition):
        if isinstance(node, ast.Name):
            node.id = mangled(node.id)
        elif isinstance(node, ast.arg):
            node.arg = mangled(node.arg)
        elif isinstance(node, ast.Attribute):
            node.attr = mangled(node.attr)


def _def_statement(
    function: types.FunctionType, tree: ast.Module, place: _Place
) -> ast.FunctionDef:
    """The ``def`` the snippet starts with, if it is the code that runs."""
    statement = tree.body[0] if tree.body else None
    if isinstance(statement, ast.AsyncFunctionDef):
        raise async_def_error(function.__qualname__, place.location(statement))
    if not isinstance(statement, ast.FunctionDef):
        # The code says a `def` starts on this line of the file; it does not.
        raise _changed_since_defined(function.__qualname__, place.filename)
    if not compiles_to(statement, function.__code__, place.scope):
        raise _changed_since_defined(function.__qualname__, place.filename)
    return statement


@dataclass(frozen=True)
class _Place:
    """Where a parsed snippet sits: its file, line offset, indent, scope."""

    filename: str
    file_lines: tuple[str, ...]
    line_offset: int
    indent: int
    scope: Scope

    def location(self, node: ast.stmt) -> SourceLocation:
        """The span of ``node`` (any statement) in the user's file."""
        return span_in_file(
            node, self.filename, self.file_lines, self.line_offset, self.indent
        )


def _class_name(function: types.FunctionType) -> str | None:
    """The innermost class around ``function`` (it mangles ``__names``).

    In a qualified name a function is followed by ``<locals>``; any other
    enclosing part is a class (``Model.energy.<locals>.f`` is in ``Model``).
    """
    parts = function.__qualname__.split(".")
    classes = [
        part
        for part, following in zip(parts, parts[1:], strict=False)
        if part != "<locals>" and following != "<locals>"
    ]
    return classes[-1] if classes else None


def _changed_since_defined(what: str, filename: str) -> SourceUnavailableError:
    """The error for text that does not compile to the code that runs."""
    return SourceUnavailableError(
        f"{filename} changed since {what} was defined: its text there is not the "
        "code that runs; reload the module (or re-run the definition) and build "
        "the gradient again (if the file did not change, a tool rewrote the "
        "function's code, and srcgrad cannot know what it runs)"
    )


def _source_lines(function: types.FunctionType) -> tuple[str, Definition]:
    """The file, and the lines of ``function``'s definition, parsed."""
    code = function.__code__
    # The function itself where nothing wraps it (``inspect`` would read the
    # wrapped one's lines): its module is then found by name, not by a look
    # at the file of every module imported since the last such search.
    unwrapped = not hasattr(function, "__wrapped__")
    try:
        definition = parsed_definition(function if unwrapped else code)
        filename = inspect.getsourcefile(code) or code.co_filename
    except (OSError, TypeError) as error:
        path = code.co_filename
        if not path.startswith("<") and not os.path.exists(path):
            raise SourceUnavailableError(
                f"cannot read the source of {function.__qualname__}: its file "
                f"{path} no longer exists"
            ) from None
        raise SourceUnavailableError(
            f"cannot read the source of {function.__qualname__}: {error}; "
            "srcgrad needs functions defined in a file"
        ) from None
    return filename, definition


def _lambda_definition(
    tree: ast.Module, code: types.CodeType, place: _Place
) -> ast.FunctionDef:
    """The lambda ``code`` was compiled from, as a ``def`` returning its body.

    Candidates are the lambdas on the code's first line with its parameters.
    Where Python records columns (3.11+), the lambda is the innermost one
    whose body holds every instruction's position; then (and on 3.10, where
    that is the only test) it must compile to ``code`` exactly.
    """
    parameters = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    candidates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Lambda)
        and node.lineno + place.line_offset == code.co_firstlineno
        and [arg.arg for arg in ast.walk(node.args) if isinstance(arg, ast.arg)]
        == parameters
    ]
    positions = _instruction_positions(code)
    if positions:
        candidates = _innermost_holding(candidates, positions, place)
    matching = [node for node in candidates if compiles_to(node, code, place.scope)]
    if not matching:
        what = f"the lambda on line {code.co_firstlineno}"
        raise _changed_since_defined(what, place.filename)
    # Several left only if they compile to identical code: any one is it.
    return lambda_as_def(matching[0])


def lambda_as_def(node: ast.Lambda) -> ast.FunctionDef:
    """``lambda args: body`` as ``def lambda(args): return body``, at its place."""
    body = ast.Return(node.body)
    ast.copy_location(body, node.body)
    definition = ast.FunctionDef(
        name=LAMBDA_NAME,
        args=node.args,
        body=[body],
        decorator_list=[],
        returns=None,
    )
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        setattr(definition, "type_params", [])  # noqa: B010
    return ast.copy_location(definition, node)


#: A source position: (line, column), as the file numbers them.
_Position = tuple[int, int]


def _instruction_positions(code: types.CodeType) -> list[tuple[_Position, _Position]]:
    """The (start, end) of each instruction's source span, where recorded.

    Empty before Python 3.11 (no ``co_positions``). Zero-width spans (the
    function's entry) say nothing about which lambda this is.
    """
    if not hasattr(code, "co_positions"):
        return []
    return [
        ((line, column), (end_line, end_column))
        for line, end_line, column, end_column in code.co_positions()
        if None not in (line, end_line, column, end_column)
        and (line, column) != (end_line, end_column)
    ]


def _innermost_holding(
    candidates: list[ast.Lambda],
    positions: list[tuple[_Position, _Position]],
    place: _Place,
) -> list[ast.Lambda]:
    """The candidate with the innermost body that holds every position.

    A lambda's instructions lie inside its body, and so inside the body of
    any lambda around it: the innermost such body is its own. (An outer
    lambda's instructions include making the inner lambda, whose span is
    not inside the inner lambda's body, so the inner one never claims them.)
    """

    def span(node: ast.expr) -> tuple[_Position, _Position]:
        start = (node.lineno + place.line_offset, node.col_offset + place.indent)
        end_line = node.end_lineno or node.lineno
        end = (end_line + place.line_offset, (node.end_col_offset or 0) + place.indent)
        return start, end

    holding = []
    for node in candidates:
        start, end = span(node.body)
        if all(start <= first and last <= end for first, last in positions):
            holding.append((start, end, node))
    if not holding:
        return []
    # Innermost: the latest start, then the earliest end.
    holding.sort(key=lambda item: (item[0], (-item[1][0], -item[1][1])))
    return [holding[-1][2]]
