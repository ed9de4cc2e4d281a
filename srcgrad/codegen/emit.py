"""IR to Python source: the generated function, its imports, its text.

Code is written the way a person would write it. A temporary that is used
once is written inline into the expression that uses it; constants and
global reads always are; everything else (source variables, adjoints,
shared temporaries) gets a statement of its own. Control flow keeps the
shape of the user's code (``if``, ``for``, ``while``). Each run of
statements that comes from one source line is headed by a comment quoting
that line.

``plan`` decides what is inline, where values are live and what each is
called; ``statements`` writes the body as ``ast`` statements; here they
are unparsed under the ``def`` line and formatted by black.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from srcgrad.codegen.bindings import Binding
from srcgrad.codegen.format import format_source
from srcgrad.codegen.plan import Plan
from srcgrad.codegen.statements import Writer
from srcgrad.ir import Function

FACTORY_NAME = "__srcgrad_factory__"


@dataclass(frozen=True)
class GeneratedFunction:
    """Python source for one IR function, and the names it takes from outside.

    ``codegen.load`` compiles ``source`` itself, nested in a factory whose
    parameters are ``free_names`` so that they become cells.

    Attributes:
        name: the generated function's name.
        definition: the ``def`` users read, formatted by black.
        bindings: the modules, builtins and helpers the code reads, each
            under the alias the code uses.
        closure_names: the user's closure variables the code reads.
    """

    name: str
    definition: str
    bindings: tuple[Binding, ...]
    closure_names: tuple[str, ...]

    @property
    def free_names(self) -> tuple[str, ...]:
        """The factory's parameters: binding aliases, then closure variables."""
        return tuple(binding.alias for binding in self.bindings) + self.closure_names

    @property
    def imports(self) -> tuple[str, ...]:
        """The import statements the definition needs."""
        statements = (binding.import_statement for binding in self.bindings)
        return tuple(statement for statement in statements if statement)

    def bound_values(self) -> dict[str, object]:
        """What each binding's alias holds when the code runs."""
        return {binding.alias: binding.value() for binding in self.bindings}

    @property
    def source(self) -> str:
        """What users read (``srcgrad.source``): imports, then the ``def``."""
        return module_source([self])


def module_source(functions: list[GeneratedFunction]) -> str:
    """One black-formatted module holding ``functions`` and their imports."""
    # Modules first, then names from modules, each group sorted.
    imports = sorted(
        {line for function in functions for line in function.imports},
        key=lambda line: (line.startswith("from "), line),
    )
    parts = ["\n".join(imports)] if imports else []
    parts += [function.definition.rstrip("\n") for function in functions]
    return "\n\n\n".join(parts) + "\n"


def generate(function: Function, docstring: str | None = None) -> GeneratedFunction:
    """Write ``function`` as formatted Python source (see ``GeneratedFunction``)."""
    plan = Plan(function)
    header = _header(function, docstring)
    statements = Writer(plan).body()
    module = ast.Module(statements, type_ignores=[])
    body = [f"    {line}" for line in ast.unparse(module).splitlines()]
    bindings = tuple(plan.context.bindings.values())
    definition = format_source("\n".join(header + body) + "\n")
    return GeneratedFunction(function.name, definition, bindings, plan.closure_names)


def _header(function: Function, docstring: str | None) -> list[str]:
    positional_only = [p for p in function.parameters if p.kind == "positional_only"]
    positional = [p for p in function.parameters if p.kind == "positional"]
    keyword_only = [p for p in function.parameters if p.kind == "keyword_only"]
    arguments = ast.arguments(
        posonlyargs=[ast.arg(p.name) for p in positional_only],
        args=[ast.arg(p.name) for p in positional],
        kwonlyargs=[ast.arg(p.name) for p in keyword_only],
        kw_defaults=[_default(p.default) for p in keyword_only],
        defaults=[
            _expression(p.default) for p in positional_only + positional if p.default
        ],
        vararg=None,
        kwarg=None,
    )
    body: list[ast.stmt] = (
        [ast.Expr(ast.Constant(docstring))] if docstring else [ast.Pass()]
    )
    definition = ast.FunctionDef(
        name=function.name,
        args=arguments,
        body=body,
        decorator_list=[],
        returns=None,
        lineno=1,
    )
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        setattr(definition, "type_params", [])  # noqa: B010
    lines = ast.unparse(definition).splitlines()
    return lines if docstring else lines[:-1]


def _default(text: str | None) -> ast.expr | None:
    return None if text is None else _expression(text)


def _expression(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body
