"""IR to Python source: statements, names, comments.

Code is written the way a person would write it. A temporary that is used
once is written inline into the expression that uses it; constants and
global reads always are; everything else (source variables, adjoints,
shared temporaries) gets a statement of its own. Each run of statements
that comes from one source line is headed by a comment quoting that line.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from srcgrad.codegen.bindings import Binding, BindingRequests, BoundContext
from srcgrad.codegen.format import format_source
from srcgrad.codegen.naming import Namer
from srcgrad.ir import (
    CHECK_REAL,
    CONST,
    EVALUATE,
    GLOBAL,
    RETURN,
    Function,
    Op,
    Value,
    uses,
    walk,
)
from srcgrad.ir.location import SourceLocation

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
    plan = _Plan(function)
    header = _header(function, docstring)
    body = plan.body_lines()
    bindings = tuple(plan.context.bindings.values())
    definition = format_source("\n".join(header + body) + "\n")
    return GeneratedFunction(function.name, definition, bindings, plan.closure_names)


class _Plan:
    """Which values are inlined, where each is last read, and their names."""

    def __init__(self, function: Function) -> None:
        self.function = function
        self.ops = function.entry.ops
        self.users = uses(function.entry)
        self.use_count = {value: len(users) for value, users in self.users.items()}
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
        source_names = taken | {hint for hint in self.hints.values() if hint}
        # Aliases avoid local variable names too, so those keep their names.
        self.context = BoundContext(_requests(function).bind(source_names))
        aliases = {binding.alias for binding in self.context.bindings.values()}
        self.namer = Namer(taken | aliases, self._last_uses(), source_names)
        for parameter, value in zip(
            function.parameters, function.arguments, strict=True
        ):
            self.namer.fix(value, parameter.name)

    def _inlined_op(self, op: Op) -> bool:
        if op.definition in (CONST, GLOBAL):
            return True
        if not op.definition.pure or op.regions or len(op.results) != 1:
            return False
        if self.use_count.get(op.result, 0) != 1:
            return False
        hint = self.hints.get(op.result)
        return hint is None or self._partial_sum(op, hint)

    def _partial_sum(self, op: Op, hint: str) -> bool:
        """Whether ``op`` is a term of an adjoint that its one user continues.

        Adjoint contributions from one source line are written as one sum
        (``x_bar = a * y + b``), not as ``x_bar = a * y`` then ``x_bar =
        x_bar + b``; contributions from other lines stay statements of
        their own, under their own line's comment.
        """
        user = self.users[op.result][0]
        return (
            op.derivative
            and user.derivative
            and len(user.results) == 1
            and self.hints.get(user.result) == hint
            and _line(op) == _line(user)
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
            loc = self._statement_location(op)
            if loc is not None and loc.line != previous_line:
                lines.append(f"    {_comment(loc)}")
                previous_line = loc.line
            if op.definition is CHECK_REAL:
                text = self._check(op)
            else:
                text = ast.unparse(self._statement(op, position))
            if op.definition is EVALUATE:
                text += f"  # {_evaluated_why(op)}"
            lines += [f"    {line}" for line in text.splitlines()]
        return lines

    def _statement_location(self, op: Op) -> SourceLocation | None:
        """The source line most of ``op``'s statement comes from.

        A statement is its op and the ops written inline into it, which may
        come from other source lines (a term of an adjoint from the line
        that used the value); the comment heading it names the line that
        contributes the most ops, the statement's own op breaking ties.
        """
        locations = [loc for loc in self._inlined_locations(op) if loc is not None]
        if op.loc is None or not locations:
            return op.loc
        counts = Counter(loc.line for loc in locations)
        best = max(counts.values())
        if counts[op.loc.line] == best:
            return op.loc
        return next(loc for loc in locations if counts[loc.line] == best)

    def _inlined_locations(self, op: Op) -> list[SourceLocation | None]:
        found = [op.loc]
        for operand in op.operands:
            inner = operand.defining_op
            # Constants and global reads are names, not work done on a line.
            if inner is None or inner.definition in (CONST, GLOBAL):
                continue
            if self._inlined_op(inner):
                found += self._inlined_locations(inner)
        return found

    def _return(self, op: Op) -> str:
        values = [ast.unparse(self.expression(value)) for value in op.operands]
        if op.attributes.get("tuple") and len(values) == 1:
            return f"return ({values[0]},)"
        return f"return {', '.join(values)}"

    def _statement(self, op: Op, position: int) -> ast.stmt:
        args = [self.expression(operand) for operand in op.operands]
        value = op.definition.emit(args, op.attributes, self.context)
        if not op.results:
            return ast.Expr(value)
        name = self.namer.assign(op.result, position, self.hints.get(op.result))
        return ast.Assign([ast.Name(name, ast.Store())], value, lineno=0)

    def _check(self, op: Op) -> str:
        """``if x.__class__ is not float or ...: check_real(...)``.

        The test is the fast path: for a float ``wrt`` input, and a float or
        int other input, it is all the check costs. ``check_real`` accepts
        NumPy's scalars too and raises for the rest. Written as text:
        ``ast.unparse`` would parenthesise the third and later operands of
        an ``or``.
        """
        args = [ast.unparse(self.expression(operand)) for operand in op.operands]
        names: tuple[str, ...] = op.attributes["names"]  # type: ignore[assignment]
        kinds: tuple[str, ...] = op.attributes["kinds"]  # type: ignore[assignment]
        tests = [
            self._fast_test(arg, kind) for arg, kind in zip(args, kinds, strict=True)
        ]
        test = " or ".join(tests)
        groups: dict[str, list[str]] = {}
        for name, kind, arg in zip(names, kinds, args, strict=True):
            groups.setdefault(_CHECK_KEYWORDS[kind], []).append(f"{name!r}: {arg}")
        keywords = "".join(
            f", {keyword}={{{', '.join(items)}}}" for keyword, items in groups.items()
        )
        helper = ast.unparse(self.context.helper("check_real"))
        return f"if {test}:\n    {helper}({self.function.name!r}{keywords})"

    def _fast_test(self, arg: str, kind: str) -> str:
        """What sends an input to ``check_real``: a class it may not have."""
        if not arg.isidentifier():
            arg = f"({arg})"
        if kind in _FAST_TYPE:
            test = "is not" if kind == "wrt" else "is"
            type_name = ast.unparse(self.context.builtin(_FAST_TYPE[kind]))
            return f"{arg}.__class__ {test} {type_name}"
        real = ", ".join(
            ast.unparse(self.context.builtin(name)) for name in ("float", "int")
        )
        return f"{arg}.__class__ not in ({real})"


#: The one class that sends an input to ``check_real``: anything but a float
#: for ``wrt``; a complex number for a value ``**`` computed.
_FAST_TYPE = {"wrt": "float", "value": "complex"}
#: The keyword of ``srcgrad.runtime.check_real`` for each kind of input.
_CHECK_KEYWORDS = {
    "wrt": "wrt",
    "parameter": "parameters",
    "global": "globals",
    "closure variable": "closure",
    "value": "values",
}


def _evaluated_why(op: Op) -> str:
    """The comment on a value kept only so the gradient fails where f does."""
    kept = op.operands[0].defining_op
    if kept is not None and kept.attributes.get("namespace") == "numpy":
        return "kept: warns (nan) outside its domain, as f does"
    return "kept: raises outside its domain, as f does"


def _requests(function: Function) -> BindingRequests:
    """The bindings ``function``'s code needs: every op written once, dry."""
    requests = BindingRequests()
    for op in walk(function.entry):
        if op.definition is CHECK_REAL:
            kinds = set(op.attributes["kinds"])  # type: ignore[call-overload]
            requests.builtins.update(
                _FAST_TYPE[kind] for kind in kinds & {"wrt", "value"}
            )
            if kinds - {"wrt", "value"}:
                requests.builtins.update(("float", "int"))
            requests.helpers.add("check_real")
        elif not op.definition.is_terminator:
            placeholders = [ast.Name("_", ast.Load()) for _ in op.operands]
            op.definition.emit(placeholders, op.attributes, requests)
    return requests


def _line(op: Op) -> int | None:
    return None if op.loc is None else op.loc.line


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


def _comment(loc: SourceLocation) -> str:
    return f"# line {loc.line}: {loc.text.strip()}"
