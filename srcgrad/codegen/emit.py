"""IR to Python source: statements, names, comments.

Code is written the way a person would write it. A temporary that is used
once is written inline into the expression that uses it; constants and
global reads always are; everything else (source variables, adjoints,
shared temporaries) gets a statement of its own. Each run of statements
that comes from one source line is headed by a comment quoting that line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from srcgrad.codegen.format import format_source
from srcgrad.codegen.naming import Namer, module_aliases
from srcgrad.ir import CONST, GLOBAL, RETURN, Function, Op, Value, uses
from srcgrad.ir.location import SourceLocation

MODULE_NAMES = {"math": "math", "numpy": "numpy"}
FACTORY_NAME = "__srcgrad_factory__"


@dataclass(frozen=True)
class GeneratedFunction:
    """Python source for one IR function, in the two forms srcgrad needs.

    Attributes:
        name: the generated function's name.
        definition: the ``def`` users read, formatted by black.
        factory_source: what is compiled: the same function nested in a
            factory whose parameters are the modules and closure variables
            it reads, so they can be bound to cells. Defaults are left out
            of the ``def``; the primal's own default values are attached.
        modules: (alias, module name) for each module the code calls.
        free_names: names the factory takes: module aliases, then the
            user's closure variables the code reads.
    """

    name: str
    definition: str
    factory_source: str
    modules: tuple[tuple[str, str], ...]
    free_names: tuple[str, ...]

    @property
    def imports(self) -> tuple[str, ...]:
        """The import statements the definition needs."""
        return tuple(
            f"import {module}" if alias == module else f"import {module} as {alias}"
            for alias, module in self.modules
        )

    @property
    def source(self) -> str:
        """What users read (``srcgrad.source``): imports, then the ``def``."""
        return module_source([self])


def module_source(functions: list[GeneratedFunction]) -> str:
    """One black-formatted module holding ``functions`` and their imports."""
    imports = sorted({line for function in functions for line in function.imports})
    parts = ["\n".join(imports)] if imports else []
    parts += [function.definition.rstrip("\n") for function in functions]
    return "\n\n\n".join(parts) + "\n"


class _Context:
    """The ``EmitContext`` ops see: module aliases by namespace."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases

    def module(self, namespace: str) -> ast.expr:
        return ast.Name(self.aliases[namespace], ast.Load())


def generate(function: Function, docstring: str | None = None) -> GeneratedFunction:
    """Write ``function`` as formatted Python source (see ``GeneratedFunction``)."""
    plan = _Plan(function)
    header_with_defaults = _header(function, docstring, defaults=True)
    header_plain = _header(function, docstring, defaults=False)
    body = plan.body_lines()
    modules = tuple((alias, MODULE_NAMES[ns]) for ns, alias in plan.aliases.items())
    definition = format_source("\n".join(header_with_defaults + body) + "\n")
    free_names = tuple(alias for alias, _ in modules) + plan.closure_names
    inner = format_source("\n".join(header_plain + body) + "\n")
    factory = f"def {FACTORY_NAME}({', '.join(free_names)}):\n"
    factory += "".join(f"    {line}\n" if line else "\n" for line in inner.splitlines())
    factory += f"    return {function.name}\n"
    return GeneratedFunction(function.name, definition, factory, modules, free_names)


