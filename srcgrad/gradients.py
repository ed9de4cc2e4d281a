"""The module every gradient says it belongs to, so pickle can find it.

``getattr(srcgrad.gradients, name)`` is the gradient whose qualified name
is ``name`` (see ``srcgrad.reference``): the very object, while it is alive
in this process; otherwise (a ``multiprocessing`` worker, another run) the
primal is imported by its module and qualified name and differentiated
again with the same ``wrt``. That is what pickling a gradient by reference
needs, and it asks of the primal what pickling the primal itself asks: a
module-level function (or a method of a module-level class).
"""

from __future__ import annotations

import importlib
import types

from srcgrad.api import transformed
from srcgrad.compiled import GradientInfo
from srcgrad.reference import REGISTRY, Reference


def __getattr__(name: str) -> types.FunctionType:
    """The gradient called ``name``, found or built again (PEP 562)."""
    try:
        reference = Reference.decode(name)
    except ValueError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    found = REGISTRY.get(name)
    if found is not None:
        _check_rebuilds_the_same(found, reference)
        return found
    primal = _primal(reference)
    wrt = reference.wrt if reference.as_tuple else reference.wrt[0]
    gradient = transformed(
        primal,
        wrt,
        with_value=reference.with_value,
        has_aux=reference.has_aux,
        kind=reference.kind,
    )
    REGISTRY.alias(name, gradient)
    return REGISTRY.get(name) or gradient


def _check_rebuilds_the_same(
    gradient: types.FunctionType, reference: Reference
) -> None:
    """Refuse to hand out a gradient another process would rebuild differently.

    Pickle looks the gradient up here before writing its reference; if the
    primal's module no longer holds that primal (reloaded after an edit,
    the name rebound), a worker would differentiate something else. Pickle
    refuses a stale function for the same reason.
    """
    if "<" in reference.qualname:
        # Its name is only unique in this process: another process (even a
        # forked one, which may build its own) could give it to another
        # gradient. Python refuses to pickle such functions too.
        raise AttributeError(
            f"the gradient of {reference.module}.{reference.qualname} cannot be "
            "pickled: only functions reachable by module and name (not lambdas, "
            "not functions defined inside functions) can be"
        )
    info = gradient.__srcgrad__  # type: ignore[attr-defined]
    try:
        current = _primal(reference)
    except AttributeError:
        current = None
    if current is not info.primal:
        raise AttributeError(
            f"the gradient of {reference.module}.{reference.qualname} refers to "
            "a function its module no longer holds (reloaded or rebound), so "
            "another process would differentiate something else; take the "
            "gradient of the current function"
        )


def _primal(reference: Reference) -> types.FunctionType:
    """The function ``reference`` names, found by importing its module."""
    where = f"{reference.module}.{reference.qualname}"
    if "<" in reference.qualname:
        raise AttributeError(
            f"cannot rebuild the gradient of {where} in this process: only "
            "functions reachable by module and name (not lambdas, not functions "
            "defined inside functions) can be"
        )
    try:
        found: object = importlib.import_module(reference.module)
        for part in reference.qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as error:
        raise AttributeError(
            f"cannot rebuild the gradient of {where}: {error}"
        ) from None
    # ``@srcgrad.grad def f`` leaves the gradient at ``module.f``.
    info = getattr(found, "__srcgrad__", None)
    if isinstance(info, GradientInfo):
        found = info.primal
    if not isinstance(found, types.FunctionType):
        raise AttributeError(f"cannot rebuild the gradient of {where}: not a function")
    return found
