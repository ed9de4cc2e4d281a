"""The names generated code takes from outside: modules, builtins, helpers.

Generated code never looks a module or a builtin up in the user's globals:
a parameter called ``abs``, a global called ``np`` or a module that did
``from numpy import sqrt`` (and so binds no ``np``) must not change what it
calls. Each such name is a *binding*: the compiled code receives it as a
closure variable of its factory, and the source users read imports it,
under an alias that collides with none of the names the function uses
(``math``, or ``math_1`` if a parameter is called ``math``).

Two more kinds are the user's: a module whose globals a helper reads
(``import helpers``, then ``helpers.SCALE``), and a closure variable of the
function or of a helper, whose cell the API takes from that function when
it makes the gradient (the printed source reads it by its alias, and
imports nothing for it).
The module's other functions are not bindings: they are defined beside it.
"""

from __future__ import annotations

import ast
import importlib
import json
import keyword
from dataclasses import dataclass, replace

#: The module each namespace of the primitives table calls into.
NAMESPACE_MODULES = {"math": "math", "numpy": "numpy"}
_PREFERRED_MODULE_ALIASES = {"math": "math", "numpy": "np"}
#: Where the helpers generated code calls live.
RUNTIME_MODULE = "srcgrad.runtime"
#: What generated code calls the gradients of its function for arrays.
DISPATCHER = "for_arrays"


@dataclass(frozen=True)
class Binding:
    """A name generated code reads: ``module`` itself, or one of its attributes,
    or a closure variable of a function of the user's.

    Attributes:
        alias: the name the generated code uses.
        module: the module's import name ("" for a closure variable).
        attribute: the attribute bound, or None to bind the module itself.
        cell: for a closure variable of a function the entry function
            reaches through calls, the path to that function and the
            variable's name; its cell is bound when the code is (the API
            follows the path from the live entry function).
    """

    alias: str
    module: str
    attribute: str | None = None
    cell: tuple[Path, str] | None = None
    #: The gradients of the same function for arrays, which the API binds
    #: (``srcgrad.dispatch``): where a gradient built for numbers sends them.
    dispatcher: bool = False

    @property
    def import_statement(self) -> str | None:
        """The import that binds ``alias`` (None for a builtin under its name,
        or a closure variable)."""
        if self.cell is not None or self.dispatcher:
            return None
        if self.attribute is None:
            if not _importable_name(self.module):  # my-helpers, loaded by path
                module = json.dumps(self.module)  # a Python string, as black quotes it
                return f'{self.alias} = __import__("importlib").import_module({module})'
            if self.alias == self.module:
                return f"import {self.module}"
            return f"import {self.module} as {self.alias}"
        if self.module == "builtins" and self.alias == self.attribute:
            return None
        renamed = "" if self.alias == self.attribute else f" as {self.alias}"
        return f"from {self.module} import {self.attribute}{renamed}"

    def value(self) -> object:
        """The object bound: the module, or its attribute.

        Raises:
            LookupError: for a closure variable, which only the live
                function has.
        """
        if self.cell is not None:
            raise LookupError(f"closure variable {self.alias} has no import")
        if self.dispatcher:
            raise LookupError(f"{self.alias} is bound by the API")
        module = importlib.import_module(self.module)
        return module if self.attribute is None else getattr(module, self.attribute)


#: A path of names from the entry function to a function of the user's
#: (see ``srcgrad.ir.ops.GLOBAL``).
Path = tuple[tuple[str, str], ...]


