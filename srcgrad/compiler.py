"""The pipeline from IR to derivative IR, shared by the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from srcgrad.ad import reverse
from srcgrad.ir import Function
from srcgrad.passes import optimize


def gradient_ir(
    primal: Function,
    wrt: Sequence[str],
    *,
    as_tuple: bool | None = None,
    after_each: Callable[[Function], object] | None = None,
) -> Function:
    """Optimise ``primal``, differentiate it in reverse mode, optimise again.

    ``after_each`` is called with the IR after every pass (tests pass the
    verifier). ``as_tuple`` (default: more than one ``wrt``) returns the
    gradient as a tuple. ``primal`` is optimised in place.
    """
    optimize(primal, after_each=after_each)
    gradient = reverse(
        primal, wrt, as_tuple=len(wrt) > 1 if as_tuple is None else as_tuple
    )
    if after_each is not None:
        after_each(gradient)
    return optimize(gradient, after_each=after_each)


def describe_gradient(function_name: str, wrt: Sequence[str]) -> str:
    """The generated function's docstring: what it is the gradient of."""
    names = list(wrt)
    listed = (
        names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    )
    return f"Gradient of {function_name} with respect to {listed}."
