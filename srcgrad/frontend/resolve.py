"""What a free name in the user's function refers to.

A name that is not a parameter or a local is looked up, in Python's order,
among the closure variables, the module globals and the builtins, and
classified as one of the ``Binding`` kinds below. Two resolvers share that
classification: ``LiveResolver`` reads a live function's globals and
closure; ``FileResolver`` (``file_resolver.py``) reads a file's own imports
and top-level assignments without running it (what ``srcgrad show`` needs).
Both classify the objects they know with ``classify_variable``, so a name
resolves the same way in both.
"""

from __future__ import annotations

import builtins
import math
import numbers
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import BuiltinFunctionType, FunctionType, MappingProxyType, ModuleType
from typing import Any, Protocol

from srcgrad.primitives import Primitive, spellings_in
from srcgrad.primitives.table import replaced_in

#: Modules srcgrad has rules for, by the namespace generated code calls.
#: ``numpy.linalg`` is a namespace of its own (``np.linalg.solve``), which
#: generated code reads through ``numpy``'s binding.
RULE_MODULES = {"math": "math", "numpy": "numpy", "numpy.linalg": "numpy.linalg"}


@dataclass(frozen=True)
class ModuleBinding:
    """A module with rules: ``math`` or ``numpy``, under any alias."""

    namespace: str
    module: ModuleType


@dataclass(frozen=True)
class PrimitiveBinding:
    """A primitive function, as ``np.arcsin`` or an imported ``sin``."""

    primitive: Primitive
    namespace: str
    display: str
    function: object


@dataclass(frozen=True)
class BuiltinBinding:
    """A builtin the frontend lowers itself (``max``, ``range``, ``len``).

    ``max``/``min`` become ``if`` selections, ``sum`` of a tuple written
    out becomes additions; the iteration builtins are ops over sequences.
    """

    name: str
    display: str


@dataclass(frozen=True)
class ConstantBinding:
    """A module constant known when the gradient is built (``math.pi``)."""

    value: int | float


@dataclass(frozen=True)
class GlobalBinding:
    """A global or closure variable, read when the generated code runs.

    ``is_value`` is False where the object is known not to be data
    (a user function, a class): using it as a value is an error.
    """

    name: str
    description: str
    is_value: bool = True
    closure: bool = False
    #: Why calling it is an error, where that is not just that it holds no
    #: function (``srcgrad show`` cannot read another module's functions).
    if_called: str | None = None
    #: ``jvp`` or ``vjp``: a function with a rule of the user's
    #: (``srcgrad.custom``), whose calls call the rule.
    custom: str | None = None


@dataclass(frozen=True)
class FunctionBinding:
    """A Python function of the user's: calls to it are read and lowered too.

    Exactly one of ``function`` (a live function, from ``LiveResolver``)
    and ``source`` (a ``def`` in a file, from ``FileResolver``; an object
    with ``node``) says where its code is; a function nested in the one
    being lowered is ``nested`` (its definition, from the lowering). A
    function of a file that calls cannot read (an ``async def``, a
    decorated ``def``) has ``refused`` instead: the error a call raises.

    Attributes:
        name: the name the caller calls it by.
        description: how messages name it.
        function: the live function.
        source: its ``FunctionSource`` in a file read without running it.
        resolver: what its free names mean, for ``source``.
        nested: the definition of a function nested in the caller's scope.
        closure: reached through a closure cell rather than a global.
        module: the name (in the caller's scope) of the module it is an
            attribute of, for ``helpers.smooth(x)``.
        refused: why a call to it cannot be read (a ``SrcgradError``).
    """

    name: str
    description: str
    function: object = None
    source: object = None
    resolver: object = field(default=None, compare=False)
    nested: object = None
    closure: bool = False
    module: str | None = None
    refused: object = None


