"""The builder that derivative rules are written against.

A rule calls ``e.mul(g, e.call("cos", x))``; the emitter turns that into IR
ops at the current insertion point and source location. Calls go to the
namespace of the op being differentiated (``np.sin`` gives ``np.cos``),
falling back to ``math`` where that namespace lacks the function (the
builtin ``abs`` has no ``sign``).
"""

from __future__ import annotations

from typing import Any

from srcgrad.ir import Builder, Value
from srcgrad.primitives.derive import OUTPUT_SYMBOL, operand_symbol, partial_derivatives
from srcgrad.primitives.registry import PRIMITIVES
from srcgrad.primitives.table import Primitive

_FALLBACK_NAMESPACES = ("math", "numpy")


class RuleEmitter:
    """Builds the ops of one derivative rule for one op."""

    def __init__(self, builder: Builder, primitive: Primitive, namespace: str) -> None:
        self.builder = builder
        self.primitive = primitive
        self.namespace = namespace

    # -- values -----------------------------------------------------------
    def const(self, value: float | int) -> Value:
        return self.builder.const(value)

    def apply(self, primitive: Primitive, *args: Value, namespace: str) -> Value:
        op = self.builder.create(primitive, args, {"namespace": namespace})
        return op.result

    def call(self, name: str, *args: Value) -> Value:
        """``name(*args)`` in this rule's namespace, or the nearest that has it."""
        primitive = PRIMITIVES[name]
        for namespace in (self.namespace, *_FALLBACK_NAMESPACES):
            if namespace in primitive.spellings:
                return self.apply(primitive, *args, namespace=namespace)
        raise KeyError(f"no namespace spells primitive {name}")

    def _operator(self, name: str, *args: Value) -> Value:
        return self.apply(PRIMITIVES[name], *args, namespace="operator")

    def add(self, x: Value, y: Value) -> Value:
        return self._operator("add", x, y)

    def sub(self, x: Value, y: Value) -> Value:
        return self._operator("sub", x, y)

    def mul(self, x: Value, y: Value) -> Value:
        return self._operator("mul", x, y)

    def div(self, x: Value, y: Value) -> Value:
        return self._operator("div", x, y)

    def neg(self, x: Value) -> Value:
        return self._operator("neg", x)

    def pow(self, x: Value, y: Value) -> Value:
        return self._operator("pow", x, y)

    # -- tangents, where None stands for a zero ---------------------------
    def add_tangents(self, x: Value | None, y: Value | None) -> Value | None:
        if x is None:
            return y
        return x if y is None else self.add(x, y)

    def scale(self, tangent: Value | None, factor: Value | None) -> Value | None:
        if tangent is None or factor is None:
            return None
        return self.mul(factor, tangent)

    # -- derived partials -------------------------------------------------
    def partials(self, args: tuple[Value, ...], out: Value) -> tuple[Value, ...]:
        """This primitive's partial derivatives at ``args``, as IR values."""
        expressions = partial_derivatives(self.primitive, len(args))
        symbols = {operand_symbol(i): arg for i, arg in enumerate(args)}
        symbols[OUTPUT_SYMBOL] = out
        return tuple(self.from_sympy(expression, symbols) for expression in expressions)

    def from_sympy(self, expression: Any, symbols: dict[str, Value]) -> Value:
        """Build IR for a SymPy expression over the named ``symbols``."""
        from srcgrad.primitives.sympy_to_ir import translate

        return translate(self, expression, symbols)
