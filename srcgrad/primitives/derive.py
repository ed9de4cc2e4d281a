"""Partial derivatives of elementwise primitives, derived with SymPy, and
the VJP and JVP an elementwise primitive's partials make.

Nobody types ``d/dx asinh(x) = 1/sqrt(x**2 + 1)`` here: SymPy differentiates
each primitive's symbolic form once, the first time a rule needs it. Where
the derivative contains the primitive's own value it is rewritten in terms
of the result, the way a person would write it by hand (``d sqrt = 1/(2*y)``,
``d exp2 = log(2) * y``), so the forward value is reused instead of
recomputed, unless the primitive declares ``reuse_output=False`` because
that form loses precision (``d expm1 = y + 1`` is 0.0 for x < -37, where
``exp(x)`` is not). SymPy is imported only here, only on a cache miss.
"""

from __future__ import annotations

import functools
from typing import Any

from srcgrad.ir import Value
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
)

#: The symbol standing for the primitive's result in derived partials.
OUTPUT_SYMBOL = "out"


def operand_symbol(index: int) -> str:
    return f"x{index}"


@functools.cache
def partial_derivatives(primitive: Primitive, arity: int) -> tuple[Any, ...]:
    """SymPy expressions of each partial, over ``x0..x{n-1}`` and ``out``."""
    import sympy

    if primitive.sympy_form is None:
        raise ValueError(f"primitive {primitive.name} has no symbolic form")
    operands = [sympy.Symbol(operand_symbol(i), real=True) for i in range(arity)]
    output = sympy.Symbol(OUTPUT_SYMBOL, real=True)
    expression = primitive.sympy_form(sympy, *operands)
    partials = [sympy.diff(expression, operand) for operand in operands]
    if primitive.reuse_output:
        partials = [
            _in_terms_of_output(sympy, partial, expression, output)
            for partial in partials
        ]
    return tuple(partials)


def _in_terms_of_output(
    sympy: Any, derivative: Any, expression: Any, output: Any
) -> Any:
    """Rewrite ``derivative`` to use ``output`` where it contains ``expression``.

    ``expression`` itself is replaced directly; a single function call inside
    it (``exp(x)`` in ``exp(x) - 1``) is replaced by solving
    ``output = expression`` for that call.
    """
    derivative = derivative.subs(expression, output)
    for call in sorted(expression.atoms(sympy.Function), key=sympy.default_sort_key):
        if call == expression or not derivative.has(call):
            continue
        solutions = sympy.solve(sympy.Eq(output, expression), call)
        if len(solutions) == 1:
            derivative = derivative.subs(call, solutions[0])
    return derivative


def vjp_from_partials(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    """The VJP of a primitive given by its partials: ``g`` times each."""
    return tuple(e.mul(g, partial) for partial in e.partials(args, out))


def jvp_from_partials(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    """The JVP of a primitive given by its partials: their dot with ``t``."""
    total = None
    for tangent, partial in zip(t, e.partials(args, out), strict=True):
        total = e.add_tangents(total, e.scale(tangent, partial))
    return total
