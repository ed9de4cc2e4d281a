"""What a live function's gradient depends on: the objects its names are
bound to, and the functions of the user's it reaches through calls.

A gradient depends on the code of every function of the user's it calls,
not only on its own, and on what each name read means: ``sin`` bound to
``math.sin`` or to a function of the user's makes different code. The
caches key a gradient on ``meanings`` (each name's object, by identity,
except data, which the code reads when it runs) and ``fingerprint`` (the
code, meanings and defaults of each function reached), so rebinding or
reloading anything the code was built from builds it again. And the
gradient reads a helper's closure variables from the helper's own cells,
found by following the path of names that leads to it from the function
differentiated (``follow``).

This is the cheap, conservative view of the frontend's name resolution
(``srcgrad.frontend.resolve``), which classifies the same objects: any
change that can change a classification changes a meaning, and finding a
gradient in a cache never imports the frontend.
"""

from __future__ import annotations

import builtins
import types
from collections.abc import Hashable, Iterator
from typing import Any

#: A path of names (see ``srcgrad.frontend.callees.Path``).
Path = tuple[tuple[str, str], ...]

#: What each name a function reads means (see ``meanings``).
Meanings = tuple[tuple[str, Hashable], ...]

#: The packages whose functions are primitives or have no rule: never
#: followed into.
_LIBRARIES = frozenset({"math", "numpy"})


class Identity:
    """An object, compared and hashed by identity (and kept alive, so its
    id is not reused while a key holds it)."""

    __slots__ = ("held",)

    def __init__(self, held: object) -> None:
        self.held = held

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identity) and other.held is self.held

    def __hash__(self) -> int:
        return id(self.held)

    def __repr__(self) -> str:
        return f"Identity({self.held!r})"


def meanings(function: types.FunctionType) -> Meanings:
    """What each name ``function`` (or a function nested in it) reads is
    bound to: where it is found (closure, global, builtin) and what it
    holds: a module or any callable by identity, a function with a rule of
    the user's by the kind of its rule, and data (a number, an array: read
    when the code runs) as data. An unbound name means None. For a module,
    also what each name read is bound to in it (``helpers.smooth``,
    ``math.sin``: rebinding one is a change too), one level down."""
    code = function.__code__
    closure = dict(zip(code.co_freevars, function.__closure__ or (), strict=True))
    namespace = function.__globals__
    names = tuple(dict.fromkeys(names_read(code, code.co_freevars)))
    found = []
    for name in names:
        meaning: Hashable = None
        if name in closure:
            try:
                meaning = ("closure", _meaning(closure[name].cell_contents, names))
            except ValueError:  # an empty cell
                meaning = None
        elif name in namespace:
            meaning = ("global", _meaning(namespace[name], names))
        elif hasattr(builtins, name):
            meaning = ("builtin", _meaning(getattr(builtins, name), names))
        found.append((name, meaning))
    return tuple(found)


def _meaning(value: object, names: tuple[str, ...], depth: int = 2) -> Hashable:
    custom = getattr(type(value), "_srcgrad_custom_rule", "")
    if custom:  # its calls call the object the name holds when they run
        return ("custom", custom)
    if isinstance(value, types.ModuleType):
        if depth <= 1:
            return ("module", Identity(value))
        held = vars(value)  # not getattr: a module's __getattr__ may warn
        attributes = tuple(
            (name, _meaning(held[name], names, depth - 1))
            for name in names
            if name in held
        )
        return ("module", Identity(value), attributes)
    if callable(value):
        return ("callable", Identity(value))
    return ("data",)


def names_read(code: types.CodeType, freevars: tuple[str, ...]) -> Iterator[str]:
    """The global names ``code`` and the code nested in it read, then the
    closure variables of the function itself."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from names_read(constant, ())
    yield from freevars


def reached(
    function: types.FunctionType, meant: Meanings | None = None
) -> list[types.FunctionType]:
    """``function`` and every function of the user's its calls may reach,
    once each, in the order found (``meant`` is ``function``'s
    ``meanings``)."""
    return list(_reached(function, meant or meanings(function)))


def _reached(
    function: types.FunctionType, meant: Meanings
) -> dict[types.FunctionType, Meanings]:
    """``reached``, each function with its meanings."""
    found: dict[types.FunctionType, Meanings] = {function: meant}
    pending = [function]
    while pending:
        current = pending.pop(0)
        for _, meaning in found[current]:
            for callee in _functions(meaning):
                if callee not in found:
                    found[callee] = meanings(callee)
                    pending.append(callee)
    return found


def _functions(meaning: Hashable) -> Iterator[types.FunctionType]:
    """The function of the user's ``meaning`` is, or of a module of the
    user's, the functions it holds under the names read
    (``helpers.smooth``)."""
    kind, value = _held(meaning)
    if kind == "callable" and _users(value):
        yield value  # type: ignore[misc]
    elif kind == "module" and _module_of_users(value):
        for _, attribute in _attributes(meaning):
            yield from _functions(("attribute", attribute))


def _held(meaning: Hashable) -> tuple[str, object]:
    """The kind of object a meaning is of, and the object (None for data)."""
    if not isinstance(meaning, tuple):
        return "", None
    kind, *held = meaning[1]
    return kind, held[0].held if held and isinstance(held[0], Identity) else None


def _attributes(meaning: Hashable) -> tuple[tuple[str, Hashable], ...]:
    """A module's meaning: what the names read are bound to in it."""
    assert isinstance(meaning, tuple)
    held = meaning[1]
    return held[2] if len(held) > 2 else ()


def _users(value: object) -> bool:
    """A Python function, not one of a library srcgrad has rules for."""
    if not isinstance(value, types.FunctionType):
        return False
    module = getattr(value, "__module__", None) or ""
    return module.partition(".")[0] not in _LIBRARIES


def _module_of_users(value: object) -> bool:
    name = getattr(value, "__name__", "") or ""
    return name.partition(".")[0] not in _LIBRARIES


def fingerprint(function: types.FunctionType, meant: Meanings) -> Hashable:
    """What a gradient built from ``function`` depends on beyond its own
    code and ``meant`` (its ``meanings``): for each other function reached,
    its code (held, so its id is never reused), its meanings, and its
    defaults."""
    if not any(_leads_on(meaning) for _, meaning in meant):
        return ()  # calls none: the common case, on every cache hit
    others = list(_reached(function, meant).items())[1:]
    return tuple((other.__code__, its, _defaults(other)) for other, its in others)


def _leads_on(meaning: Hashable) -> bool:
    """A function of the user's, or a module of the user's (its functions)."""
    kind, value = _held(meaning)
    if kind == "callable":
        return _users(value)
    return kind == "module" and _module_of_users(value)


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
    return ("object", Identity(value))


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
