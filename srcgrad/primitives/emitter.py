"""The builder that derivative rules are written against.

``RuleEmitter`` implements the ``RuleBuilder`` protocol: a rule calls
``e.mul(g, e.call(COS, x))`` and the emitter turns that into IR ops at the
current insertion point and source location. Calls go to the namespace of
the op being differentiated (``np.sin`` gives ``np.cos``), falling back to
the operator, then ``math``, where that namespace lacks the function (the
builtin ``abs`` has no ``sign``). It sits on top of the package: it knows
the finished table, which it needs to read SymPy's derivatives back.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srcgrad.ir import CONST, Builder, Value
from srcgrad.ir.types import (
    Array,
    ListOf,
    Scalar,
    Type,
    is_scalar,
    may_be_one,
    same_shape,
)
from srcgrad.primitives.arithmetic import ADD, DIV, MUL, NEG, SUB
from srcgrad.primitives.broadcasting import BROADCAST_TO, SUM_TO_SHAPE
from srcgrad.primitives.constants import SYMBOLIC_CONSTANT
from srcgrad.primitives.derive import OUTPUT_SYMBOL, operand_symbol, partial_derivatives
from srcgrad.primitives.derived_rules import TAPES
from srcgrad.primitives.elementwise import SQRT
from srcgrad.primitives.power import POW
from srcgrad.primitives.primitive import CustomSpelling, Primitive
from srcgrad.primitives.reductions import REDUCE_SUM
from srcgrad.primitives.rule_tapes import replay
from srcgrad.primitives.shapes import SHAPE
from srcgrad.primitives.table import PRIMITIVES

if TYPE_CHECKING:
    from srcgrad.primitives.sympy_to_ir import Vocabulary

_FALLBACK_NAMESPACES = ("operator", "math", "numpy")
_ARRAY_FALLBACK_NAMESPACES = ("operator", "numpy", "math")
#: Where a symbolic constant of a rule in another namespace is written.
_CONSTANT_NAMESPACES = ("math", "numpy")


class RuleEmitter:
    """Builds the ops of one derivative rule for one op."""

    def __init__(
        self,
        builder: Builder,
        primitive: Primitive,
        namespace: str,
        attributes: Mapping[str, object] | None = None,
    ) -> None:
        self.builder = builder
        self.primitive = primitive
        self.namespace = namespace
        #: The attributes of the op being differentiated (``axis``...).
        self.attributes: Mapping[str, object] = attributes or {}

    # -- values -----------------------------------------------------------
    def const(self, value: float | int) -> Value:
        return self.builder.const(value)

    def symbolic_constant(self, text: str, value: float) -> Value:
        """A constant written as an expression (``2/sqrt(pi)``), see constants.py."""
        namespace = self.namespace
        if namespace not in _CONSTANT_NAMESPACES:
            namespace = _CONSTANT_NAMESPACES[0]
        attributes = {"text": text, "value": value, "namespace": namespace}
        return self.builder.create(SYMBOLIC_CONSTANT, (), attributes).result

    def constant_of(self, value: Value) -> object | None:
        op = value.defining_op
        return op.attributes["value"] if op and op.definition is CONST else None

    def apply(
        self, primitive: Primitive, *args: Value, namespace: str, **options: object
    ) -> Value:
        attributes = {"namespace": namespace, **options}
        return self.builder.create(primitive, args, attributes).result

    def results(
        self,
        primitive: Primitive,
        args: Sequence[Value],
        attributes: Mapping[str, object],
        count: int,
    ) -> list[Value]:
        return self.builder.create(
            primitive, args, attributes, result_count=count
        ).results

    def call(self, primitive: Primitive, *args: Value, **options: object) -> Value:
        """``primitive(*args)`` in this rule's namespace, or the nearest that
        has it: NumPy before ``math`` where an operand may be an array.
        A ``namespace`` among ``options`` (a rule passing on all the op's
        attributes) gives way to the one chosen here."""
        options.pop("namespace", None)
        fallbacks = _FALLBACK_NAMESPACES
        first: tuple[str, ...] = (self.namespace,)
        if not all(is_scalar(arg.type) for arg in args):
            fallbacks = _ARRAY_FALLBACK_NAMESPACES
            if args and isinstance(args[0].type, Array):
                first = ("attribute", self.namespace)  # x.T, x.shape
        for namespace in (*first, *fallbacks, *primitive.spellings):
            spelling = primitive.spelling(namespace)
            if spelling is None:
                continue
            if (
                fallbacks is _ARRAY_FALLBACK_NAMESPACES
                and isinstance(spelling.written, CustomSpelling)
                and "numpy" in primitive.spellings
            ):
                namespace = "numpy"  # `a if c else b` takes numbers only
            return self.apply(primitive, *args, namespace=namespace, **options)
        raise KeyError(f"no namespace spells primitive {primitive.name}")

    def materialize(self, g: Value, value: Value) -> Value:
        """``g``, an adjoint of ``value`` that may only broadcast to its shape,
        stretched to that shape: what rules other than elementwise ones take."""
        if g.type is not None and same_shape(g.type, value.type):
            return g
        if isinstance(value.type, (Scalar, ListOf)):  # a list's holds its items'
            return g
        shape = self.call(SHAPE, value)
        return self.apply(BROADCAST_TO, g, shape, namespace="numpy", type=value.type)

    def unbroadcast(self, g: Value, x: Value, shaped_as: Type | None = None) -> Value:
        """``g``, an adjoint of an elementwise op's result, summed back to the
        shape of its operand ``x``: over the axes broadcasting added in front,
        and over those where ``x`` has size 1 (keeping them). Where that is
        not known until the code runs, a helper decides then. ``shaped_as``
        is ``g``'s type where ``g`` has none (the op's result's)."""
        have = g.type if g.type is not None else shaped_as
        axes = summed_axes(have, x.type)
        if axes is None:
            return self.apply(SUM_TO_SHAPE, g, x, namespace="helper", type=x.type)
        leading, kept = axes
        if not leading and not kept:
            return g
        if isinstance(x.type, Scalar) or (
            isinstance(x.type, Array) and not x.type.rank
        ):
            return self.apply(REDUCE_SUM, g, namespace="method")
        if leading:
            axis = leading if len(leading) > 1 else leading[0]
            g = self.apply(REDUCE_SUM, g, namespace="method", axis=axis)
        if kept:
            axis = kept if len(kept) > 1 else kept[0]
            g = self.apply(REDUCE_SUM, g, namespace="method", axis=axis, keepdims=True)
        return g

    def add(self, x: Value, y: Value) -> Value:
        return self.apply(ADD, x, y, namespace="operator")

    def sub(self, x: Value, y: Value) -> Value:
        return self.apply(SUB, x, y, namespace="operator")

    def mul(self, x: Value, y: Value) -> Value:
        return self.apply(MUL, x, y, namespace="operator")

    def div(self, x: Value, y: Value) -> Value:
        return self.apply(DIV, x, y, namespace="operator")

    def neg(self, x: Value) -> Value:
        return self.apply(NEG, x, namespace="operator")

    def pow(self, x: Value, y: Value) -> Value:
        return self.apply(POW, x, y, namespace="operator")

    # -- tangents, where None stands for a zero ---------------------------
    def add_tangents(self, x: Value | None, y: Value | None) -> Value | None:
        if x is None:
            return y
        return x if y is None else self.add(x, y)

    def scale(self, tangent: Value | None, factor: Value | None) -> Value | None:
        if tangent is None or factor is None:
            return None
        return self.mul(factor, tangent)

    # -- partials ---------------------------------------------------------
    def partials(self, args: tuple[Value, ...], out: Value) -> tuple[Value, ...]:
        """This primitive's partial derivatives at ``args``, as IR values.

        Hand-written ones where the primitive has them, else SymPy's (as
        recorded in ``derived_rules.py``, or derived now).
        """
        if self.primitive.partials is not None:
            return self.primitive.partials(self, args, out)
        tape = TAPES.get((self.primitive.name, len(args)))
        if tape is not None:  # SymPy's, recorded: no SymPy to import
            return replay(self, tape, args, out)
        expressions = partial_derivatives(self.primitive, len(args))
        symbols = {operand_symbol(i): arg for i, arg in enumerate(args)}
        symbols[OUTPUT_SYMBOL] = out
        return tuple(self.from_sympy(expression, symbols) for expression in expressions)

    def from_sympy(self, expression: Any, symbols: dict[str, Value]) -> Value:
        """Build IR for a SymPy expression over the named ``symbols``."""
        from srcgrad.primitives.sympy_to_ir import translate

        return translate(self, expression, symbols, vocabulary())


