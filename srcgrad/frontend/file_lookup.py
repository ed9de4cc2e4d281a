"""What a name of a file means, from every binding the file makes of it.

``FileResolver`` reads a file's top-level statements in order and records
each binding of each name: what it binds the name to, on which line, in
which top-level statement, and whether that statement surely runs when the
module is imported. ``lookup`` then answers what the name refers to once
the whole file has run, or when one top-level statement runs (what a
decorator on a ``def`` sees). A name whose object depends on what show
cannot know (which branch ran, when a module-level ``grad(f)`` ran, what a
star import of another module binds) is never guessed.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from enum import Enum

from srcgrad.frontend.resolve import (
    Binding,
    GlobalBinding,
    OtherBinding,
    classify_object,
)


class When(Enum):
    """When a binding happens, relative to importing the module."""

    ALWAYS = "always"
    MAYBE = "maybe"
    NEVER = "only for type checkers"


@dataclass(frozen=True)
class Definition:
    """One binding of a name: what to, where, and whether it surely runs."""

    binding: Binding
    line: int
    order: int  # the top-level statement it is in
    when: When


@dataclass(frozen=True)
class StarImport:
    """``from elsewhere import *`` of a module show does not read."""

    module: str
    line: int
    order: int


def lookup(
    name: str,
    definitions: list[Definition],
    stars: list[StarImport],
    before: int | None,
) -> Binding | None:
    """What ``name``, bound by ``definitions``, refers to once the file has
    run (``before`` None) or when top-level statement ``before`` runs.

    Once the file has run, a name bound in more than one way is not
    resolved to any of them: a module-level ``grad(f)`` may have been
    called at any point.
    """
    running = [
        found
        for found in definitions
        if found.when is not When.NEVER and (before is None or found.order < before)
    ]
    if before is not None:
        # Statements run in order: the last sure binding replaced the rest.
        sure = [i for i, found in enumerate(running) if found.when is When.ALWAYS]
        running = running[sure[-1] :] if sure else running
    last = max((found.order for found in running), default=-1)
    star = next(
        (
            star
            for star in stars
            if last < star.order and (before is None or star.order < before)
        ),
        None,
    )
    if not running and star is None:
        return _unbound(name, definitions)
    bindings = list(dict.fromkeys(found.binding for found in running))
    # One object, bound for sure (perhaps also where it may not run).
    bound = any(found.when is When.ALWAYS for found in running)
    if len(bindings) == 1 and bound and star is None:
        return bindings[0]
    return _unknowable(name, running, bindings, star)


def _unbound(name: str, definitions: list[Definition]) -> Binding | None:
    """A name no running statement binds: a builtin, or not defined."""
    if hasattr(builtins, name):
        return classify_object(getattr(builtins, name), name)
    if definitions and all(found.when is When.NEVER for found in definitions):
        return OtherBinding(
            f"{name!r} (imported only under `if TYPE_CHECKING:` on line "
            f"{definitions[0].line}, so not defined when the code runs)"
        )
    return None


def _unknowable(
    name: str,
    definitions: list[Definition],
    bindings: list[Binding],
    star: StarImport | None,
) -> Binding:
    """A name bound in several ways, or perhaps by ``from elsewhere import *``.

    If every binding show knows of is a value, it is read when the gradient
    runs, whatever it holds then (a star import may bind any object, as
    ``from elsewhere import name`` may); otherwise using it is an error.
    Calling it is an error that says how to make it readable.
    """
    lines = sorted({definition.line for definition in definitions})
    listed = ", ".join(str(line) for line in lines)
    if star is not None:
        why = f"it may come from `from {star.module} import *` on line {star.line}"
        hint = f"import {name} by name, or bind it after that import"
    elif len(lines) > 1 and all(d.when is When.ALWAYS for d in definitions):
        why = (
            f"it is bound more than once, on lines {listed}, so what it is "
            "depends on when srcgrad.grad runs"
        )
        hint = "give each function a name of its own"
    else:
        if len(lines) == 1:
            why = f"it is bound conditionally, on line {lines[0]}"
        else:
            why = f"it is bound conditionally or more than once, on lines {listed}"
        hint = (
            "bind the function once, unconditionally, at the top level of the "
            "file; or build the gradient with srcgrad.grad, which reads the "
            "function that runs"
        )
    description = (
        f"{name!r} ({why}; srcgrad show cannot tell what it is without running "
        "the file)"
    )
    if all(isinstance(each, GlobalBinding) and each.is_value for each in bindings):
        return GlobalBinding(name, description, if_called=hint)
    return OtherBinding(description, if_called=hint)
