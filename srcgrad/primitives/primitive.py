"""What a primitive is: its Python spellings, its evaluation, its rules.

This is the bottom of the package: it imports nothing else from it. A
``Primitive`` is an IR op definition with mathematics attached. Each one
declares, side by side:

* how it is written in Python, per namespace (``operator`` for ``x ** y``,
  ``math`` for ``math.pow``, ``numpy`` for ``np.power``), and the other
  names users may call it by there;
* its JVP: tangents of the operands in, tangent of the result out;
* its VJP: cotangent of the result in, cotangents of the operands out.

Rules are ordinary functions over IR values built through a
``RuleBuilder``, so the ops they create are optimised, printed and even
differentiated again like any other op. A rule names the primitives it
needs by object (``e.call(COSH, x)``), never by a string looked up in the
finished table, so the modules defining primitives depend only on this one
and on each other, and the table sits on top.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import Kind, Type, elementwise_type
from srcgrad.primitives.spelling import (
    BINARY_OPERATORS,
    COMPARISON_OPERATORS,
    UNARY_OPERATORS,
    CustomSpelling,
    Spelling,
    literal,
    module_expression,
)

#: Cotangents (or tangents) of the operands; None where there is none.
Cotangents = tuple["Value | None", ...]
Tangents = tuple["Value | None", ...]


class RuleBuilder(Protocol):
    """What derivative rules are written against (``RuleEmitter`` builds it).

    Each method appends ops at the current insertion point and returns the
    value. ``call`` applies a primitive in the namespace of the op being
    differentiated, or the nearest one that spells it.
    """

    def const(self, value: float | int) -> Value: ...

    def symbolic_constant(self, text: str, value: float) -> Value:
        """A constant written as an expression over ``math``/NumPy names.

        ``text`` is Python over the bare names ``pi``, ``E``, ``sqrt``,
        ``log`` and ``exp`` (``"2/sqrt(pi)"``); ``value`` is what it equals.
        """
        ...

    @property
    def attributes(self) -> Mapping[str, object]:
        """The attributes of the op being differentiated (``axis``...)."""
        ...

    def call(self, primitive: Primitive, *args: Value, **options: object) -> Value:
        """``primitive(*args)``, with ``options`` as the op's attributes."""
        ...

    def apply(
        self, primitive: Primitive, *args: Value, namespace: str, **options: object
    ) -> Value:
        """``primitive(*args)`` written in ``namespace``."""
        ...

    def results(
        self,
        primitive: Primitive,
        args: Sequence[Value],
        attributes: Mapping[str, object],
        count: int,
    ) -> list[Value]:
        """The ``count`` results of one op of ``primitive`` (a tuple it
        returns, unpacked), with exactly ``attributes``."""
        ...

    def unbroadcast(self, g: Value, x: Value, shaped_as: Type | None = None) -> Value:
        """``g`` summed to broadcast to ``x``'s shape (see ``RuleEmitter``)."""
        ...

    def materialize(self, g: Value, value: Value) -> Value:
        """``g``, which broadcasts to ``value``'s shape, stretched to it."""
        ...

    def add(self, x: Value, y: Value) -> Value: ...

    def sub(self, x: Value, y: Value) -> Value: ...

    def mul(self, x: Value, y: Value) -> Value: ...

    def div(self, x: Value, y: Value) -> Value: ...

    def neg(self, x: Value) -> Value: ...

    def pow(self, x: Value, y: Value) -> Value: ...

    def constant_of(self, value: Value) -> object | None:
        """The number ``value`` holds if it is a literal constant, else None."""
        ...

    def add_tangents(self, x: Value | None, y: Value | None) -> Value | None:
        """``x + y`` where None stands for a zero tangent."""
        ...

    def scale(self, tangent: Value | None, factor: Value | None) -> Value | None:
        """``factor * tangent``, or None (zero) if either is None."""
        ...

    def partials(self, args: tuple[Value, ...], out: Value) -> tuple[Value, ...]:
        """The primitive's partial derivatives at ``args`` (``out`` its value)."""
        ...


VjpRule = Callable[[RuleBuilder, Value, tuple[Value, ...], Value], Cotangents]
JvpRule = Callable[[RuleBuilder, Tangents, tuple[Value, ...], Value], "Value | None"]
#: Hand-written partial derivatives: (builder, operands, result) -> one per operand.
PartialsRule = Callable[[RuleBuilder, tuple[Value, ...], Value], tuple[Value, ...]]
#: The result's type from the operands' types and the op's attributes.
TypeRule = Callable[[Sequence["Type | None"], Mapping[str, object]], "Type | None"]
#: Writes an op as Python from its operands' expressions and its attributes.
Writer = Callable[[Sequence[ast.expr], Mapping[str, object], EmitContext], ast.expr]
#: Writes an op as statements that bind its result to ``target``.
StatementWriter = Callable[
    [ast.Name, Sequence[ast.expr], Mapping[str, object], EmitContext], list[ast.stmt]
]