@dataclass(frozen=True)
class OtherBinding:
    """Something srcgrad can't use: another module, a builtin like ``len``.

    ``no_rule_for`` names a function of ``math`` or NumPy that srcgrad has
    no derivative rule for (``math.gamma``), however it was imported.
    ``module`` is a module of the user's (with no rules): its functions may
    be called (``helpers.smooth(x)``), nothing else of it used.
    """

    description: str
    no_rule_for: str | None = None
    module: ModuleType | None = None
    #: What to do instead of calling it, where more can be said than that
    #: srcgrad cannot read it.
    if_called: str | None = None


Binding = (
    ModuleBinding
    | PrimitiveBinding
    | BuiltinBinding
    | ConstantBinding
    | GlobalBinding
    | FunctionBinding
    | OtherBinding
)

#: The builtins lowered by the frontend rather than as one primitive op.
LOWERED_BUILTINS = (
    "max",
    "min",
    "sum",
    "len",
    "range",
    "zip",
    "enumerate",
    "reversed",
)


class Resolver(Protocol):
    """Resolves the free names of one function."""

    def resolve(self, name: str) -> Binding | None:
        """What ``name`` is bound to, or None if it is not defined."""
        ...


def classify_module(module: ModuleType) -> Binding:
    namespace = RULE_MODULES.get(module.__name__)
    if namespace is None:
        return OtherBinding(
            f"module {module.__name__!r}, which srcgrad has no rules for",
            module=module,
        )
    return ModuleBinding(namespace, module)


def classify_attribute(binding: ModuleBinding, attribute: str) -> Binding | None:
    """What ``module.attribute`` is, for a module with rules."""
    if not hasattr(binding.module, attribute):
        return None
    obj = getattr(binding.module, attribute)
    display = f"{binding.module.__name__}.{attribute}"
    return classify_object(obj, display)


def classify_object(obj: Any, display: str) -> Binding:
    """Classify a known object: a module, a primitive, a numeric constant."""
    if isinstance(obj, ModuleType):
        return classify_module(obj)
    found = _primitive_objects().get(id(obj))
    if found is not None and found[0] is obj:
        return PrimitiveBinding(found[1], found[2], display, obj)
    builtin = _BUILTINS.get(id(obj))
    if builtin is not None and getattr(builtins, builtin) is obj:
        return BuiltinBinding(builtin, display)
    if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        return ConstantBinding(float(obj) if not isinstance(obj, int) else obj)
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__name__", None)
    no_rule_for = None
    if callable(obj) and isinstance(name, str) and module in RULE_MODULES:
        no_rule_for = f"{module}.{name}"
    if isinstance(obj, type):
        kind = "a class"
    elif isinstance(obj, BuiltinFunctionType):
        kind = "a built-in function"
    else:
        kind = f"a {type(obj).__name__} object"
    return OtherBinding(f"{display} ({kind})", no_rule_for)


def _primitive_objects() -> Mapping[int, tuple[object, Primitive, str]]:
    """id(function object) -> (object, primitive, namespace).

    NumPy's functions are included once the user's program has imported it.
    Only a library's own functions are primitives (``table.is_own``); while
    one of their names holds something else (a mock, ``math.sin =
    my_sin``), the table is made again at each use, so that it is whole
    again once the name holds the library's function.
    """
    numpy = sys.modules.get("numpy")
    found = _PRIMITIVE_TABLES.get(id(numpy))
    if found is not None and found[0] is numpy:
        return found[1]
    table, whole = _primitive_table(numpy)
    if whole:
        _PRIMITIVE_TABLES[id(numpy)] = (numpy, table)
    return table


#: The table for NumPy's module (None before NumPy is imported), by its id.
_PRIMITIVE_TABLES: dict[
    int, tuple[ModuleType | None, Mapping[int, tuple[object, Primitive, str]]]
] = {}


