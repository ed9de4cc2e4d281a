"""Compiling generated source into a code object tracebacks can show."""

from __future__ import annotations

import hashlib
import linecache
import types
from typing import Any

from srcgrad.codegen.emit import FACTORY_NAME, GeneratedFunction


def compile_generated(
    generated: GeneratedFunction, label: str
) -> tuple[types.CodeType, str]:
    """The code object of the generated function, and the file name it has.

    The source is registered with ``linecache`` under that name, so
    tracebacks, ``pdb`` and ``inspect`` show the generated lines.
    """
    text = generated.factory_source
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    filename = f"<srcgrad {label} {digest}>"
    register_source(filename, text)
    module_code = compile(text, filename, "exec")
    factory = _nested_code(module_code)
    assert factory.co_name == FACTORY_NAME
    return _nested_code(factory), filename


def register_source(filename: str, text: str) -> None:
    """Make ``text`` the lines of ``filename`` for tracebacks and ``inspect``.

    Entries without a modification time are never evicted by
    ``linecache.checkcache``, so made-up file names stay readable.
    """
    linecache.cache[filename] = (
        len(text),
        None,
        text.splitlines(keepends=True),
        filename,
    )


def _nested_code(code: types.CodeType) -> types.CodeType:
    return next(const for const in code.co_consts if isinstance(const, types.CodeType))


def module_cells(generated: GeneratedFunction) -> dict[str, types.CellType]:
    """A cell holding each module, builtin and helper the code reads, by alias."""
    return {
        alias: types.CellType(value)
        for alias, value in generated.bound_values().items()
    }


def load(
    generated: GeneratedFunction, namespace: dict[str, Any] | None = None
) -> types.FunctionType:
    """A callable for ``generated`` alone, globals from ``namespace``.

    For code with no primal to bind to (tests of single rules, tools); the
    API binds gradients to their primal's globals and closure instead.
    """
    code, _ = compile_generated(generated, generated.name)
    cells = module_cells(generated)
    closure = tuple(cells[name] for name in code.co_freevars)
    return types.FunctionType(
        code, namespace if namespace is not None else {}, code.co_name, None, closure
    )
