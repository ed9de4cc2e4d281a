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
from srcgrad.frontend.resolve import (
    BuiltinBinding,
    FunctionBinding,
    OtherBinding,
    PrimitiveBinding,
)
from srcgrad.ir import CALL, CONST, Value


class UserCallLowering(CallLowering):
    """Lowers calls to the user's own functions."""

    def _nested_source(self, binding: FunctionBinding) -> CalleeSource:
        raise NotImplementedError

    def _user_call(self, node: ast.Call, binding: FunctionBinding) -> Lowered:
        """``f(args)`` for a function ``f`` of the user's: a ``call`` op."""
        self._refuse_function_arguments(node, binding)
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

    def _refuse_function_arguments(
        self, node: ast.Call, binding: FunctionBinding
    ) -> None:
        """Refuse a function passed as an argument, here at the call, before
        the callee is read (where it would be a parameter being called)."""
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        for argument in arguments:
            what = self._function_named_by(argument)
            if what is None:
                continue
            self.fail(
                argument,
                f"passing a function ({what}) as an argument to {binding.name} "
                "is not supported: srcgrad reads which function each call calls "
                f"from its name; call {ast.unparse(argument)} by name inside "
                f"{binding.name} (one helper per function, if several are passed)",
            )

    def _function_named_by(self, node: ast.expr) -> str | None:
        """How to name the function ``node`` is, if it is one."""
        if isinstance(node, ast.Lambda):
            return "a lambda"
        if isinstance(node, ast.Name) and node.id in self.env:
            return None
        if isinstance(node, ast.Name) and node.id in self.nested_nodes:
            return f"`{node.id}`"
        chain = node
        while isinstance(chain, ast.Attribute):
            chain = chain.value
        if not isinstance(chain, ast.Name) or chain.id in self.locals:
            return None
        try:
            found = self._reference(node)
        except SrcgradError:
            return None  # lowering the argument says what is wrong with it
        if isinstance(found, (FunctionBinding, PrimitiveBinding, BuiltinBinding)):
            return f"`{ast.unparse(node)}`"
        if isinstance(found, OtherBinding) and found.no_rule_for:
            return f"`{ast.unparse(node)}`"
        return None

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
            call = self.location(node)
            raise error.called_from(binding.name, self.source.name, call) from None

    def _reader(
        self, binding: FunctionBinding
    ) -> tuple[Hashable, Callable[[], CalleeSource], bool]:
        """The callee's key, how to read its source, and whether that source
        may serve later attempts (see ``ProgramBuilder.callee``)."""
        refused = binding.refused
        if isinstance(refused, SrcgradError):

            def refuse() -> CalleeSource:
                raise type(refused)(refused.message, refused.location)

            return binding.name, refuse, False
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
        self._refuse_unknown_keywords(node, callee)
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

    def _refuse_unknown_keywords(self, node: ast.Call, callee: Callee) -> None:
        """A keyword the callee has no parameter for is named, as Python
        names it, before any argument it lacks (``h(x=x)`` for ``h(s, t)``
        is about ``x``, not a missing ``s``)."""
        parameters = callee.signature.parameters
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            return
        for keyword in node.keywords:
            parameter = parameters.get(str(keyword.arg))
            if (
                parameter is not None
                and parameter.kind is not parameter.POSITIONAL_ONLY
            ):
                continue
            if parameter is None:
                names = ", ".join(parameters)
                message = (
                    f"{callee.display}() got an unexpected keyword argument "
                    f"{keyword.arg!r}; its parameters are ({names})"
                )
            else:
                message = (
                    f"{callee.display}() takes {keyword.arg!r} by position only; "
                    f"pass it without `{keyword.arg}=`"
                )
            self.fail(keyword, message, CallError)

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
