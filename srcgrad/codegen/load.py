"""Compiling generated source into a code object tracebacks can show."""

from __future__ import annotations

import ast
import hashlib
import linecache
import types
from typing import Any

from srcgrad.codegen.emit import FACTORY_NAME, GeneratedFunction


def compile_generated(
    generated: GeneratedFunction, label: str
) -> tuple[types.CodeType, str]:
    """The code object of the generated function, and the file name it has.

    What is compiled is the text users read (``generated.source``), so
    tracebacks, ``pdb`` and ``inspect.getsource`` show its lines at its line
    numbers. Its ``def`` is parsed and nested, as an AST node that keeps
    its line numbers, in a factory whose parameters are the modules and
    closure variables the code reads (so they become free variables bound
    to cells); its defaults are dropped (the primal's values are attached
    when the function is made) and its imports are not compiled (the
    modules come in through the factory). That text is registered with
    ``linecache`` under the returned file name.
    """
    text = generated.source
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    filename = f"<srcgrad {label} {digest}>"
    register_source(filename, text)
    module_code = compile(_factory_module(text, generated), filename, "exec")
    factory = _nested_code(module_code)
    assert factory.co_name == FACTORY_NAME
    return _nested_code(factory), filename


def _factory_module(text: str, generated: GeneratedFunction) -> ast.Module:
    """``def FACTORY(free names): <the def, without defaults>; return it``."""
    definition = next(
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef) and node.name == generated.name
    )
    definition.args.defaults = []
    definition.args.kw_defaults = [None] * len(definition.args.kwonlyargs)
    factory = ast.FunctionDef(
        name=FACTORY_NAME,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(name) for name in generated.free_names],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        ),
        body=[definition, ast.Return(ast.Name(generated.name, ast.Load()))],
        decorator_list=[],
        returns=None,
    )
    ast.copy_location(factory, definition)
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        setattr(factory, "type_params", [])  # noqa: B010
    # Only the factory's own nodes get locations; the def keeps its lines.
    return ast.fix_missing_locations(ast.Module([factory], type_ignores=[]))


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
