"""The code generated for a function: its text, and the names it takes
from outside (what ``codegen.emit`` writes, and what a cache keeps)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from srcgrad.codegen.bindings import Binding
from srcgrad.codegen.format import format_source

FACTORY_NAME = "__srcgrad_factory__"


@dataclass(frozen=True)
class GeneratedFunction:
    """Python source for one IR function, and the names it takes from outside.

    ``codegen.load`` compiles ``source`` itself, nested in a factory whose
    parameters are ``free_names`` so that they become cells.

    Attributes:
        name: the generated function's name.
        definition: the ``def`` as ``ast.unparse`` writes it (what is
            compiled; ``formatted`` is what people read).
        bindings: the modules, builtins, helpers and closure variables the
            code reads, each under the alias the code uses.
        others: the other functions of its module it calls (the forward and
            backward sweeps of callees, and callees themselves), as
            ``(name, definition)``, in the order they are written.
        globals_read: the globals of the user's module the code reads,
            sorted.
    """

    name: str
    definition: str
    bindings: tuple[Binding, ...]
    others: tuple[tuple[str, str], ...] = ()
    globals_read: tuple[str, ...] = ()

    @property
    def free_names(self) -> tuple[str, ...]:
        """The factory's parameters: the binding aliases."""
        return tuple(binding.alias for binding in self.bindings)

    @property
    def reads(self) -> tuple[str, ...]:
        """The names the printed source reads but neither defines nor
        imports: the globals it reads, and the closure variables (under the
        names it reads them by)."""
        cells = (binding.alias for binding in self.bindings if binding.cell)
        return tuple(sorted({*self.globals_read, *cells}))

    @property
    def imports(self) -> tuple[str, ...]:
        """The import statements the definition needs."""
        statements = (binding.import_statement for binding in self.bindings)
        return tuple(statement for statement in statements if statement)

    @property
    def definitions(self) -> tuple[str, ...]:
        """Its ``def``, then those of the functions it calls."""
        return (self.definition, *(text for _, text in self.others))

    def bound_values(self) -> dict[str, object]:
        """What each binding's alias holds when the code runs (closure
        variables of the user's functions aside: the API binds those)."""
        return {
            binding.alias: binding.value()
            for binding in self.bindings
            if binding.cell is None and not binding.dispatcher
        }

    @functools.cached_property
    def source(self) -> str:
        """The module that is compiled: imports, then the ``def``s."""
        return module_source([self])

    @functools.cached_property
    def formatted(self) -> str:
        """``source`` as black formats it: what people read."""
        return format_source(self.source)


def module_source(functions: list[GeneratedFunction]) -> str:
    """One module holding ``functions`` and their imports (black formats it
    as a whole where it is shown: ``format_source``).

    A function several of them call is written once.
    """
    # Modules first, then names from modules, each group sorted.
    imports = sorted(
        {line for function in functions for line in function.imports},
        key=lambda line: (line.startswith("from "), line),
    )
    parts = ["\n".join(imports)] if imports else []
    definitions = (text for function in functions for text in function.definitions)
    parts += [text.rstrip("\n") for text in dict.fromkeys(definitions)]
    return "\n\n\n".join(parts) + "\n"
