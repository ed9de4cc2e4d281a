"""The names generated code takes from outside: modules, builtins, helpers.

Generated code never looks a module or a builtin up in the user's globals:
a parameter called ``abs``, a global called ``np`` or a module that did
``from numpy import sqrt`` (and so binds no ``np``) must not change what it
calls. Each such name is a *binding*: the compiled code receives it as a
closure variable of its factory, and the source users read imports it,
under an alias that collides with none of the names the function uses
(``math``, or ``math_1`` if a parameter is called ``math``).
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass

#: The module each namespace of the primitives table calls into.
NAMESPACE_MODULES = {"math": "math", "numpy": "numpy"}
_PREFERRED_MODULE_ALIASES = {"math": "math", "numpy": "np"}
#: Where the helpers generated code calls live.
RUNTIME_MODULE = "srcgrad.runtime"


@dataclass(frozen=True)
class Binding:
    """A name generated code reads: ``module`` itself, or one of its attributes.

    Attributes:
        alias: the name the generated code uses.
        module: the module's import name.
        attribute: the attribute bound, or None to bind the module itself.
    """

    alias: str
    module: str
    attribute: str | None = None

    @property
    def import_statement(self) -> str | None:
        """The import that binds ``alias`` (None for a builtin under its name)."""
        if self.attribute is None:
            if self.alias == self.module:
                return f"import {self.module}"
            return f"import {self.module} as {self.alias}"
        if self.module == "builtins" and self.alias == self.attribute:
            return None
        renamed = "" if self.alias == self.attribute else f" as {self.alias}"
        return f"from {self.module} import {self.attribute}{renamed}"

    def value(self) -> object:
        """The object bound: the module, or its attribute."""
        module = importlib.import_module(self.module)
        return module if self.attribute is None else getattr(module, self.attribute)


class BindingRequests:
    """The ``EmitContext`` of a dry run: records what ops ask for by name.

    Ops write themselves through ``module(namespace)`` and ``builtin(name)``;
    emitting every op once with this context lists the bindings the code
    needs before any alias is chosen.
    """

    def __init__(self) -> None:
        self.namespaces: set[str] = set()
        self.builtins: set[str] = set()
        self.helpers: set[str] = set()

    def module(self, namespace: str) -> ast.expr:
        self.namespaces.add(namespace)
        return ast.Name(namespace, ast.Load())

    def builtin(self, name: str) -> ast.expr:
        self.builtins.add(name)
        return ast.Name(name, ast.Load())

    def bind(self, taken: set[str]) -> dict[tuple[str, str], Binding]:
        """A binding per request, keyed by ("module", namespace), ("builtin",
        name) or ("helper", name); aliases avoid ``taken`` and each other.
        """
        requests: list[tuple[tuple[str, str], str, str, str | None]] = [
            (("module", ns), _PREFERRED_MODULE_ALIASES[ns], NAMESPACE_MODULES[ns], None)
            for ns in sorted(self.namespaces)
        ]
        requests += [
            (("builtin", name), name, "builtins", name)
            for name in sorted(self.builtins)
        ]
        requests += [
            (("helper", name), name, RUNTIME_MODULE, name)
            for name in sorted(self.helpers)
        ]
        used = set(taken)
        bindings = {}
        for key, preferred, module, attribute in requests:
            alias, suffix = preferred, 0
            while alias in used:
                suffix += 1
                alias = f"{preferred}_{suffix}"
            used.add(alias)
            bindings[key] = Binding(alias, module, attribute)
        return bindings


class BoundContext:
    """The ``EmitContext`` of the real run: names are the bindings' aliases."""

    def __init__(self, bindings: dict[tuple[str, str], Binding]) -> None:
        self.bindings = bindings

    def name(self, kind: str, name: str) -> ast.expr:
        return ast.Name(self.bindings[(kind, name)].alias, ast.Load())

    def module(self, namespace: str) -> ast.expr:
        return self.name("module", namespace)

    def builtin(self, name: str) -> ast.expr:
        return self.name("builtin", name)

    def helper(self, name: str) -> ast.expr:
        return self.name("helper", name)