def summed_axes(
    have: Type | None, target: Type | None
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The axes to sum an adjoint of type ``have`` over so that it broadcasts
    to ``target``'s shape: the axes in front of ``target``'s (dropped), then
    those where ``target`` has size 1 and ``have`` may not (kept). An axis
    where ``have`` has size 1, or that it lacks, already broadcasts. None
    where that is not known when the gradient is built.
    """
    if isinstance(have, Scalar):
        return (), ()
    if not isinstance(have, Array):
        return None
    target_dims = () if isinstance(target, Scalar) else getattr(target, "dims", None)
    if target_dims is None:
        return None
    lead = max(have.rank - len(target_dims), 0)
    kept = []
    for axis, dim in enumerate(target_dims):
        position = have.rank - len(target_dims) + axis
        stretched = have.dims[position] if position >= 0 else 1
        if stretched == 1 or (dim == stretched and dim is not None):
            continue  # (two unknown sizes may differ: one may be 1)
        if dim == 1:
            kept.append(axis)
        elif may_be_one(dim):
            return None  # is the operand's axis 1, or as long? known when it runs
    return tuple(range(lead)), tuple(kept)


@functools.cache
def vocabulary() -> Vocabulary:
    """SymPy function classes -> primitives, read off the table once."""
    import sympy

    from srcgrad.primitives.sympy_to_ir import Vocabulary

    probe = sympy.Symbol("probe", real=True)
    functions: dict[type, Primitive] = {}
    for primitive in PRIMITIVES.values():
        if primitive.sympy_form is None or primitive.arity is None:
            continue
        expression = primitive.sympy_form(sympy, *([probe] * primitive.arity))
        if isinstance(expression, sympy.Function) and expression.args == (probe,) * len(
            expression.args
        ):
            functions.setdefault(type(expression), primitive)
    return Vocabulary(functions, SQRT)
