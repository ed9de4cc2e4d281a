"""The decorators above a function in a file, and what they ask for.

``srcgrad show`` reads files without running them; a function decorated
with ``@srcgrad.grad(wrt=("x", "y"))`` should be shown with the gradient
that decorator builds, so its ``wrt`` is read from the source. Any other
decorator makes the name hold whatever it returned, which show cannot know:
such a function is neither shown nor called, and show says why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from srcgrad.errors import (
    CallError,
    SourceUnavailableError,
    SrcgradError,
    UnsupportedSyntaxError,
)
from srcgrad.frontend.module_scope import module_scope_statements
from srcgrad.frontend.source import FunctionSource, gradient_callee_error
from srcgrad.wrt import is_wrt_like, positional_wrt_error

#: Where to look instead, for what show cannot know without running a file.
LIVE_HINT = (
    "srcgrad.grad reads the function when it runs, and srcgrad.source shows "
    "what it builds"
)


#: The srcgrad functions that decorate a ``def`` with its derivative.
TRANSFORMS = ("grad", "value_and_grad", "derivative", "hessian")
#: The decorators that give a function a rule of the user's, by its kind.
CUSTOM_RULES = {"custom_jvp": "jvp", "custom_vjp": "vjp"}


@dataclass(frozen=True)
class SrcgradNames:
    """The names a module binds to the srcgrad module and to its
    decorators (``srcgrad.grad`` and the other ``TRANSFORMS``, by what each
    name holds), by imports anywhere in its scope (inside ``try`` or ``if``
    too)."""

    modules: frozenset[str]
    functions: dict[str, str]

    @classmethod
    def of(cls, module: ast.Module) -> SrcgradNames:
        modules: set[str] = set()
        functions: dict[str, str] = {}
        for statement in module_scope_statements(module.body):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.name == "srcgrad":
                        modules.add(alias.asname or "srcgrad")
            elif isinstance(statement, ast.ImportFrom) and (
                statement.module == "srcgrad"
            ):
                for alias in statement.names:
                    if alias.name in (*TRANSFORMS, *CUSTOM_RULES):
                        functions[alias.asname or alias.name] = alias.name
        return cls(frozenset(modules), functions)

    def is_grad(self, decorator: ast.expr) -> bool:
        """Whether ``decorator`` is ``@srcgrad.grad`` or ``@srcgrad.grad(...)``
        (or another of srcgrad's ``TRANSFORMS``)."""
        return self.kind_of(decorator) is not None

    def kind_of(self, decorator: ast.expr) -> str | None:
        """Which of ``TRANSFORMS`` ``decorator`` is, if one is."""
        found = self._srcgrad_function(decorator)
        return found if found in TRANSFORMS else None

    def custom_rule(self, node: ast.FunctionDef) -> str | None:
        """``jvp`` or ``vjp`` if the ``def`` is decorated with srcgrad's
        ``custom_jvp`` or ``custom_vjp`` alone (its calls call the rule)."""
        if len(node.decorator_list) != 1:
            return None
        found = self._srcgrad_function(node.decorator_list[0])
        return CUSTOM_RULES.get(found or "")

    def _srcgrad_function(self, decorator: ast.expr) -> str | None:
        """The srcgrad function ``decorator`` names (called or not), if any."""
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(node, ast.Name):
            return self.functions.get(node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.modules
        ):
            return node.attr
        return None


def decorated_callee_error(
    node: ast.FunctionDef | ast.AsyncFunctionDef, names: SrcgradNames
) -> SrcgradError | None:
    """Why a call to the decorated ``def`` ``node`` cannot be read from the
    file, as ``srcgrad.grad`` would refuse the object its name holds."""
    if not node.decorator_list:
        return None
    outermost = node.decorator_list[0]
    if names.is_grad(outermost):
        return gradient_callee_error(node.name)
    return SourceUnavailableError(
        f"{node.name} is decorated with @{ast.unparse(outermost)} on line "
        f"{outermost.lineno}, so it holds what that decorator returned, which "
        f"srcgrad show cannot know without running the file; call an "
        f"undecorated function ({LIVE_HINT})"
    )


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


def is_custom_rule(node: ast.FunctionDef, module: ast.Module) -> bool:
    """Whether the ``def`` has a rule of the user's (``@srcgrad.custom_jvp``)
    or is one (``@f.defjvp``, or passed to ``f.defvjp(f_fwd, f_bwd)`` in
    the module): code that calls it is differentiated, not it."""
    if SrcgradNames.of(module).custom_rule(node) is not None:
        return True
    if any(
        isinstance(decorator, ast.Attribute) and decorator.attr in ("defjvp", "defvjp")
        for decorator in node.decorator_list
    ):
        return True
    return node.name in _rules_given(module)


def _rules_given(module: ast.Module) -> set[str]:
    """The names a module passes to ``f.defjvp(...)`` or ``f.defvjp(...)``."""
    names: set[str] = set()
    for statement in module_scope_statements(module.body):
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("defjvp", "defvjp")
        ):
            names.update(a.id for a in call.args if isinstance(a, ast.Name))
    return names


def declared_kind(source: FunctionSource, module: ast.Module) -> str | None:
    """Which of srcgrad's ``TRANSFORMS`` decorates the function, if one does."""
    decorator = grad_decorator(source, module)
    if decorator is None:
        return None
    return SrcgradNames.of(module).kind_of(decorator)


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
            differentiates is whatever that decorator returns; or the
            function has decorators and none is srcgrad's, so its name holds
            whatever they return.
    """
    names = SrcgradNames.of(module)
    decorators = source.node.decorator_list
    for position, decorator in enumerate(decorators):
        if not names.is_grad(decorator):
            continue
        if position + 1 < len(decorators):
            raise UnsupportedSyntaxError(
                "@srcgrad.grad differentiates what this decorator returns, which "
                "srcgrad show cannot know without running the file; put "
                "@srcgrad.grad innermost",
                source.location(decorators[position + 1]),
            )
        return decorator
    if decorators:
        raise UnsupportedSyntaxError(
            f"{source.name} is decorated with @{ast.unparse(decorators[0])}, so "
            f"{source.name} is what that decorator returned, which srcgrad show "
            f"cannot know without running the file; {LIVE_HINT}",
            source.location(decorators[0]),
        )
    return None
