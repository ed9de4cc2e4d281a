"""The lines of a ``def`` in its file, found without tokenizing the file.

``inspect.getsourcelines`` finds where a definition ends by running
Python's tokenizer (pure Python before 3.12) over every line from the
``def`` to the end of its block: about 5 ms for a function of a hundred
lines, as long as the rest of the frontend's reading of it. For a plain
``def`` whose header is one line and whose lines are indented with spaces,
the block is every line after the header indented deeper than the ``def``
(blank lines and comments aside), and that is read off the indentation.

That reading is a guess where a string or brackets run onto a line indented
no deeper than the ``def``: it then stops inside the string or brackets,
and the lines it gives do not parse. ``parsed_definition`` tries the guess
and, when it does not parse, takes ``inspect``'s lines instead, so the
lines are always those ``inspect.getsourcelines`` gives (or, for trailing
comments inside the block, lines that parse to the same tree).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """A definition's lines, parsed.

    Attributes:
        lines: its lines in the file (with their line ends).
        first_line: the file's line number of the first.
        indent: characters of indentation removed before parsing.
        tree: the dedented lines, parsed; None if they do not parse.
    """

    lines: list[str]
    first_line: int
    indent: int
    tree: ast.Module | None


def parsed_definition(found: types.FunctionType | types.CodeType) -> Definition:
    """The lines ``inspect.getsourcelines(found)`` gives, dedented and parsed.

    Raises:
        OSError, TypeError: as ``inspect.getsourcelines`` does.
    """
    file_lines, start = inspect.findsource(found)
    guessed = _indented_block(file_lines, start)
    if guessed is not None:
        definition = _parsed(guessed, start + 1)
        if definition.tree is not None:
            return definition
    return _parsed(inspect.getblock(file_lines[start:]), start + 1)


def _parsed(lines: list[str], first_line: int) -> Definition:
    snippet = "".join(lines)
    dedented = textwrap.dedent(snippet)
    indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != snippet else 0
    try:
        tree: ast.Module | None = ast.parse(dedented)
    except SyntaxError:
        tree = None
    return Definition(lines, first_line, indent, tree)


def _indented_block(file_lines: list[str], start: int) -> list[str] | None:
    """The lines of the ``def`` on line ``start`` (0-based), read off their
    indentation as ``inspect.getblock`` would find them; None where the
    ``def`` is not one whose block that can find (decorated, ``async``, a
    header over several lines or with a comment, tabs in an indentation)."""
    header = file_lines[start]
    body = header.lstrip(" ")
    if not body.startswith("def ") or not body.rstrip().endswith(":"):
        return None
    if "#" in body or body.count("(") != body.count(")"):
        return None
    header_indent = len(header) - len(body)
    body_indent = None
    end = start + 1
    for index in range(start + 1, len(file_lines)):
        line = file_lines[index]
        text = line.lstrip(" ")
        if not text.strip():
            continue
        if text[0] in "\t\f":
            return None
        indent = len(line) - len(text)
        if text[0] == "#":
            # inspect keeps a comment after the last statement only if it
            # is indented as deep as the body.
            if body_indent is not None and indent >= body_indent:
                end = index + 1
            continue
        if indent <= header_indent:
            break
        if body_indent is None:
            body_indent = indent
        end = index + 1
    return file_lines[start:end] if body_indent is not None else None