def _primitive_table(
    numpy: ModuleType | None,
) -> tuple[Mapping[int, tuple[object, Primitive, str]], bool]:
    """The table, and whether every name spelled held its library's own
    function."""
    table: dict[int, tuple[object, Primitive, str]] = {}
    modules: tuple[ModuleType, ...] = (math, builtins)
    if numpy is not None:  # importing NumPy imports numpy.linalg
        modules += (numpy, numpy.linalg)
    for module in modules:
        for obj, primitive, namespace in spellings_in(module):
            table.setdefault(id(obj), (obj, primitive, namespace))
    whole = not any(True for module in modules for _ in replaced_in(module))
    return MappingProxyType(table), whole


def replaced_primitives() -> list[str]:
    """Each name of a primitive in ``math``, the builtins, NumPy or
    ``numpy.linalg`` that holds something other than the library's own
    function (``math.sin = my_sin``, a mock), as ``math.sin``."""
    modules: list[ModuleType] = [math, builtins]
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        modules += [numpy, numpy.linalg]
    return sorted(
        f"{module.__name__}.{name}"
        for module in modules
        for name in replaced_in(module)
    )


#: id(builtin function) -> its name, for the builtins the frontend lowers.
_BUILTINS = {id(getattr(builtins, name)): name for name in LOWERED_BUILTINS}


class LiveResolver:
    """Resolves names through a live function's closure, globals, builtins."""

    def __init__(self, function: Callable[..., Any]) -> None:
        code = function.__code__
        cells = function.__closure__ or ()
        self.closure = dict(zip(code.co_freevars, cells, strict=True))
        self.globals: dict[str, Any] = function.__globals__

    def resolve(self, name: str) -> Binding | None:
        if name in self.closure:
            try:
                obj = self.closure[name].cell_contents
            except ValueError:
                return None
            binding = classify_variable(name, obj, "closure variable")
            if isinstance(binding, GlobalBinding):
                return GlobalBinding(
                    name,
                    binding.description,
                    binding.is_value,
                    closure=True,
                    custom=binding.custom,
                )
            if isinstance(binding, FunctionBinding):
                return FunctionBinding(
                    name, binding.description, function=obj, closure=True
                )
            return binding
        if name in self.globals:
            return classify_variable(name, self.globals[name])
        if hasattr(builtins, name):
            return classify_object(getattr(builtins, name), name)
        return None


def classify_variable(name: str, obj: Any, kind: str = "global") -> Binding:
    """What a global or closure variable holding ``obj`` resolves to.

    Both resolvers use this, so a name means the same in ``srcgrad show`` as
    in a live function: modules and primitive functions are resolved when
    the gradient is built; a number is read when the gradient runs (the
    variable may be rebound), so it keeps its name in generated code; any
    other object is read when the gradient runs too, except that a callable
    cannot be used as a number: a Python function of the user's is a
    ``FunctionBinding`` (calls to it are differentiated through), and any
    other (a class, a C function) cannot be called either.

    Args:
        name: the variable's name, as the function spells it.
        obj: the object it holds.
        kind: "global" or "closure variable", for messages.

    Returns:
        The binding ``name`` resolves to.
    """
    custom = getattr(type(obj), "_srcgrad_custom_rule", "")
    if custom:
        description = f"{name} (a function with a custom {custom} rule)"
        return GlobalBinding(name, description, is_value=False, custom=custom)
    binding = classify_object(obj, name)
    if isinstance(binding, ConstantBinding):
        return GlobalBinding(name, f"{kind} {name!r}")
    user_function = isinstance(obj, FunctionType) and isinstance(binding, OtherBinding)
    if user_function and not binding.no_rule_for:  # type: ignore[union-attr]
        return FunctionBinding(name, f"function {obj.__qualname__}", function=obj)
    if isinstance(binding, OtherBinding) and binding.no_rule_for:
        return binding  # math.gamma under another name: say it has no rule
    if isinstance(binding, OtherBinding) and not isinstance(obj, ModuleType):
        if callable(obj):  # a user function, a class: not a number
            return GlobalBinding(name, binding.description, is_value=False)
        return GlobalBinding(name, f"{kind} {name!r}")
    return binding
