"""Second derivatives and derivatives of derivatives: forward mode over a
derivative's IR (``srcgrad.compiler``'s pipeline around it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from srcgrad.ad import reverse_program
from srcgrad.ad.forward_program import jvp_program
from srcgrad.ad.jvp import Seeding
from srcgrad.compiler import finish, optimise, prepare
from srcgrad.errors import DifferentiationError
from srcgrad.ir import Function, Program
from srcgrad.ir.types import is_array
from srcgrad.passes import dce
from srcgrad.passes.evaluations import drop_evaluations_of_used_values
from srcgrad.passes.returns import finish_returns, finish_tangents
from srcgrad.passes.types import NUMBERS, Signature


def hessian_program(
    primal: Program,
    wrt: Sequence[str],
    *,
    as_tuple: bool = False,
    seeding: Seeding = "basis",
    after_each: Callable[[Function | Program], object] | None = None,
    signature: Signature = NUMBERS,
) -> Program:
    """The Hessian of ``primal``'s entry, by forward mode over its gradient
    (seeded by tangent parameters: its Hessian-vector product, ``hvp``).

    The gradient is built and optimised as ``grad``'s is, up to the passes
    that prepare it for codegen; forward mode then sweeps it once with one
    direction per ``wrt`` input (numbers only), so ``f``'s values and the
    adjoints are computed once for every column. Row ``i`` is the
    derivative of the ``i``-th partial derivative (a tuple of tuples for a
    tuple ``wrt``; one number for one input).
    """
    prepare(primal, wrt, signature, after_each)
    gradient = reverse_program(primal, wrt, as_tuple=as_tuple)
    _inner(gradient, signature, after_each)
    kind = "hessian" if seeding == "basis" else "hvp"
    name = f"{primal.entry_function.name}_{kind}"
    transformed = jvp_program(
        gradient,
        wrt,
        seeding=seeding,
        with_value=False,
        name=name,
        as_tuple=as_tuple,
        check_inputs=False,
    )
    return finish(transformed, signature, after_each)


def composed_program(
    primal: Program,
    inner: Sequence[tuple[str, tuple[str, ...], bool]],
    wrt: Sequence[str],
    *,
    kind: str = "grad",
    as_tuple: bool = False,
    with_value: bool = False,
    after_each: Callable[[Function | Program], object] | None = None,
    signature: Signature = NUMBERS,
) -> Program:
    """A derivative (``kind``) of derivatives (``inner``, innermost first),
    as ``grad(grad(f))``: the innermost (``grad`` or ``derivative``) built
    and optimised as usual, then each further one as forward mode over the
    code of the one inside it, one direction per ``wrt`` input. ``grad``
    of a function of one number is its derivative, so forward mode serves
    an outer ``grad`` too.

    Raises:
        DifferentiationError: ``grad`` of a derivative that is not one
            number (several partial derivatives, or an array).
    """
    (first_kind, first, first_tuple), *layers = inner
    prepare(primal, first, signature, after_each)
    name = f"{primal.entry_function.name}_{first_kind}"
    if first_kind == "grad":
        made = reverse_program(primal, first, as_tuple=first_tuple, name=name)
    else:
        made = jvp_program(
            primal,
            first,
            seeding="basis",
            with_value=False,
            name=name,
            as_tuple=first_tuple,
        )
    outer = [*layers, (kind, tuple(wrt), as_tuple)]
    for index, (layer_kind, layer_wrt, layer_tuple) in enumerate(outer):
        _inner(made, signature, after_each)
        entry = made.entry_function
        if layer_kind == "grad":
            _one_number_returned(entry)
        made = jvp_program(
            made,
            layer_wrt,
            seeding="basis",
            with_value=with_value and index == len(outer) - 1,
            name=f"{entry.name}_{layer_kind}",
            as_tuple=layer_tuple,
            check_inputs=False,
        )
    return finish(made, signature, after_each)


def _inner(
    made: Program,
    signature: Signature,
    after_each: Callable[[Function | Program], object] | None,
) -> None:
    """Optimise a derivative another is taken of, and make what it returns
    what it hands back (an input's adjoint of the input's shape, a tangent
    of its output's): the derivative of that, not of a value that only
    broadcasts to it, is what the outer one computes."""
    optimise(made, signature, after_each)
    for function in made.functions.values():
        drop_evaluations_of_used_values(function)
        dce(function)
    entry = made.entry_function
    finish_returns(entry)
    finish_tangents(entry)
    dce(entry)


def _one_number_returned(function: Function) -> None:
    """Refuse ``grad`` of a derivative that is not one number."""
    terminator = function.entry.terminator
    assert terminator is not None
    returned = terminator.operands
    several = len(returned) != 1 or terminator.attributes.get("tuple")
    if several or is_array(returned[0].type):
        what = "several values" if several else "an array"
        raise DifferentiationError(
            f"{function.name} returns {what}, and grad differentiates a "
            "function that returns one number; use hessian for every second "
            "derivative, or derivative of it",
            function.loc,
        )
