"""What a free name in the user's function refers to.

A name that is not a parameter or a local is looked up, in Python's order,
among the closure variables, the module globals and the builtins, and
classified as one of the ``Binding`` kinds below. Two resolvers share that
classification: ``LiveResolver`` reads a live function's globals and
closure; ``FileResolver`` reads a file's own imports and top-level
assignments without running it (what ``srcgrad show`` needs).
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import math
import numbers
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any, Protocol

from srcgrad.primitives import Primitive, spellings_in

#: Modules srcgrad has rules for, by the namespace generated code calls.
RULE_MODULES = {"math": "math", "numpy": "numpy"}


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


@dataclass(frozen=True)
class OtherBinding:
    """Something srcgrad can't use: another module, a builtin like ``len``."""

    description: str


Binding = (
    ModuleBinding | PrimitiveBinding | ConstantBinding | GlobalBinding | OtherBinding
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
            f"module {module.__name__!r}, which srcgrad has no rules for"
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
    if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        return ConstantBinding(float(obj) if not isinstance(obj, int) else obj)
    return OtherBinding(f"{display} ({type(obj).__name__})")


def _primitive_objects() -> Mapping[int, tuple[object, Primitive, str]]:
    """id(function object) -> (object, primitive, namespace).

    NumPy's functions are included once the user's program has imported it.
    """
    return _primitive_table(sys.modules.get("numpy"))


@functools.cache
def _primitive_table(
    numpy: ModuleType | None,
) -> Mapping[int, tuple[object, Primitive, str]]:
    table: dict[int, tuple[object, Primitive, str]] = {}
    for module in (math, builtins) if numpy is None else (math, builtins, numpy):
        for obj, primitive, namespace in spellings_in(module):
            table.setdefault(id(obj), (obj, primitive, namespace))
    return MappingProxyType(table)


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
            binding = self._classify_variable(name, obj, "closure variable")
            if isinstance(binding, GlobalBinding):
                return GlobalBinding(
                    name, binding.description, binding.is_value, closure=True
                )
            return binding
        if name in self.globals:
            return self._classify_variable(name, self.globals[name], "global")
        if hasattr(builtins, name):
            return classify_object(getattr(builtins, name), name)
        return None

    @staticmethod
    def _classify_variable(name: str, obj: Any, kind: str) -> Binding:
        binding = classify_object(obj, name)
        if isinstance(binding, ConstantBinding):
            # A variable may be rebound after the gradient is built: read it live.
            return GlobalBinding(name, f"{kind} {name!r}")
        if isinstance(binding, OtherBinding) and not isinstance(obj, ModuleType):
            if callable(obj):  # a user function, a class: not a number
                return GlobalBinding(name, binding.description, is_value=False)
            return GlobalBinding(name, f"{kind} {name!r}")
        return binding


class FileResolver:
    """Resolves names from a file's own imports and definitions, unrun.

    Only ``math`` and ``numpy`` are imported (they are what srcgrad has rules
    for); an import of anything else resolves to an ``OtherBinding``.
    """

    def __init__(self, module: ast.Module) -> None:
        self.bindings: dict[str, Binding] = {}
        for statement in module.body:
            self._record(statement)

    def resolve(self, name: str) -> Binding | None:
        if name in self.bindings:
            return self.bindings[name]
        if hasattr(builtins, name):
            return classify_object(getattr(builtins, name), name)
        return None

    def _record(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is None:
                    top = alias.name.split(".")[0]
                    self.bindings[top] = self._module(top)
                else:
                    self.bindings[alias.asname] = self._module(alias.name)
        elif isinstance(statement, ast.ImportFrom):
            source = (
                self._module(statement.module or "") if statement.level == 0 else None
            )
            for alias in statement.names:
                if alias.name == "*":
                    self._import_all(source)
                    continue
                bound = alias.asname or alias.name
                self.bindings[bound] = self._imported(
                    source, statement.module, alias.name
                )
        elif isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            self.bindings[statement.name] = GlobalBinding(
                statement.name,
                f"{statement.name!r} defined in this file",
                is_value=False,
            )
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]
            )
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        self.bindings[node.id] = GlobalBinding(
                            node.id, f"global {node.id!r}"
                        )

    def _import_all(self, source: Binding | None) -> None:
        """``from math import *``: every public name of a module with rules."""
        if not isinstance(source, ModuleBinding):
            return  # names from elsewhere stay unresolved, and say so if used
        public = getattr(source.module, "__all__", None) or [
            name for name in dir(source.module) if not name.startswith("_")
        ]
        for name in public:
            found = classify_attribute(source, name)
            if found is not None:
                self.bindings[name] = found

    @staticmethod
    def _module(name: str) -> Binding:
        if name.split(".")[0] not in RULE_MODULES:
            return OtherBinding(f"module {name!r}, which srcgrad has no rules for")
        return classify_module(importlib.import_module(name))

    @staticmethod
    def _imported(source: Binding | None, module: str | None, name: str) -> Binding:
        if isinstance(source, ModuleBinding):
            found = classify_attribute(source, name)
            if found is not None:
                return found
        return OtherBinding(f"{name!r} imported from {module!r}")