@dataclass(frozen=True, eq=False)
class Primitive:
    """An op with a Python spelling and derivative rules.

    Attributes:
        name: canonical name, as the IR prints it (``asin``, not ``arcsin``).
        arity: number of operands, or None for a variadic one (``hypot``).
        spellings: namespace -> ``Spelling`` (a plain string or a
            ``CustomSpelling`` is shorthand for one with no other names).
            Only namespaces that have the primitive are listed.
        vjp, jvp: the derivative rules; None for a primitive whose
            derivative is zero wherever it exists (``floordiv``, ``sign``),
            which says so with ``zero_derivative``.
        domain: per operand, an interval where tests may sample it.
        sympy_form: builds the SymPy expression of the primitive, given the
            ``sympy`` module and symbols; elementwise rules derive from it.
        partials: hand-written partial derivatives, used instead of the ones
            derived from ``sympy_form`` where those lose accuracy.
        reuse_output: derived partials may be rewritten in terms of the
            primitive's own value (``d exp = out``); False where that form
            is less accurate than the one in terms of the operands.
        needs_domain_check: the namespaces in which evaluating the primitive
            is the only thing that rejects operands outside its domain
            (``math.log(-1.0)`` raises and ``np.log(-1.0)`` warns and is nan,
            but the derivative ``1/x`` returns ``-1.0``). A gradient keeps
            such an op so that it raises, or warns, where the function does.
        zero_derivative: the derivative is zero wherever it exists, by
            declaration: reverse mode gives its operands no cotangent. A
            primitive with no rules that does not declare this cannot be
            differentiated, and reverse mode refuses it.
        integer_operands: its operands must be integers or sequences
            (``range``'s bounds, ``len``'s argument): an operand that
            depends on ``wrt`` is an error, not a zero derivative.
        differentiable_operands: the positions exempt from that, which
            the rules differentiate (``sum(data, start)``'s start).
        opaque: a function srcgrad only evaluates (``math.lgamma``): no
            rules, allowed where it does not depend on ``wrt``.
        commutative: operands may be swapped (CSE uses this).
        one_shot: its value is an iterator one loop uses up (``zip``,
            ``enumerate``, ``reversed``): two calls are never merged into
            one, nor is one moved out of the loop that makes it.
        result_kind: the kind of number it gives (``real`` for ``sin``,
            ``bool`` for ``<``), or None for the widest of its operands'
            (``n + 1`` is an int).
        result_type: the type of its result from its operands' types and
            its attributes; by default it is elementwise: the operands
            broadcast, and the result has ``result_kind``.
        options: the attributes written as keyword arguments when they are
            set (``axis``, ``keepdims``): fixed when the gradient is built.
        positional: the arguments the function takes after its operands,
            in order, where that differs from ``options``: NumPy's
            ``np.var(a, axis, dtype, out, ddof)``. One named here but not
            in ``options`` (``dtype``, ``out``) may only be passed as None.
        subscript: an attribute the value is indexed by, as written
            (``x.shape[axis]``).
        writer: writes the op from its attributes too (``x[1:, i]``),
            instead of its spelling.
        statements: writes the op as statements binding its result (an
            array made, then written into); such an op is never inlined.
        view: its value may share memory with an operand (``x.T``,
            ``x[1:]``): a write into one changes the other.
        allocates: each evaluation makes a new array or list, which a
            write may then change in place (``np.zeros(n)``, ``[]``): CSE
            never merges two, so each stays one object a write may own.
        sequence: its operands are passed as one list (``np.stack([a, b])``):
            the frontend takes them from a list or tuple written out, and
            the default writer writes them as one list.
        elementwise: it applies item by item to operands that broadcast
            together (``np.where``), so the reverse sweep sums each
            cotangent back to its operand's shape, and a cotangent that only
            broadcasts to its result's shape will do. By default: when it
            has no ``result_type`` of its own.
    """

    name: str
    arity: int | None
    spellings: Mapping[str, Spelling | str | CustomSpelling]
    vjp: VjpRule | None
    jvp: JvpRule | None
    domain: tuple[tuple[float, float], ...]
    sympy_form: Callable[..., Any] | None = None
    partials: PartialsRule | None = None
    reuse_output: bool = True
    needs_domain_check: frozenset[str] = field(default_factory=frozenset)
    zero_derivative: bool = False
    integer_operands: bool = False
    differentiable_operands: tuple[int, ...] = ()
    opaque: bool = False
    commutative: bool = False
    pure: bool = True
    one_shot: bool = False
    result_kind: Kind | None = "real"
    result_type: TypeRule | None = None
    options: tuple[str, ...] = ()
    positional: tuple[str, ...] = ()
    subscript: str | None = None
    writer: Writer | None = None
    statements: StatementWriter | None = None
    #: For ``statements``: how many leading operands are read before the
    #: result is bound (the array a write goes into); the rest after.
    bound_first: int = 0
    view: bool = False
    allocates: bool = False
    sequence: bool = False
    elementwise: bool | None = None
    is_terminator: bool = False

    def __post_init__(self) -> None:
        normalised = {
            namespace: (
                spelling if isinstance(spelling, Spelling) else Spelling(spelling)
            )
            for namespace, spelling in self.spellings.items()
        }
        object.__setattr__(self, "spellings", normalised)

    @property
    def differentiable(self) -> bool:
        return self.vjp is not None

    @property
    def broadcasts(self) -> bool:
        """Whether it is elementwise (see ``elementwise``)."""
        if self.elementwise is None:
            return self.result_type is None
        return self.elementwise

    def result_types(
        self, types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> list[Type | None]:
        """The type of the result, given the operands' (see ``result_type``)."""
        if self.result_type is not None:
            return [self.result_type(types, attributes)]
        return [elementwise_type(self.result_kind, types)]

    def spelling(self, namespace: str) -> Spelling | None:
        """How ``namespace`` spells this primitive, or None if it has none."""
        spelling = self.spellings.get(namespace)
        assert spelling is None or isinstance(spelling, Spelling)  # __post_init__
        return spelling

    def written(self, namespace: str) -> str | CustomSpelling:
        """How generated code writes this primitive in ``namespace``."""
        spelling = self.spelling(namespace)
        if spelling is None:
            raise KeyError(f"{self.name} has no spelling in {namespace}")
        return spelling.written

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        if self.writer is not None:
            return self.writer(args, attributes, context)
        namespace = str(attributes["namespace"])
        spelling = self.written(namespace)
        if isinstance(spelling, CustomSpelling):
            return spelling.emit(args, context)
        if namespace in ("method", "attribute", "helper"):
            return self._emit_on_value(namespace, spelling, args, attributes, context)
        if namespace == "operator":
            if len(args) == 1:
                return ast.UnaryOp(UNARY_OPERATORS[spelling][0](), args[0])
            left, right = args
            if spelling in COMPARISON_OPERATORS:
                comparison = COMPARISON_OPERATORS[spelling][0]()
                return ast.Compare(left, [comparison], [right])
            return ast.BinOp(left, BINARY_OPERATORS[spelling][0](), right)
        if namespace == "builtins":
            function = context.builtin(spelling)
        else:
            function = ast.Attribute(
                module_expression(namespace, context), spelling, ast.Load()
            )
        return ast.Call(
            function, self._positional(args), self._keywords(attributes, context)
        )

    def _positional(self, args: Sequence[ast.expr]) -> list[ast.expr]:
        """The positional arguments: the operands, as one list where the
        function takes them so (``np.concatenate([a, b])``)."""
        if self.sequence:
            return [ast.List(list(args), ast.Load())]
        return list(args)

    def _keywords(
        self, attributes: Mapping[str, object], context: EmitContext
    ) -> list[ast.keyword]:
        """The options set on the op, as keyword arguments (``axis=0``,
        ``dtype=float``)."""
        keywords = []
        for name in self.options:
            value = attributes.get(name)
            if value is None or value is False:
                continue
            if name == "dtype":
                keywords.append(ast.keyword(name, context.builtin(str(value))))
            else:
                keywords.append(ast.keyword(name, literal(value)))
        return keywords

    def _emit_on_value(
        self,
        namespace: str,
        spelling: str,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        """``x.sum(axis=0)``, ``x.T``, ``x.shape[0]``, ``helper(x, y)``."""
        if namespace == "helper":
            function = context.helper(spelling)
            return ast.Call(function, list(args), self._keywords(attributes, context))
        receiver, *rest = args
        value: ast.expr = ast.Attribute(receiver, spelling, ast.Load())
        if namespace == "method":
            value = ast.Call(value, list(rest), self._keywords(attributes, context))
        if self.subscript is not None:
            index = literal(attributes[self.subscript])
            value = ast.Subscript(value, index, ast.Load())
        return value

    def python_callable(self, namespace: str) -> Callable[..., Any]:
        """The Python function this primitive runs as in ``namespace``."""
        spelling = self.written(namespace)
        if isinstance(spelling, CustomSpelling):
            return spelling.evaluate
        if namespace == "operator":
            if self.arity == 1:
                return UNARY_OPERATORS[spelling][1]
            if spelling in COMPARISON_OPERATORS:
                return COMPARISON_OPERATORS[spelling][1]
            return BINARY_OPERATORS[spelling][1]
        if namespace == "builtins":
            return getattr(builtins, spelling)
        if namespace == "math":
            return getattr(math, spelling)
        if namespace in ("method", "attribute", "helper", "list") or self.options:
            # Written on a value, or with options: folding leaves it be.
            raise TypeError(f"{self.name} is not evaluated while building")
        function = getattr(importlib.import_module(namespace), spelling)
        if self.sequence:
            return lambda *args: function(list(args))
        return function

    def evaluate(self, namespace: str, args: Sequence[object]) -> object:
        """Run the primitive on Python values (constant folding, tests)."""
        return self.python_callable(namespace)(*args)

    def __repr__(self) -> str:
        return f"Primitive({self.name})"
