"""The bindings ``FileResolver`` gives names whose objects it cannot know,
or knows only by importing ``math`` and ``numpy``."""

from __future__ import annotations

import importlib
from types import ModuleType

from srcgrad.frontend.resolve import RULE_MODULES, GlobalBinding, OtherBinding


def value_binding(name: str) -> GlobalBinding:
    """A global whose object is unknown: read when the gradient runs."""
    return GlobalBinding(name, f"global {name!r}")


def module_or_why(dotted: str, line: int) -> ModuleType | OtherBinding:
    """The module ``dotted`` if srcgrad has rules for it and it imports."""
    where = f" (imported on line {line})" if line else ""
    if dotted.split(".")[0] not in RULE_MODULES:
        return OtherBinding(f"module {dotted!r}, which srcgrad has no rules for{where}")
    try:
        return importlib.import_module(dotted)
    except ImportError as error:
        return OtherBinding(
            f"module {dotted!r}{where}, which cannot be imported ({error})"
        )


def attribute_binding(module: ModuleType, name: str, line: int) -> object:
    if hasattr(module, name):
        return getattr(module, name)
    return OtherBinding(
        f"{name!r} (imported on line {line} from {module.__name__!r}, "
        "which has no such name)"
    )


def unread_binding(name: str, dotted: str, line: int) -> GlobalBinding:
    """A name imported from a module show does not read (another module of
    the user's, a relative import): any object. As a number it is read when
    the gradient runs, as a live function's global would be."""
    return GlobalBinding(
        name,
        f"{name!r} (imported on line {line} from {dotted!r}, which srcgrad "
        "show does not read)",
        if_called=(
            "srcgrad show reads one file without running it; the decorator "
            "(srcgrad.grad) reads the function when it runs, and "
            "srcgrad.source shows what it builds"
        ),
    )
