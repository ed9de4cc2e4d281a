"""What ``@srcgrad.grad(...)`` above a function in a file asks for.

``srcgrad show`` reads files without running them; a function decorated
with ``@srcgrad.grad(wrt=("x", "y"))`` should be shown with the gradient
that decorator builds, so its ``wrt`` is read from the source.
"""

from __future__ import annotations

import ast

from srcgrad.errors import CallError, UnsupportedSyntaxError
from srcgrad.frontend.module_scope import module_scope_statements
from srcgrad.frontend.source import FunctionSource
from srcgrad.ir import SourceLocation


def declared_wrt(source: FunctionSource, module: ast.Module) -> object | None:
    """The ``wrt`` of the function's ``@srcgrad.grad`` decorator, if it has one.

    ``@srcgrad.grad`` and ``@grad`` (after ``from srcgrad import grad``)
    mean ``wrt=0``. Returns None when no decorator is srcgrad's.

    Raises:
        UnsupportedSyntaxError: the decorator's ``wrt`` is not a literal.
        CallError: the decorator has a positional argument (``wrt`` meant).
    """
    decorator = grad_decorator(source, module)
    if not isinstance(decorator, ast.Call):
        return None if decorator is None else 0
    if decorator.args:
        raise _positional_argument(decorator.args[0], source)
    for keyword in decorator.keywords:
        if keyword.arg == "wrt":
            try:
                return ast.literal_eval(keyword.value)
            except ValueError:
                raise UnsupportedSyntaxError(
                    "this decorator's wrt is not a literal; "
                    "give srcgrad show --wrt instead",
                    source.location(keyword.value),
                ) from None
    return 0


def is_wrt_like(value: object) -> bool:
    """Whether ``value`` looks like a ``wrt``: a name, a position, a tuple."""
    if isinstance(value, tuple):
        return bool(value) and all(is_wrt_like(item) for item in value)
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def positional_wrt_error(
    value: object, location: SourceLocation | None = None
) -> CallError:
    """The error for ``srcgrad.grad("x")``: a ``wrt`` passed where the
    function to differentiate goes."""
    return CallError(
        f"srcgrad.grad({value!r}) takes {value!r} as the function to "
        f"differentiate; name the parameters with the keyword: "
        f"@srcgrad.grad(wrt={value!r}), or srcgrad.grad(f, wrt={value!r})",
        location,
    )


def _positional_argument(node: ast.expr, source: FunctionSource) -> CallError:
    """The error for ``@srcgrad.grad(<positional>)``."""
    location = source.location(node)
    try:
        value = ast.literal_eval(node)
    except ValueError:
        value = None
    if is_wrt_like(value):
        return positional_wrt_error(value, location)
    return CallError(
        "srcgrad.grad's positional argument is the function to differentiate; "
        "as a decorator, give it only keywords: @srcgrad.grad(wrt=...)",
        location,
    )


def grad_decorator(source: FunctionSource, module: ast.Module) -> ast.expr | None:
    """The function's ``@srcgrad.grad`` or ``@srcgrad.grad(...)``, if any.

    Raises:
        UnsupportedSyntaxError: another decorator is below it, so what it
            differentiates is whatever that decorator returns.
    """
    modules, functions = _srcgrad_names(module)
    decorators = source.node.decorator_list
    for position, decorator in enumerate(decorators):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not _is_grad(target, modules, functions):
            continue
        if position + 1 < len(decorators):
            raise UnsupportedSyntaxError(
                "@srcgrad.grad differentiates what this decorator returns, which "
                "srcgrad show cannot know without running the file; put "
                "@srcgrad.grad innermost",
                source.location(decorators[position + 1]),
            )
        return decorator
    return None


def _srcgrad_names(module: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the srcgrad module, and to ``srcgrad.grad``, by imports
    anywhere in the module's scope (inside ``try`` or ``if`` too)."""
    modules: set[str] = set()
    functions: set[str] = set()
    for statement in module_scope_statements(module.body):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name == "srcgrad":
                    modules.add(alias.asname or "srcgrad")
        elif isinstance(statement, ast.ImportFrom) and statement.module == "srcgrad":
            for alias in statement.names:
                if alias.name == "grad":
                    functions.add(alias.asname or "grad")
    return modules, functions


def _is_grad(node: ast.expr, modules: set[str], functions: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in functions
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "grad"
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    )
