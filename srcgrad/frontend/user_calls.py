"""Lowering a call to a function of the user's: one ``call`` op.

The arguments are bound to the callee's parameters as Python binds them
(``inspect.Signature.bind``): positional and keyword arguments, and for a
parameter the call omits, the default the function object holds (for a
nested function, the value its ``def`` computed). A nested function's
closure follows: the values the enclosing function's variables it reads
hold when the call runs. The op's results are the values the callee
returns: one, or one per item of the tuple it returns, which the caller
unpacks like any tuple.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable

from srcgrad.errors import CallError, SrcgradError
from srcgrad.frontend.callees import Callee, CalleeSource, Default
from srcgrad.frontend.calls import CallLowering
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.loaders import file_callee, live_callee
from srcgrad.frontend.resolve import FunctionBinding
from srcgrad.ir import CALL, CONST, Value


class UserCallLowering(CallLowering):
    """Lowers calls to the user's own functions."""

    def _nested_source(self, binding: FunctionBinding) -> CalleeSource:
        raise NotImplementedError

    def _user_call(self, node: ast.Call, binding: FunctionBinding) -> Lowered:
        """``f(args)`` for a function ``f`` of the user's: a ``call`` op."""
        callee = self._callee(node, binding)
        self._refuse_unpacking(node)
        args = [self._argument(argument, callee) for argument in node.args]
        keywords = {
            str(keyword.arg): self._argument(keyword.value, callee)
            for keyword in node.keywords
        }
        operands = self._bind_call(node, callee, args, keywords)
        operands += [self._closure_value(node, callee, name) for name in callee.closure]
        shape = self.unit.program.results(callee)
        count = 1 if shape is None else shape
        with self.builder.at(self.location(node)):
            op = self.builder.create(
                CALL, operands, {"callee": callee.symbol}, result_count=count
            )
        return op.result if shape is None else tuple(op.results)

    def _callee(self, node: ast.Call, binding: FunctionBinding) -> Callee:
        """The callee, lowered into the program the first time it is called."""
        key, read, reuse = self._reader(binding)
        try:
            return self.unit.program.callee(key, read, reuse=reuse)
        except SrcgradError as error:
            if error.location is None:
                message = f"cannot call {binding.name}: {error.message}"
                self.fail(node.func, message, type(error))
            # Where the error is, and how the function differentiated got there.
            called = f"{binding.name}, called from {self.source.name} on line"
            message = f"{error.message} (in {called} {self.line(node)})"
            raise type(error)(message, error.location) from None

    def _reader(
        self, binding: FunctionBinding
    ) -> tuple[Hashable, Callable[[], CalleeSource], bool]:
        """The callee's key, how to read its source, and whether that source
        may serve later attempts (see ``ProgramBuilder.callee``)."""
        if binding.nested is not None:
            return binding.nested.key, lambda: self._nested_source(binding), False  # type: ignore[attr-defined]
        if binding.function is not None:
            scope, program = self.unit.scope, self.unit.program

            def read() -> CalleeSource:
                return live_callee(binding, scope, program.root_globals)

            return binding.function, read, True
        return binding.source.node, lambda: file_callee(binding), True  # type: ignore[attr-defined]

    def _argument(self, node: ast.expr, callee: Callee) -> Value:
        if isinstance(node, ast.Constant) and node.value is None:
            # As a default None is: ``passes.none_values`` checks its uses.
            with self.builder.at(self.location(node)):
                return self.builder.const(None)
        lowered = self._expression(node)
        if isinstance(lowered, tuple):
            self.fail(
                node,
                f"passing a tuple to {callee.display} is not supported; pass its "
                "items as arguments of their own",
            )
        return lowered

    def _bind_call(
        self,
        node: ast.Call,
        callee: Callee,
        args: list[Value],
        keywords: dict[str, Value],
    ) -> list[Value]:
        """The callee's parameters, in order, bound as Python binds them."""
        try:
            bound = callee.signature.bind(*args, **keywords)
        except TypeError as error:
            self.fail(node, f"{callee.display}(): {error}", CallError)
        operands = []
        for name, parameter in callee.signature.parameters.items():
            if name in bound.arguments:
                operands.append(bound.arguments[name])
                continue
            default = parameter.default
            assert isinstance(default, Default), default
            operands.append(self._default(node, callee, name, default))
        return operands

    def _default(
        self, node: ast.Call, callee: Callee, name: str, default: Default
    ) -> Value:
        """The value of an omitted argument: the parameter's default."""
        if default.problem is not None:
            self.fail(
                node,
                f"the default of parameter {name!r} of {callee.display} is "
                f"{default.problem}; pass {name} explicitly",
            )
        lowered = default.lowered
        if lowered is None:
            return self.builder.const(default.value)
        assert isinstance(lowered, Value)
        if default.owner is self:
            return lowered
        op = lowered.defining_op
        if op is not None and op.definition is CONST:
            return self.builder.const(op.attributes["value"])
        self.fail(
            node,
            f"the default of parameter {name!r} of {callee.display} is computed "
            "by the function around it, which this call cannot read; pass "
            f"{name} explicitly",
        )

    def _closure_value(self, node: ast.Call, callee: Callee, name: str) -> Value:
        """The value ``name`` holds here, which the nested callee reads."""
        found = self.env.get(name)
        if isinstance(found, Value):
            return found
        if isinstance(found, tuple):
            self.fail(
                node,
                f"{callee.display} reads `{name}`, a tuple; srcgrad passes numbers "
                "to nested functions: pass its items as arguments",
            )
        why = getattr(found, "reason", None)
        self.fail(
            node,
            f"{callee.display} reads `{name}`, which "
            + (f"may be undefined here: {why}" if why else "is not assigned yet here"),
        )