class _Plan:
    """Which values are inlined, where each is last read, and their names."""

    def __init__(self, function: Function) -> None:
        self.function = function
        self.ops = function.entry.ops
        self.use_count = {
            value: len(users) for value, users in uses(function.entry).items()
        }
        self.hints = _hints(function)
        self.statements = [op for op in self.ops if not self._inlined_op(op)]
        globals_read = {
            op: str(op.attributes["name"]) for op in self.ops if op.definition is GLOBAL
        }
        closure_reads = {
            name for op, name in globals_read.items() if op.attributes.get("closure")
        }
        self.closure_names = tuple(sorted(closure_reads))
        parameters = {parameter.name for parameter in function.parameters}
        taken = parameters | set(globals_read.values()) | {function.name}
        namespaces = sorted(
            {
                str(op.attributes["namespace"])
                for op in self.ops
                if "namespace" in op.attributes
            }
            & set(MODULE_NAMES)
        )
        self.aliases = module_aliases(namespaces, taken)
        self.context = _Context(self.aliases)
        source_names = taken | {hint for hint in self.hints.values() if hint}
        self.namer = Namer(taken, self._last_uses(), source_names)
        for parameter, value in zip(
            function.parameters, function.arguments, strict=True
        ):
            self.namer.fix(value, parameter.name)

    def _inlined_op(self, op: Op) -> bool:
        if op.definition in (CONST, GLOBAL):
            return True
        if not op.definition.pure or op.regions or len(op.results) != 1:
            return False
        return (
            self.hints.get(op.result) is None and self.use_count.get(op.result, 0) == 1
        )

    def _inlined(self, value: Value) -> bool:
        op = value.defining_op
        return op is not None and self._inlined_op(op)

    def _reads(self, op: Op) -> list[Value]:
        """The named values ``op``'s statement reads, through inlined operands."""
        found: list[Value] = []
        for operand in op.operands:
            if self._inlined(operand):
                found.extend(self._reads(operand.defining_op))  # type: ignore[arg-type]
            else:
                found.append(operand)
        return found

    def _last_uses(self) -> dict[Value, int]:
        last: dict[Value, int] = {}
        for position, op in enumerate(self.statements):
            for value in self._reads(op):
                last[value] = position
        return last

    # -- text -------------------------------------------------------------
    def expression(self, value: Value) -> ast.expr:
        op = value.defining_op
        if op is not None and self._inlined_op(op):
            args = [self.expression(operand) for operand in op.operands]
            return op.definition.emit(args, op.attributes, self.context)
        return ast.Name(self.namer[value], ast.Load())

    def body_lines(self) -> list[str]:
        lines: list[str] = []
        previous_line: int | None = None
        for position, op in enumerate(self.statements):
            if op.definition is RETURN:
                lines.append(f"    {self._return(op)}")
                continue
            if op.loc is not None and op.loc.line != previous_line:
                lines.append(f"    {_comment(op.loc)}")
                previous_line = op.loc.line
            lines.append(f"    {ast.unparse(self._statement(op, position))}")
        return lines

    def _return(self, op: Op) -> str:
        values = [ast.unparse(self.expression(value)) for value in op.operands]
        if op.attributes.get("tuple") and len(values) == 1:
            return f"return ({values[0]},)"
        return f"return {', '.join(values)}"

    def _statement(self, op: Op, position: int) -> ast.stmt:
        args = [self.expression(operand) for operand in op.operands]
        value = op.definition.emit(args, op.attributes, self.context)
        name = self.namer.assign(op.result, position, self.hints.get(op.result))
        return ast.Assign([ast.Name(name, ast.Store())], value, lineno=0)


def _hints(function: Function) -> dict[Value, str | None]:
    """Each value's name hint; a returned temporary takes the return's hint.

    Reverse mode names what it returns (``z_bar``); where that is a value
    with no name of its own (``x * y``), it gets a statement of that name
    instead of being written inline into the ``return``.
    """
    hints = {
        result: result.name_hint for op in function.entry.ops for result in op.results
    }
    terminator = function.entry.terminator
    if terminator is None:
        return hints
    names = terminator.attributes.get("hints", ())
    for value, name in zip(terminator.operands, names, strict=False):  # type: ignore[call-overload]
        op = value.defining_op
        structural = op is None or op.definition in (CONST, GLOBAL)
        if not structural and hints.get(value) is None:
            hints[value] = name
    return hints


def _header(function: Function, docstring: str | None, *, defaults: bool) -> list[str]:
    positional_only = [p for p in function.parameters if p.kind == "positional_only"]
    positional = [p for p in function.parameters if p.kind == "positional"]
    keyword_only = [p for p in function.parameters if p.kind == "keyword_only"]
    arguments = ast.arguments(
        posonlyargs=[ast.arg(p.name) for p in positional_only],
        args=[ast.arg(p.name) for p in positional],
        kwonlyargs=[ast.arg(p.name) for p in keyword_only],
        kw_defaults=[_default(p.default) if defaults else None for p in keyword_only],
        defaults=[
            _expression(p.default)
            for p in positional_only + positional
            if p.default and defaults
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


def _comment(loc: SourceLocation) -> str:
    return f"# line {loc.line}: {loc.text.strip()}"
