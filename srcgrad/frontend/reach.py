"""The live functions a function reaches through the names it calls.

A gradient depends on the code of every function of the user's it calls,
not only on its own: the cache key holds each one's code, what its names
resolve to and its defaults, so rebinding or reloading a helper rebuilds
the gradient. And the gradient reads a helper's closure variables from the
helper's own cells, found by following the path of names that leads to it
from the function differentiated (``follow``).
"""

from __future__ import annotations

import types
from collections.abc import Hashable, Iterator
from typing import Any

from srcgrad.frontend.resolve import FunctionBinding, LiveResolver, OtherBinding

#: A path of names (see ``srcgrad.frontend.callees.Path``).
Path = tuple[tuple[str, str], ...]


def resolution(function: types.FunctionType) -> tuple[tuple[str, Any], ...]:
    """What each name ``function`` (or a function nested in it) reads
    resolves to: part of the cache key of its gradient."""
    resolver = LiveResolver(function)
    code = function.__code__
    names = dict.fromkeys(names_read(code, code.co_freevars))
    return tuple((name, resolver.resolve(name)) for name in names)


def reached(
    function: types.FunctionType,
    resolved: tuple[tuple[str, Any], ...] | None = None,
) -> list[types.FunctionType]:
    """``function`` and every live function its calls may reach, once each,
    in the order found (``resolved`` is ``function``'s ``resolution``)."""
    found: dict[int, types.FunctionType] = {id(function): function}
    pending = [(function, resolved or resolution(function))]
    while pending:
        current, bindings = pending.pop(0)
        names = [name for name, _ in bindings]
        for _, binding in bindings:
            for callee in _functions(binding, names):
                if id(callee) not in found:
                    found[id(callee)] = callee
                    pending.append((callee, resolution(callee)))
    return list(found.values())


def _functions(binding: object, names: list[str]) -> Iterator[types.FunctionType]:
    """The function ``binding`` is, or of a module of the user's, the
    functions it holds under one of ``names`` (``helpers.smooth``)."""
    if isinstance(binding, FunctionBinding):
        if isinstance(binding.function, types.FunctionType):
            yield binding.function
    elif isinstance(binding, OtherBinding) and binding.module is not None:
        for name in names:
            found = getattr(binding.module, name, None)
            if isinstance(found, types.FunctionType):
                yield found


def names_read(code: types.CodeType, freevars: tuple[str, ...]) -> Iterator[str]:
    """The global names ``code`` and the code nested in it read, then the
    closure variables of the function itself."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from names_read(constant, ())
    yield from freevars


def fingerprint(
    function: types.FunctionType, resolved: tuple[tuple[str, Any], ...]
) -> Hashable:
    """What a gradient built from ``function`` depends on beyond its own
    code and ``resolved`` (its ``resolution``): for each other function
    reached, its code (held, so its id is never reused), what its names
    resolve to, and its defaults."""
    if not any(_leads_on(binding) for _, binding in resolved):
        return ()  # calls none: the common case, on every cache hit
    return tuple(
        (other.__code__, resolution(other), _defaults(other))
        for other in reached(function, resolved)[1:]
    )


def _leads_on(binding: object) -> bool:
    """A function of the user's, or a module of the user's (its functions)."""
    if isinstance(binding, FunctionBinding):
        return True
    return isinstance(binding, OtherBinding) and binding.module is not None


def _defaults(function: types.FunctionType) -> Hashable:
    positional = tuple(_default(value) for value in function.__defaults__ or ())
    keywords = tuple(
        (name, _default(value))
        for name, value in sorted((function.__kwdefaults__ or {}).items())
    )
    return positional, keywords


def _default(value: Any) -> Hashable:
    """A number as itself (1 is not 1.0); any other object by identity."""
    if value is None or type(value) in (bool, int, float):
        return (type(value).__name__, repr(value))
    return ("object", id(value))


def follow(function: types.FunctionType, path: Path) -> types.FunctionType:
    """The function ``path`` leads to from ``function``.

    Raises:
        LookupError: a name on the way no longer holds a function.
    """
    current: Any = function
    for kind, name in path:
        if kind == "attribute":  # of a module
            current = getattr(current, name, None)
        elif kind == "global" and name in current.__globals__:
            current = current.__globals__[name]
        else:
            current = cell(current, name).cell_contents
        if not isinstance(current, (types.FunctionType, types.ModuleType)):
            raise LookupError(f"{name} no longer holds a function")
    if not isinstance(current, types.FunctionType):
        raise LookupError(f"{path[-1][1]} no longer holds a function")
    return current


def cell(function: types.FunctionType, name: str) -> types.CellType:
    """The cell of ``function``'s closure variable ``name``."""
    index = function.__code__.co_freevars.index(name)
    closure = function.__closure__
    assert closure is not None
    return closure[index]
