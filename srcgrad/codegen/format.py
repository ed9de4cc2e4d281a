"""Writing and formatting generated source (on a cache miss only).

Code is built as ``ast`` and written by ``ast.unparse``, then formatted by
black. Where ``ast`` cannot say what we mean (comments) or ``ast.unparse``
adds parentheses black keeps (the third operand of an ``or``, a tuple of
values), a node holds the exact text instead: ``verbatim``.
"""

from __future__ import annotations

import ast
import functools
from typing import Any


def verbatim(text: str) -> ast.expr:
    """An expression ``ast.unparse`` writes as ``text``, exactly.

    It is written as an atom: only use it where no operator binds it.
    """
    return ast.Name(text, ast.Load())


@functools.cache
def _mode() -> Any:
    import black  # imported on first use: a warm call never formats

    return black.Mode(line_length=88)


def format_source(text: str) -> str:
    """``text`` as black formats it."""
    import black

    return black.format_str(text, mode=_mode())