class BindingRequests:
    """The ``EmitContext`` of a dry run: records what ops ask for by name.

    Ops write themselves through ``module(namespace)``, ``builtin(name)``
    and the others; emitting every op once with this context lists the
    bindings the code needs before any alias is chosen.
    """

    def __init__(self) -> None:
        self.namespaces: set[str] = set()
        self.builtins: set[str] = set()
        self.helpers: set[str] = set()
        self.modules: set[str] = set()
        self.cells: set[tuple[Path, str]] = set()
        self.dispatcher = False

    def module(self, namespace: str) -> ast.expr:
        self.namespaces.add(namespace)
        return ast.Name(namespace, ast.Load())

    def builtin(self, name: str) -> ast.expr:
        self.builtins.add(name)
        return ast.Name(name, ast.Load())

    def function(self, symbol: str) -> ast.expr:
        return ast.Name(symbol, ast.Load())

    def helper(self, name: str) -> ast.expr:
        self.helpers.add(name)
        return ast.Name(name, ast.Load())

    def imported(self, module: str) -> ast.expr:
        self.modules.add(module)
        return ast.Name(module, ast.Load())

    def cell(self, owner: Path, name: str) -> ast.expr:
        self.cells.add((owner, name))
        return ast.Name(name, ast.Load())

    def for_arrays(self) -> ast.expr:
        self.dispatcher = True
        return ast.Name(DISPATCHER, ast.Load())

    def bind(self, taken: set[str]) -> dict[tuple[object, ...], Binding]:
        """A binding per request, keyed by ("module", namespace), ("builtin",
        name), ("helper", name), ("imported", module) or ("cell", owner,
        name); aliases avoid ``taken``, each other and keywords.
        """
        used = set(taken)
        bindings = {}
        for key, preferred, binding in self._requested():
            alias, suffix = preferred, 0
            while alias in used or keyword.iskeyword(alias):
                suffix += 1
                alias = f"{preferred}_{suffix}"
            used.add(alias)
            bindings[key] = replace(binding, alias=alias)
        return bindings

    def _requested(self) -> list[tuple[tuple[object, ...], str, Binding]]:
        """Each request: its key, the alias it would like, its binding."""
        requests: list[tuple[tuple[object, ...], str, Binding]] = [
            (
                ("module", ns),
                _PREFERRED_MODULE_ALIASES[ns],
                Binding("", NAMESPACE_MODULES[ns]),
            )
            for ns in sorted(self.namespaces)
        ]
        requests += [
            (("builtin", name), name, Binding("", "builtins", name))
            for name in sorted(self.builtins)
        ]
        requests += [
            (("helper", name), name, Binding("", RUNTIME_MODULE, name))
            for name in sorted(self.helpers)
        ]
        requests += [
            (
                ("imported", name),
                _identifier(name.rpartition(".")[2]),
                Binding("", name),
            )
            for name in sorted(self.modules)
        ]
        requests += [
            (("cell", owner, name), name, Binding("", "", cell=(owner, name)))
            for owner, name in sorted(self.cells)
        ]
        if self.dispatcher:
            requests.append(
                (("dispatcher",), DISPATCHER, Binding("", "", dispatcher=True))
            )
        return requests


def _importable_name(module: str) -> bool:
    """``import module`` is Python: each dotted part is a name, no keyword."""
    parts = module.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def _identifier(text: str) -> str:
    """A Python name like ``text``: ``my_helpers`` for a module ``my-helpers``
    (a file loaded by path may have any name)."""
    name = "".join(c if (c.isalnum() or c == "_") else "_" for c in text)
    if not name.isidentifier():
        name = f"_{name}"
    return name if name.isidentifier() else "module"


class BoundContext:
    """The ``EmitContext`` of the real run: names are the bindings' aliases,
    and ``functions`` the names of the module's other functions, by symbol."""

    def __init__(
        self,
        bindings: dict[tuple[object, ...], Binding],
        functions: dict[str, str] | None = None,
    ) -> None:
        self.bindings = bindings
        self.functions = functions or {}

    def name(self, *key: object) -> ast.expr:
        return ast.Name(self.bindings[key].alias, ast.Load())

    def module(self, namespace: str) -> ast.expr:
        return self.name("module", namespace)

    def builtin(self, name: str) -> ast.expr:
        return self.name("builtin", name)

    def helper(self, name: str) -> ast.expr:
        return self.name("helper", name)

    def function(self, symbol: str) -> ast.expr:
        return ast.Name(self.functions.get(symbol, symbol), ast.Load())

    def imported(self, module: str) -> ast.expr:
        return self.name("imported", module)

    def cell(self, owner: Path, name: str) -> ast.expr:
        return self.name("cell", owner, name)

    def for_arrays(self) -> ast.expr:
        return self.name("dispatcher")
