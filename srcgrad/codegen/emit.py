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
are unparsed under the ``def`` line. That text is what is compiled: black,
which costs about 17 microseconds a character, formats it only when a
person reads it (``GeneratedFunction.formatted``).
"""

from __future__ import annotations

import ast
import keyword

from srcgrad.codegen.bindings import BindingRequests, BoundContext
from srcgrad.codegen.generated import GeneratedFunction
from srcgrad.codegen.plan import Plan, requests, source_names
from srcgrad.codegen.scope import globals_read, parameter_names
from srcgrad.codegen.statements import Writer
from srcgrad.ir import Function, Parameter, Program
from srcgrad.ir.names import fresh_name


def generate(function: Function, docstring: str | None = None) -> GeneratedFunction:
    """Write ``function`` as formatted Python source (see ``GeneratedFunction``)."""
    return generate_program(Program.of(function), docstring)


def generate_program(
    program: Program,
    docstring: str | None = None,
    avoid: frozenset[str] = frozenset(),
) -> GeneratedFunction:
    """Write ``program``'s entry, and the functions it calls, as formatted
    Python source; ``docstring`` is the entry's. No function nor binding of
    it is named like ``avoid`` (the functions of other gradients in one
    module, and the globals they read)."""
    functions = [program.functions[symbol] for symbol in program.reachable()]
    parameters = [
        parameter_names(function, index == 0)
        for index, function in enumerate(functions)
    ]
    names = _function_names(functions, parameters, avoid)
    found = BindingRequests()
    taken = set(names.values()) | avoid
    for index, function in enumerate(functions):
        requests(function, found, index == 0)
        taken |= source_names(function, parameters[index])
    context = BoundContext(found.bind(taken), names)
    reserved = frozenset(names.values())
    module_names = frozenset(taken - reserved)
    definitions = []
    # Comments name the file of a line of another file than the entry's.
    home = functions[0].loc.filename if functions[0].loc is not None else None
    for index, function in enumerate(functions):
        plan = Plan(function, context, reserved, module_names, entry=index == 0)
        text = docstring if index == 0 else function.doc
        definitions.append(_definition(plan, names[function.name], text, home))
    others = tuple(
        zip([names[f.name] for f in functions[1:]], definitions[1:], strict=True)
    )
    return GeneratedFunction(
        names[functions[0].name],
        definitions[0],
        tuple(context.bindings.values()),
        others,
        tuple(sorted(set().union(*map(globals_read, functions)))),
    )


def _function_names(
    functions: list[Function],
    parameters: list[list[str]],
    avoid: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The ``def`` name of each function, by symbol: its symbol, unless one
    of the functions uses that name otherwise (a parameter, named as in
    ``parameters``; a global it reads, which the ``def`` would hide). The
    entry (the first) keeps the name the caller asked for unless a function
    reads a global of that name (``f_grad = 2.0``)."""
    read: set[str] = set(avoid)
    used: set[str] = set()
    for function, written in zip(functions, parameters, strict=True):
        read |= globals_read(function)
        used |= {parameter.name for parameter in function.parameters} | set(written)
    entry = functions[0].name
    names = {entry: fresh_name(entry, read)}
    used |= read | {names[entry]}
    for function in functions[1:]:
        name, suffix = function.name, 0
        while name in used or keyword.iskeyword(name):
            suffix += 1
            name = f"{function.name}_{suffix}"
        used.add(name)
        names[function.name] = name
    return names


def _definition(plan: Plan, name: str, docstring: str | None, home: str | None) -> str:
    """The ``def`` of ``plan``'s function, named ``name``, as ``ast.unparse``
    writes it; its comments name the file of any line not in ``home``."""
    header = _header(plan, name, docstring)
    statements = Writer(plan, home).body()
    module = ast.Module(statements, type_ignores=[])
    body = [f"    {line}" for line in ast.unparse(module).splitlines()]
    return "\n".join(header + body) + "\n"


def _header(plan: Plan, name: str, docstring: str | None) -> list[str]:
    """The ``def`` line (and docstring); a function only generated code
    calls takes each parameter positionally, without defaults, under the
    name the plan gives it."""
    parameters = plan.function.parameters
    if not plan.entry:
        parameters = [Parameter(each) for each in plan.parameter_names]
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
