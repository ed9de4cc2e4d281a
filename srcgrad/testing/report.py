"""Comparing srcgrad's values with a reference, and saying how they differ.

A mismatch is reported as the worst of the values that disagree, with
where it comes from, both values, the absolute and relative error and the
tolerance, written out as its terms::

    check_grads(f): reverse mode (srcgrad.grad) disagrees with central ...
      input:     x[1] (argument 0) = 0.25
      srcgrad:   1.25  (srcgrad.grad)
      ...
"""

from __future__ import annotations

import dataclasses

import numpy as np

from srcgrad.testing.inputs import Vector

#: Two ways srcgrad computes one derivative (forward and reverse mode; a
#: Hessian-vector product and the Hessian times the vector) differ by
#: rounding only, so they are held to this, not to ``rtol``.
EXACT_RTOL = 1e-9
#: ``f``'s values are taken to be off by this many machine epsilons of
#: ``|f|``; a difference quotient divides that by its step, and the result
#: is added to the tolerance of every check against differences.
ROUNDING = 8

#: Where a compared value comes from: ``[("input", "x[1] (argument 0)")]``.
Lines = list[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """``|srcgrad - reference| <= atol + rtol * |reference| + rounding``."""

    rtol: float
    atol: float


@dataclasses.dataclass(frozen=True)
class Reference:
    """What srcgrad's values are compared with, and how closely."""

    source: str
    values: Vector
    #: Added to ``atol + rtol * |values|``: how far rounding may move them.
    rounding: Vector
    #: What that rounding is, for the message.
    rounding_reason: str
    #: The same derivative computed another way by srcgrad: ``EXACT_RTOL``.
    exact: bool = False


def differences(
    source: str, values: Vector, rounding: Vector, of: str = "f"
) -> Reference:
    """Difference quotients of ``of`` (``f``, or its gradient)."""
    return Reference(source, values, rounding, f"{of}'s rounding over the step")


def exact(source: str, values: Vector, magnitude: Vector) -> Reference:
    """Values equal to srcgrad's but for rounding, which is at most
    ``EXACT_RTOL`` of the ``magnitude`` of the terms they sum."""
    return Reference(
        source, values, EXACT_RTOL * magnitude, "rounding of the terms", exact=True
    )


def rounding(above: Vector, below: Vector, width: float, epsilon: float) -> Vector:
    """How far ``(above - below) / width`` may be off by ``f``'s rounding."""
    return ROUNDING * epsilon * (np.abs(above) + np.abs(below)) / abs(width)


def check_close(
    heading: str,
    got: tuple[str, Vector],
    reference: Reference,
    where: list[Lines],
    tolerance: Tolerance,
) -> None:
    """Raise an ``AssertionError`` describing the worst mismatch, if any.

    Args:
        heading: the message's first line: which check of which function.
        got: which srcgrad function computed the values, and the values.
        reference: what they should be.
        where: for each value, lines saying what it is (input, output).
        tolerance: the user's ``rtol`` and ``atol``.
    """
    source, values = got
    rtol = EXACT_RTOL if reference.exact else tolerance.rtol
    allowed = tolerance.atol + rtol * np.abs(reference.values) + reference.rounding
    error = np.abs(values - reference.values)
    # Equal values pass, infinities and NaNs included.
    same = (values == reference.values) | (
        np.isnan(values) & np.isnan(reference.values)
    )
    bad = ~same & ~(error <= allowed)
    if not bad.any():
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = np.nan_to_num(error / allowed, nan=np.inf)
    worst = int(np.argmax(np.where(bad, excess, -1.0)))
    lines = [
        heading,
        *(_line(key, text) for key, text in where[worst]),
        _line("srcgrad", f"{float(values[worst])!r}  ({source})"),
        _line("reference", f"{float(reference.values[worst])!r}  ({reference.source})"),
        _line("abs error", f"{error[worst]:.3g}"),
        _line("rel error", _relative(error[worst], reference.values[worst])),
        _line(
            "tolerance",
            f"{allowed[worst]:.3g} = atol {tolerance.atol:g} + rtol {rtol:g} * "
            f"|reference| + {reference.rounding[worst]:.3g} "
            f"({reference.rounding_reason})",
        ),
    ]
    if len(values) > 1:
        lines.append(
            f"  {int(bad.sum())} of {len(values)} values disagree; shown: the worst"
        )
    raise AssertionError("\n".join(lines))


def _line(key: str, text: str) -> str:
    return f"  {key + ':':<11}{text}"


def _relative(error: float, reference: float) -> str:
    if reference == 0:
        return "inf (the reference is 0)"
    return f"{error / abs(reference):.3g}"


def check_shape(
    heading: str, source: str, what: str, got: object, want: object
) -> None:
    """Raise an ``AssertionError`` if ``source`` made a value of shape
    ``got`` for ``what``, which should be of shape ``want``."""
    if got != want:
        raise AssertionError(
            f"{heading}\n  {source} returned a value of shape {got} for {what}, "
            f"which should be of shape {want}"
        )
