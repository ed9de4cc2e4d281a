"""Compiling generated source into a code object tracebacks can show."""

from __future__ import annotations

import ast
import builtins
import hashlib
import linecache
import types
from typing import Any

from srcgrad.codegen.generated import FACTORY_NAME, GeneratedFunction
from srcgrad.errors import NotRealError, SrcgradError


def compile_generated(
    generated: GeneratedFunction, label: str
) -> tuple[types.CodeType, str]:
    """The code object of the generated function, and the file name it has
    (see ``compile_module``, for the functions it calls too)."""
    code, _, filename = compile_module(generated, label)
    return code, filename


def compile_module(
    generated: GeneratedFunction, label: str, text: str | None = None
) -> tuple[types.CodeType, dict[str, types.CodeType], str]:
    """The code objects of the generated function and of the functions it
    calls (by name), and the file name they have.

    What is compiled is the module's text (``generated.source``, or
    ``text``: the same module, as black formats it), so
    tracebacks, ``pdb`` and ``inspect.getsource`` show its lines at its line
    numbers. Its ``def``s are parsed and nested, as AST nodes that keep
    their line numbers, in a factory whose parameters are the modules and
    closure variables the code reads (so they become free variables bound
    to cells, and the functions become cells of each other); the entry's
    defaults are dropped (the primal's values are attached when the
    function is made) and its imports are not compiled (the modules come in
    through the factory). That text is registered with ``linecache`` under
    the returned file name.
    """
    text = generated.source if text is None else text
    filename = module_filename(label, text)
    register_source(filename, text)
    try:
        module_code = compile(_factory_module(text, generated), filename, "exec")
    except (SyntaxError, RecursionError, MemoryError) as error:
        raise _not_compiled(generated, error) from None
    factory = _nested_code(module_code)
    assert factory.co_name == FACTORY_NAME
    codes = {
        const.co_name: const
        for const in factory.co_consts
        if isinstance(const, types.CodeType)
    }
    entry = codes.pop(generated.name)
    return entry, codes, filename


def module_filename(label: str, text: str) -> str:
    """The made-up file name of the code compiled from ``text``."""
    return f"<srcgrad {label} {hashlib.sha256(text.encode()).hexdigest()[:12]}>"


def _not_compiled(generated: GeneratedFunction, error: Exception) -> SrcgradError:
    """A clear error for generated text Python refuses (``check_nesting``
    refuses what srcgrad knows to be too deep before it is written)."""
    where = getattr(error, "lineno", None)
    detail = getattr(error, "msg", None) or str(error) or type(error).__name__
    line = f" (line {where} of the generated code)" if where else ""
    return SrcgradError(
        f"the code generated for {generated.name} does not compile: "
        f"{type(error).__name__}: {detail}{line}; this is a bug in srcgrad, "
        "please report it with the function that caused it"
    )


def _factory_module(text: str, generated: GeneratedFunction) -> ast.Module:
    """``def FACTORY(free names): <the defs, without defaults>; return it``."""
    wanted = {generated.name, *(name for name, _ in generated.others)}
    definitions = [
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef) and node.name in wanted
    ]
    for definition in definitions:
        definition.args.defaults = []
        definition.args.kw_defaults = [None] * len(definition.args.kwonlyargs)
    returned = ast.Name(generated.name, ast.Load())
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
        body=[*definitions, ast.Return(returned)],
        decorator_list=[],
        returns=None,
    )
    ast.copy_location(factory, definitions[0])
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        setattr(factory, "type_params", [])  # noqa: B010
    # Only the factory's own nodes get locations; the defs keep their lines
    # (set here rather than by fix_missing_locations, which walks them all).
    for node in (*factory.args.args, factory.body[-1], returned):
        ast.copy_location(node, factory)
    return ast.Module([factory], type_ignores=[])


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
    """A cell holding each module, builtin and helper the code reads, by alias
    (and, for ``for_arrays``, a function that says no gradient for arrays was
    attached: the API attaches one)."""
    cells = {
        alias: types.CellType(value)
        for alias, value in generated.bound_values().items()
    }
    for binding in generated.bindings:
        if binding.dispatcher:
            cells[binding.alias] = types.CellType(_no_gradients_for_arrays)
    return cells


def _no_gradients_for_arrays(*args: object, **kwargs: object) -> None:
    raise NotRealError(
        "this gradient was loaded without gradients for arrays; make it "
        "with srcgrad.grad to call it with arrays"
    )


def instantiate(
    code: types.CodeType,
    others: dict[str, types.CodeType],
    namespace: dict[str, Any],
    cells: dict[str, types.CellType],
    defaults: tuple[Any, ...] | None = None,
) -> types.FunctionType:
    """The function of ``code``, and those of ``others`` it calls, made with
    ``namespace`` as globals and each free variable's cell from ``cells``
    (which gets a cell per function of ``others``)."""
    cells = dict(cells)
    cells.update((name, types.CellType()) for name in others)
    for name, other in others.items():
        closure = tuple(cells[free] for free in other.co_freevars)
        made = types.FunctionType(other, namespace, name, None, closure)
        made.__qualname__ = f"{code.co_name}.<locals>.{name}"
        cells[name].cell_contents = made
    closure = tuple(cells[name] for name in code.co_freevars)
    return types.FunctionType(code, namespace, code.co_name, defaults, closure)


def load(
    generated: GeneratedFunction, namespace: dict[str, Any] | None = None
) -> types.FunctionType:
    """A callable for ``generated`` alone, globals from ``namespace``.

    For code with no primal to bind to (tests of single rules, tools); the
    API binds gradients to their primal's globals and closure instead.
    """
    code, others, _ = compile_module(generated, generated.name)
    # Globals without ``__builtins__`` break some calls (Python 3.11 raises
    # KeyError for ``x.sum(axis=0)``), though generated code binds every
    # builtin it calls itself.
    return instantiate(
        code,
        others,
        namespace if namespace is not None else {"__builtins__": builtins},
        module_cells(generated),
    )
