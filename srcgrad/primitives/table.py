"""The finished table of primitives, on top of the modules that define them.

``PRIMITIVES`` maps canonical names to primitives; it is built here, once,
and frozen. ``spellings_in`` reads each primitive's spellings (the one
namespace table: what code writes and what else users call it) to tell the
frontend which Python objects are which primitive, so ``np.arcsin``,
``from math import asin`` and ``np.asin`` all lower to ``asin``.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType, ModuleType

from srcgrad.ir.types import REAL, Scalar, Type
from srcgrad.primitives.arithmetic import ARITHMETIC
from srcgrad.primitives.arrays import ARRAYS
from srcgrad.primitives.elementwise import ELEMENTWISE
from srcgrad.primitives.logic import LOGIC
from srcgrad.primitives.power import POWER
from srcgrad.primitives.primitive import Primitive

#: The primitives of numbers: each elementwise on arrays too.
SCALAR_PRIMITIVES: MappingProxyType[str, Primitive] = MappingProxyType(
    {
        primitive.name: primitive
        for primitive in (*ARITHMETIC, *POWER, *ELEMENTWISE, *LOGIC)
    }
)
#: Every primitive: those of numbers, then those of arrays (``arrays``).
PRIMITIVES: MappingProxyType[str, Primitive] = MappingProxyType(
    {**SCALAR_PRIMITIVES, **{primitive.name: primitive for primitive in ARRAYS}}
)


def spellings_in(module: ModuleType) -> Iterator[tuple[object, Primitive, str]]:
    """Each ``(function object, primitive, namespace)`` that ``module`` holds.

    Args:
        module: ``math``, ``numpy``, ``numpy.linalg`` or ``builtins``.

    Returns:
        An iterator over the module's functions that are primitives (its
        own: see ``is_own``); the namespace is the one generated code
        writes the op (and calls the derivative's functions) in: the
        module's name (``numpy.linalg`` for ``np.linalg.solve``). A builtin
        that means an operator (``pow``) is in the ``operator`` namespace.
    """
    for _, found, own, primitive, namespace in _spelled(module):
        if own:
            yield found, primitive, namespace


def replaced_in(module: ModuleType) -> Iterator[str]:
    """The names of primitives in ``module`` that hold something other than
    its own function (``math.sin = my_sin``, a mock)."""
    for name, _, own, _, _ in _spelled(module):
        if not own:
            yield name


def _spelled(module: ModuleType) -> Iterator[tuple[str, object, bool, Primitive, str]]:
    """Each name of a primitive ``module`` holds: the name, what it holds,
    whether that is the library's own function, the primitive, the
    namespace."""
    namespaces = ("builtins", "operator") if module is builtins else (module.__name__,)
    for primitive in PRIMITIVES.values():
        for namespace in namespaces:
            spelling = primitive.spelling(namespace)
            if spelling is None:
                continue
            names = spelling.also if namespace == "operator" else spelling.names
            for name in names:
                found = getattr(module, name, None)
                if found is not None:
                    own = is_own(found, module, names)
                    yield name, found, own, primitive, namespace


def is_own(found: object, module: ModuleType, names: Sequence[str]) -> bool:
    """``found`` is the library's own function of one of ``names``, not
    another put in its place (``math.sin = my_sin``, ``math.sin =
    math.cos``, a mock): that is what its rule is the derivative of."""
    return (
        getattr(found, "__module__", None) == module.__name__
        and getattr(found, "__name__", None) in names
    )


@functools.cache
def without_rule(namespace: str, name: str, arity: int) -> Primitive:
    """A ``math`` or NumPy function srcgrad has no derivative rule for.

    ``math.lgamma(nu)`` in a log-density differentiated with respect to
    ``x`` needs no rule: the op computes its value as written, and reverse
    mode refuses it only if it lies between ``wrt`` and the output. One
    primitive per function and arity, so CSE merges equal calls.

    Of numbers it gives a number. Of arrays nothing is known of its result
    (``np.linalg.cond(A)`` is a number, ``np.cumprod(x)`` an array): its type
    is unknown, never guessed elementwise, so adjoints it reaches are summed
    back to their operands' shapes when the code runs.
    """
    return Primitive(
        f"{namespace}.{name}",
        arity,
        {namespace: name},
        None,
        None,
        (),
        opaque=True,
        result_type=_unknown_of_arrays,
        view=True,  # np.atleast_1d(y) may be y itself
    )


def _unknown_of_arrays(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """A number for numbers; for anything else, unknown (None)."""
    if all(isinstance(type_, Scalar) for type_ in types):
        return REAL
    return None
