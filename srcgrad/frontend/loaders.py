"""Reading a called function: its source, its signature, whose names it reads.

A live function (``LiveResolver`` found it among a function's globals or
closure cells) is read with ``source_of_function``, which checks the text
is the code it runs; its defaults are the values the function object holds.
A ``def`` of a file ``srcgrad show`` reads is taken from the parsed file;
its defaults must be literals, since show never runs the file.
"""

from __future__ import annotations

import ast
import inspect
import sys
import types
from typing import Any

from srcgrad.errors import SourceUnavailableError
from srcgrad.frontend.callees import CalleeSource, Default, Scope
from srcgrad.frontend.resolve import FunctionBinding, LiveResolver, Resolver
from srcgrad.frontend.source import (
    LAMBDA_DISPLAY,
    LAMBDA_NAME,
    FunctionSource,
    gradient_callee_error,
    source_of_function,
)


def live_callee(
    binding: FunctionBinding, caller: Scope, root_globals: dict[str, Any] | None
) -> CalleeSource:
    """How to lower the live function ``binding`` holds, called from ``caller``.

    Raises:
        SourceUnavailableError: it has no readable source, is wrapped by a
            decorator or is itself a gradient, or its globals are not those
            of the entry function nor of a module srcgrad can import.
    """
    function = binding.function
    assert isinstance(function, types.FunctionType)
    _refuse_unreadable(function, binding.name)
    source = source_of_function(function)
    steps: tuple[tuple[str, str], ...]
    if binding.module is not None:  # helpers.smooth
        steps = (("global", binding.module), ("attribute", binding.name))
    else:
        steps = (("closure" if binding.closure else "global", binding.name),)
    scope = Scope((*caller.path, *steps), _module_of(function, root_globals))
    name = binding.name if function.__name__ == "<lambda>" else function.__name__
    return CalleeSource(
        function,
        name,
        function.__qualname__,
        source,
        LiveResolver(function),
        scope,
        _live_signature(function),
    )


def live_entry(function: types.FunctionType) -> CalleeSource:
    """How to lower the live function a program is for."""
    source = source_of_function(function)
    return CalleeSource(
        function,
        source.name,
        function.__qualname__,
        source,
        LiveResolver(function),
        Scope(),
        _live_signature(function),
    )


def file_entry(source: FunctionSource, resolver: Resolver) -> CalleeSource:
    """How to lower a ``def`` of a file, read without running it, that a
    program is for."""
    return _file_source(source, resolver, source.node.name)


def file_callee(binding: FunctionBinding) -> CalleeSource:
    """How to lower a function of a file read without running it: a
    top-level ``def``, or a lambda, named (as live) by the name it is
    called by."""
    source = binding.source
    assert isinstance(source, FunctionSource)
    name = binding.name if source.node.name == LAMBDA_NAME else source.node.name
    return _file_source(source, binding.resolver, name)  # type: ignore[arg-type]


def _file_source(source: FunctionSource, resolver: Resolver, name: str) -> CalleeSource:
    node = source.node
    literal = "not a number srcgrad show can read without running the file"
    defaults: list[Default | None] = [
        _literal_default(value, literal) for value in default_expressions(node.args)
    ]
    signature = signature_of(node.args, defaults)
    # Messages name it as Python does (its __qualname__, `<lambda>`).
    display = LAMBDA_DISPLAY if node.name == LAMBDA_NAME else node.name
    return CalleeSource(node, name, display, source, resolver, Scope(), signature)


def signature_of(
    arguments: ast.arguments, defaults: list[Default | None]
) -> inspect.Signature:
    """The signature ``arguments`` declares, with ``defaults`` (one per
    parameter that has one, in ``default_expressions`` order) as its defaults.

    Raises:
        ValueError: from ``inspect``, for what Python would not compile.
    """
    kinds: list[Any] = [inspect.Parameter.POSITIONAL_ONLY] * len(arguments.posonlyargs)
    kinds += [inspect.Parameter.POSITIONAL_OR_KEYWORD] * len(arguments.args)
    positional = arguments.posonlyargs + arguments.args
    pending = iter(defaults)
    first_default = len(positional) - len(arguments.defaults)
    parameters = []
    for index, (arg, kind) in enumerate(zip(positional, kinds, strict=True)):
        default = next(pending) if index >= first_default else inspect.Parameter.empty
        parameters.append(inspect.Parameter(arg.arg, kind, default=default))
    if arguments.vararg is not None:
        variadic = inspect.Parameter.VAR_POSITIONAL
        parameters.append(inspect.Parameter(arguments.vararg.arg, variadic))
    for arg, given in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        default = next(pending) if given is not None else inspect.Parameter.empty
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters.append(inspect.Parameter(arg.arg, keyword, default=default))
    if arguments.kwarg is not None:
        keywords = inspect.Parameter.VAR_KEYWORD
        parameters.append(inspect.Parameter(arguments.kwarg.arg, keywords))
    return inspect.Signature(parameters)


def default_expressions(arguments: ast.arguments) -> list[ast.expr]:
    """The default expressions, positional then keyword-only."""
    keyword = [value for value in arguments.kw_defaults if value is not None]
    return list(arguments.defaults) + keyword


def _literal_default(node: ast.expr, problem: str) -> Default:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return Default(problem=problem)
    return number_default(value, problem)


def number_default(value: object, problem: str | None = None) -> Default:
    """``value`` as a default a call may use: a number, a bool or None."""
    if value is None or type(value) in (bool, int, float):
        return Default(value=value)
    return Default(problem=problem or f"a {type(value).__name__}, not a number")


def _live_signature(function: types.FunctionType) -> inspect.Signature:
    """``function``'s signature, its defaults the values it holds."""
    signature = inspect.signature(function, follow_wrapped=False)
    parameters = [
        (
            parameter
            if parameter.default is inspect.Parameter.empty
            else parameter.replace(default=number_default(parameter.default))
        )
        for parameter in signature.parameters.values()
    ]
    return signature.replace(parameters=parameters)


def _refuse_unreadable(function: types.FunctionType, name: str) -> None:
    """Refuse a gradient (called as ``name``), or a wrapper whose source is
    not what it runs."""
    if hasattr(function, "__srcgrad__"):
        # Its qualified name is srcgrad's registry key: name it as called.
        raise gradient_callee_error(name)
    if hasattr(function, "__wrapped__"):
        raise SourceUnavailableError(
            f"{function.__qualname__} is wrapped by a decorator, so what a call "
            "runs is not its source; call the undecorated function"
        )


def _module_of(
    function: types.FunctionType, root_globals: dict[str, Any] | None
) -> str | None:
    """The module whose globals ``function`` reads, if not the entry's.

    Raises:
        SourceUnavailableError: its globals are no importable module's.
    """
    if root_globals is None or function.__globals__ is root_globals:
        return None
    name = function.__module__
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is None or vars(module) is not function.__globals__:
        raise SourceUnavailableError(
            f"{function.__qualname__} reads the globals of a namespace that is not "
            "an importable module (made by exec?), which generated code cannot "
            "read; define it in a module, or next to the function differentiated"
        )
    return name
