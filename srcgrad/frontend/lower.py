"""Lowers a function's AST to SSA IR.

Assignment simply rebinds a source name to an SSA value, so ``x = x * 2``
creates a new value with the name hint ``x`` and ``a, b = b, a`` creates
nothing at all. Control flow becomes structured ops: ``if`` statements and
expressions, ``for`` and ``while`` loops, with ``return``, ``break`` and
``continue`` turned into flags (see ``environment.py``), so the function has
one ``return``, at the end of its body. Everything outside the supported
language stops here with a ``SrcgradError`` that points at the construct.

The lowering is assembled from one mixin per kind of construct, bottom to
top: ``state`` (what they share), ``expressions``, ``calls``,
``user_calls`` (calls to the user's functions), ``nested`` (functions
defined inside), ``statements``, ``iterables``, ``loops``; ``merge`` joins
the branches of an ``if``. A function that calls the user's functions is
lowered with them into one program (``lower_program``, ``callees``).
"""

from __future__ import annotations

import ast
from typing import Any

from srcgrad.errors import SrcgradError
from srcgrad.frontend.analysis import is_docstring, parameter_names
from srcgrad.frontend.callees import MAX_ATTEMPTS, CalleeSource, ProgramBuilder, Unit
from srcgrad.frontend.environment import (
    BREAK,
    RETURN,
    RETVAL,
    SKIP,
    Lowered,
)
from srcgrad.frontend.loaders import file_entry
from srcgrad.frontend.loops import LoopLowering
from srcgrad.frontend.resolve import Resolver
from srcgrad.frontend.source import FunctionSource
from srcgrad.ir import Function, Parameter, Program, Region, Value

__all__ = ["Lowered", "lower_function", "lower_program"]


def lower_function(source: FunctionSource, resolver: Resolver) -> Function:
    """Lower ``source``, a function that calls no function of the user's.

    Raises:
        SrcgradError: the function uses a construct or a name srcgrad does
            not support, or calls a function of the user's (lower it with
            ``lower_program``); the message points at it.
    """
    program = lower_program(file_entry(source, resolver))
    if len(program.functions) > 1:
        raise SrcgradError(
            f"{source.name} calls other functions: lower it with lower_program"
        )
    return program.entry_function


def lower_program(
    entry: CalleeSource, root_globals: dict[str, Any] | None = None
) -> Program:
    """Lower ``entry`` and every function of the user's it calls, once each.

    ``root_globals`` are the entry function's globals, for a live one. A
    recursive call whose callee returns a tuple is learnt about only once
    the callee is lowered: the program is then lowered again.

    Raises:
        SrcgradError: a function uses a construct or a name srcgrad does
            not support; the message points at it.
    """
    builder = ProgramBuilder(_lower_callee, root_globals=root_globals)
    for _ in range(MAX_ATTEMPTS):
        callee = builder.callee(entry.key, lambda: entry)
        if not builder.wrong_guess:
            return builder.program(callee.symbol)
        builder = ProgramBuilder(
            _lower_callee, builder.shapes, builder.sources, root_globals
        )
    raise SrcgradError(
        f"the functions {entry.name} calls recursively return tuples of lengths "
        "srcgrad could not settle; return one number or a tuple of fixed length",
        entry.source.location(entry.source.node),
    )


def _lower_callee(
    found: CalleeSource, program: ProgramBuilder, symbol: str
) -> Function:
    unit = Unit(program, found.key, symbol, found.scope, found.closure)
    return _Lowering(found.source, found.resolver, unit).function()


class _Lowering(LoopLowering):
    def __init__(self, source: FunctionSource, resolver: Resolver, unit: Unit) -> None:
        super().__init__(source, resolver, unit)
        names = parameter_names(source.node) | source.scan.bound
        self.locals = names | set(unit.closure)
        self.find_nested_functions()

    # -- function ---------------------------------------------------------
    def function(self) -> Function:
        node = self.source.node
        self._refuse_generator(node)
        parameters = self._parameters(node.args)
        block = self.builder.block
        for parameter, argument in zip(
            parameters,
            node.args.posonlyargs + node.args.args + node.args.kwonlyargs,
            strict=True,
        ):
            value = Value(parameter.name, self.location(argument), block)
            block.arguments.append(value)
            self.env[parameter.name] = value
        for name in self.unit.closure:  # a nested function's closure
            parameters.append(Parameter(name))
            value = Value(name, self.location(node), block)
            block.arguments.append(value)
            self.env[name] = value
        self.env.update({SKIP: False, BREAK: False, RETURN: False})
        body = node.body
        if body and is_docstring(body[0]):
            body = body[1:]
        self._statements(body)
        self._return_at_end(node, _last_statement(body) or node)
        location = self.location(node)
        return Function(self.unit.symbol, parameters, Region([block]), location)

    def _return_at_end(self, node: ast.FunctionDef, last: ast.AST) -> None:
        """The one ``return`` of the IR: what every path returned."""
        if self.env[RETURN] is not True:
            self.fail(
                last, f"`{node.name}` can reach its end without returning a value"
            )
        value = self.env[RETVAL]
        if not isinstance(value, (Value, tuple)):
            message = getattr(value, "reason", "no value is returned")
            self.fail(last, message)
        with self.builder.at(self.location(last)):
            if isinstance(value, tuple):
                values = [item for item in value if isinstance(item, Value)]
                assert len(values) == len(value)  # nested tuples are refused
                self.builder.ret(values).attributes["tuple"] = True
            else:
                self.builder.ret([value])

    def _refuse_generator(self, node: ast.FunctionDef) -> None:
        """A ``yield`` in the body (not in a nested scope) makes a generator."""
        yields = self.source.scan.yields
        if yields:
            first = min(yields, key=lambda found: (found.lineno, found.col_offset))
            self.fail(
                first,
                f"{node.name} is a generator (it uses `yield`); srcgrad "
                "differentiates functions that return one number",
            )

    def _parameters(self, arguments: ast.arguments) -> list[Parameter]:
        for variadic, stars in ((arguments.vararg, "*"), (arguments.kwarg, "**")):
            if variadic is not None:
                self.fail(
                    variadic,
                    f"variadic parameter {variadic.arg!r} (`{stars}{variadic.arg}`) "
                    "is not supported; write out each parameter by name",
                )
        positional = arguments.posonlyargs + arguments.args
        defaults: list[ast.expr | None] = [None] * (
            len(positional) - len(arguments.defaults)
        )
        defaults += arguments.defaults
        only = len(arguments.posonlyargs)
        result = [
            Parameter(
                arg.arg,
                "positional_only" if index < only else "positional",
                _text(default),
            )
            for index, (arg, default) in enumerate(
                zip(positional, defaults, strict=True)
            )
        ]
        result += [
            Parameter(arg.arg, "keyword_only", _text(default))
            for arg, default in zip(
                arguments.kwonlyargs, arguments.kw_defaults, strict=True
            )
        ]
        return result


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)


def _last_statement(body: list[ast.stmt]) -> ast.stmt | None:
    """The statement on the function's last line (inside its last clause)."""
    if not body:
        return None
    last = body[-1]
    clauses: list[list[ast.stmt]] = []
    if isinstance(last, (ast.If, ast.For, ast.While)):
        clauses = [last.orelse, last.body]
    inner = next((clause for clause in clauses if clause), None)
    return (_last_statement(inner) if inner else None) or last
