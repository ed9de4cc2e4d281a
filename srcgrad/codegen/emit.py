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
import functools
import keyword
from dataclasses import dataclass

from srcgrad.codegen.bindings import Binding, BindingRequests, BoundContext
from srcgrad.codegen.format import format_source
from srcgrad.codegen.plan import Plan, names_read, requests, source_names
from srcgrad.codegen.statements import Writer
from srcgrad.ir import Function, Parameter, Program

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
        others: the other functions of its module it calls (the forward and
            backward sweeps of callees, and callees themselves), as
            ``(name, definition)``, in the order they are written.
    """

    name: str
    definition: str
    bindings: tuple[Binding, ...]
    closure_names: tuple[str, ...]
    others: tuple[tuple[str, str], ...] = ()

    @property
    def free_names(self) -> tuple[str, ...]:
        """The factory's parameters: binding aliases, then closure variables."""
        return tuple(binding.alias for binding in self.bindings) + self.closure_names

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
            if binding.cell is None
        }

    @functools.cached_property
    def source(self) -> str:
        """What users read (``srcgrad.source``): imports, then the ``def``s."""
        return module_source([self])


def module_source(functions: list[GeneratedFunction]) -> str:
    """One black-formatted module holding ``functions`` and their imports.

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


def generate(function: Function, docstring: str | None = None) -> GeneratedFunction:
    """Write ``function`` as formatted Python source (see ``GeneratedFunction``)."""
    return generate_program(Program.of(function), docstring)


def generate_program(
    program: Program,
    docstring: str | None = None,
    avoid: frozenset[str] = frozenset(),
) -> GeneratedFunction:
    """Write ``program``'s entry, and the functions it calls, as formatted
    Python source; ``docstring`` is the entry's. The functions it calls are
    not named like ``avoid`` (functions of other gradients in one module)."""
    functions = [program.functions[symbol] for symbol in program.reachable()]
    names = _function_names(functions, avoid)
    found = BindingRequests()
    taken = set(names.values())
    for function in functions:
        requests(function, found)
        taken |= source_names(function)
    context = BoundContext(found.bind(taken), names)
    reserved = frozenset(names.values())
    module_names = frozenset(taken - reserved)
    definitions = []
    closure_names: set[str] = set()
    for index, function in enumerate(functions):
        plan = Plan(function, context, reserved, module_names)
        closure_names.update(plan.closure_names)
        text = docstring if index == 0 else function.doc
        definitions.append(_definition(plan, names[function.name], text, index == 0))
    bindings = tuple(context.bindings.values())
    others = tuple(
        zip([names[f.name] for f in functions[1:]], definitions[1:], strict=True)
    )
    return GeneratedFunction(
        names[functions[0].name],
        definitions[0],
        bindings,
        tuple(sorted(closure_names)),
        others,
    )


def _function_names(
    functions: list[Function], avoid: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The ``def`` name of each function, by symbol: its symbol, unless one
    of the functions uses that name otherwise (a parameter, a global); the
    entry (the first) keeps its own."""
    used: set[str] = set(avoid)
    for function in functions:
        used |= {parameter.name for parameter in function.parameters}
        used |= set().union(*names_read(function))
    entry = functions[0].name  # named as the caller asked
    names: dict[str, str] = {entry: entry}
    used.add(entry)
    for function in functions[1:]:
        name, suffix = function.name, 0
        while name in used or keyword.iskeyword(name):
            suffix += 1
            name = f"{function.name}_{suffix}"
        used.add(name)
        names[function.name] = name
    return names


def _definition(plan: Plan, name: str, docstring: str | None, entry: bool) -> str:
    """The formatted ``def`` of ``plan``'s function, named ``name``."""
    header = _header(plan.function, name, docstring, entry)
    statements = Writer(plan).body()
    module = ast.Module(statements, type_ignores=[])
    body = [f"    {line}" for line in ast.unparse(module).splitlines()]
    return format_source("\n".join(header + body) + "\n")


def _header(
    function: Function, name: str, docstring: str | None, entry: bool
) -> list[str]:
    """The ``def`` line (and docstring); a function only generated code
    calls takes each parameter positionally, without defaults."""
    parameters = function.parameters
    if not entry:
        parameters = [Parameter(parameter.name) for parameter in parameters]
    positional_only = [p for p in parameters if p.kind == "positional_only"]
    positional = [p for p in parameters if p.kind == "positional"]
    keyword_only = [p for p in parameters if p.kind == "keyword_only"]
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
        name=name,
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
