"""Whether a piece of parsed source is the code a live function runs.

srcgrad differentiates text, but users call code objects. The two part
ways when a file is edited after it was imported (``linecache`` then serves
the new text) and when one line holds several lambdas. The test here is the
direct one: compile the parsed node the way Python compiled the original
(inside a scope that makes the same names free, with the same ``__future__``
flags, inside the class that mangles private names) and compare the result
with the live code object field by field.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import symtable
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The compiler flags ``from __future__ import ...`` sets on a code object.
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

_WRAPPER = "__srcgrad_scope__"

#: The code object fields that decide what a function does (not where its
#: lines are: a function moved down a file by an edit above it still runs
#: the same code, and positions are compared separately for lambdas).
_FIELDS = (
    "co_code",
    "co_names",
    "co_varnames",
    "co_freevars",
    "co_cellvars",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_name",
)


@dataclass(frozen=True)
class Scope:
    """What of a function's surroundings changes how Python compiles it.

    Attributes:
        class_name: the class whose body defines the function, if any: it
            decides how ``__private`` names are mangled.
        imported: names the module binds with ``import`` (CPython 3.11
            compiles ``module.f(x)`` differently for those).
    """

    class_name: str | None
    imported: frozenset[str]


def module_imports(text: str, filename: str) -> frozenset[str]:
    """The names ``import`` statements bind at the top level of ``text``."""
    try:
        table = symtable.symtable(text, filename, "exec")
    except (SyntaxError, ValueError):
        return frozenset()
    return frozenset(s.get_name() for s in table.get_symbols() if s.is_imported())


def compiles_to(
    node: ast.FunctionDef | ast.Lambda, code: types.CodeType, scope: Scope
) -> bool:
    """Whether ``node`` compiles to ``code`` in the scope ``code`` came from.

    Args:
        node: the parsed ``def`` (decorators are ignored) or lambda.
        code: the live function's code object.
        scope: the function's class and its module's imports.
    """
    # A file is compiled whole, so its imports count; IPython compiles each
    # statement of a cell on its own, so none do. Either is how Python
    # compiles this text; only the choice of call opcode differs.
    for imported in dict.fromkeys((scope.imported, frozenset())):
        compiled = _compile_in_scope(node, code, scope.class_name, imported)
        if compiled is not None and same_code(compiled, code):
            return True
    return False


def same_code(left: types.CodeType, right: types.CodeType) -> bool:
    """Equal bytecode, names and constants (nested code compared the same way)."""
    if any(getattr(left, field) != getattr(right, field) for field in _FIELDS):
        return False
    # CO_NESTED says whether the def sat inside another function: the
    # recompiled one always does (inside the scope that frees its names).
    if (left.co_flags ^ right.co_flags) & ~inspect.CO_NESTED:
        return False
    if len(left.co_consts) != len(right.co_consts):
        return False
    return all(
        _same_constant(a, b)
        for a, b in zip(left.co_consts, right.co_consts, strict=True)
    )


def _same_constant(left: object, right: object) -> bool:
    if isinstance(left, types.CodeType) and isinstance(right, types.CodeType):
        return same_code(left, right)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(
            _same_constant(a, b) for a, b in zip(left, right, strict=True)
        )
    # type and repr: 1 is not 1.0, and 0.0 is not -0.0 (== says they are).
    return type(left) is type(right) and repr(left) == repr(right)


def _compile_in_scope(
    node: ast.FunctionDef | ast.Lambda,
    code: types.CodeType,
    class_name: str | None,
    imported: frozenset[str],
) -> types.CodeType | None:
    """``node`` compiled with ``code``'s free variables free, or None."""
    if isinstance(node, ast.Lambda):
        statement: ast.stmt = ast.Expr(node)
    else:
        statement = _node(
            ast.FunctionDef,
            name=node.name,
            args=node.args,
            body=node.body,
            decorator_list=[],
            returns=node.returns,
        )
    statement = ast.copy_location(statement, node)
    freevars = [name for name in code.co_freevars if name != "__class__"]
    if class_name is not None:
        statement = _node(
            ast.ClassDef,
            name=class_name,
            bases=[],
            keywords=[],
            body=[statement],
            decorator_list=[],
        )
    elif "__class__" in code.co_freevars:
        freevars.append("__class__")
    body = [statement]
    # The def (or the class around it) binds its name in the wrapper; where
    # the live function reads that name (recursion, ``Model.b(x)`` in a
    # method of ``Model``) and it is not free there, it is a global.
    if class_name is not None:
        bound: str | None = class_name
    else:
        bound = node.name if isinstance(node, ast.FunctionDef) else None
    if bound is not None and bound not in code.co_freevars:
        body.insert(0, ast.Global([bound]))
    wrapper = _node(
        ast.FunctionDef,
        name=_WRAPPER,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(name) for name in freevars],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        ),
        body=body,
        decorator_list=[],
        returns=None,
    )
    imports: list[ast.stmt] = [
        ast.Import([ast.alias(name)]) for name in sorted(imported)
    ]
    module = _located(ast.Module([*imports, wrapper], type_ignores=[]), statement)
    try:
        compiled = compile(
            module,
            "<srcgrad>",
            "exec",
            flags=code.co_flags & _FUTURE_FLAGS,
            dont_inherit=True,
        )
    except SyntaxError:
        return None
    return next(
        (
            nested
            for nested in _nested_codes(compiled)
            if nested.co_name == code.co_name
        ),
        None,
    )


def _located(module: ast.Module, parsed: ast.stmt) -> ast.Module:
    """``module`` with the locations of the nodes made around ``parsed``
    (which has them, as has all it holds: they were parsed) filled in as
    ``ast.fix_missing_locations`` fills them, without a walk of the
    function's body."""
    held = {name: getattr(parsed, name) for name in parsed._fields}
    for name, value in held.items():
        if isinstance(value, (ast.AST, list)):
            setattr(parsed, name, [] if isinstance(value, list) else None)
    try:
        return ast.fix_missing_locations(module)
    finally:
        for name, value in held.items():
            setattr(parsed, name, value)


def _node(kind: type[ast.stmt], **fields: Any) -> ast.stmt:
    """A ``def`` or ``class`` node; Python 3.12+ also wants ``type_params``."""
    if "type_params" in kind._fields:
        fields["type_params"] = []
    return kind(**fields)


def _nested_codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """The code objects inside ``code``, outermost first."""
    pending = [code]
    while pending:
        current = pending.pop(0)
        nested = [c for c in current.co_consts if isinstance(c, types.CodeType)]
        yield from nested
        pending.extend(nested)
