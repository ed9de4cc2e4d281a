"""``check_grads``: srcgrad's derivatives of a function against references
computed another way.

Each derivative srcgrad computes is compared with one computed without
it, or by another of its transforms: the gradient with central
differences of ``f``, a Jacobian-vector product with the gradient (their
dot-product identity) or with differences along the tangent, the Hessian
with differences of the gradient, and a Hessian-vector product with the
Hessian. srcgrad is called through the public ``srcgrad`` namespace, as a
user calls it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import srcgrad
from srcgrad.testing.inputs import (
    Input,
    Vector,
    Wrt,
    flat,
    is_number,
    labels,
    replaced,
    selected_inputs,
    shapes,
    tangents,
)
from srcgrad.testing.report import (
    Lines,
    Reference,
    Tolerance,
    check_close,
    check_shape,
    differences,
    exact,
    rounding,
)

#: The random tangents are drawn from this seed: a check is repeatable.
SEED = 0


def check_grads(
    f: Callable[..., Any],
    args: Sequence[Any],
    *,
    wrt: Wrt = None,
    order: int = 1,
    modes: Sequence[str] = ("forward", "reverse"),
    rtol: float = 1e-5,
    atol: float = 1e-8,
    eps: float | None = None,
) -> None:
    """Check srcgrad's derivatives of ``f`` at ``args``; raise on a mismatch.

    With ``u`` and ``v`` random tangents of the inputs (the same each run):

    - reverse mode: ``srcgrad.grad`` against central differences of ``f``,
      one per item of each input;
    - forward mode: ``srcgrad.jvp(f, args, u)`` against the sum over inputs
      of ``<grad_i, u_i>`` when reverse mode is checked too (equal up to
      rounding), else against central differences of ``f`` along ``u``;
      where they disagree, ``u`` of each input alone names the input;
    - ``order=2``, in addition: ``srcgrad.hessian`` against central
      differences of ``srcgrad.grad``, and ``srcgrad.hvp(f, args, v)``
      against the Hessian times ``v``.

    Reverse mode and Hessians need ``f`` to return one number; for an
    ``f`` that returns an array or a tuple, only forward mode is checked.

    Args:
        f: a function srcgrad can differentiate, returning a number, an
            array or a tuple of them.
        args: ``f``'s positional arguments.
        wrt: the positions (or names) of the arguments to differentiate
            with respect to; by default every float and float array.
        order: 1 checks first derivatives; 2 checks second ones too.
        modes: which of ``"forward"`` and ``"reverse"`` to check.
        rtol, atol: a value passes if ``|srcgrad - reference| <= atol +
            rtol * |reference|``, plus, against differences, 8 machine
            epsilons of ``|f|`` divided by the step (``f``'s own rounding).
            Two ways srcgrad computes one derivative are held to ``rtol =
            1e-9``, plus ``1e-9`` of the magnitudes of the terms summed.
        eps: the difference step, relative to ``max(1, |x|)`` for each item
            ``x``; by default the cube root of the input's machine epsilon
            (6.1e-6 for float64), which balances rounding and truncation.

    Raises:
        AssertionError: a derivative disagrees with its reference.
        ValueError: the options do not fit ``f`` or ``args`` (``order=2``
            or reverse mode alone for an ``f`` that does not return one
            number; no float to differentiate), or ``f`` raised where a
            finite difference evaluates it.
        SrcgradError: srcgrad cannot differentiate ``f``.
    """
    if order not in (1, 2) or not modes or set(modes) - {"forward", "reverse"}:
        raise ValueError(
            "check_grads takes order 1 or 2 and modes among 'forward' and "
            f"'reverse', not order={order!r}, modes={tuple(modes)!r}"
        )
    args = tuple(args)
    inputs = selected_inputs(f, args, wrt)
    checker = _Checker(f, args, inputs, Tolerance(rtol, atol), eps)
    value = f(*args)
    if not np.all(np.isfinite(_flat_values(value))):
        raise AssertionError(
            f"check_grads: {checker.name} is not finite at this point "
            f"({value!r}): there is no derivative to check; choose a point "
            "inside its domain"
        )
    one_number = is_number(value)
    if not one_number and (order == 2 or "forward" not in modes):
        raise ValueError(
            f"check_grads: {checker.name} does not return one number, so it has "
            "no gradient or Hessian: check it with order=1 and forward mode"
        )
    reverse = "reverse" in modes and one_number
    if reverse:
        checker.reverse_against_differences()
    if "forward" in modes:
        checker.forward(against_reverse=reverse)
    if order == 2:
        checker.hvp_against_hessian(checker.hessian_against_differences())


def _flat_values(value: Any) -> Any:
    """Every number ``f`` returned (a number, an array, a tuple of them)."""
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(np.asarray(part, dtype=float)) for part in parts])


@dataclasses.dataclass(frozen=True)
class _Checker:
    """The checks of one function at one point."""

    f: Callable[..., Any]
    args: tuple[Any, ...]
    inputs: list[Input]
    tolerance: Tolerance
    eps: float | None

    @property
    def name(self) -> str:
        return str(getattr(self.f, "__qualname__", repr(self.f)))

    @property
    def items(self) -> list[tuple[Input, tuple[int, ...]]]:
        """Every item of every input, in the order of a flat gradient."""
        return [(each, item) for each in self.inputs for item in each.items]

    @property
    def wrt(self) -> tuple[int, ...]:
        return tuple(each.position for each in self.inputs)

    @functools.cached_property
    def gradient(self) -> Callable[..., Any]:
        """``srcgrad.grad`` of ``f`` with respect to every input (a tuple)."""
        return srcgrad.grad(self.f, wrt=self.wrt)

    def gradients(self, args: tuple[Any, ...]) -> dict[int, Any]:
        """``srcgrad.grad`` at ``args``: each input's gradient, by position."""
        return self.shaped("srcgrad.grad", self.gradient(*args))

    def shaped(self, source: str, made: Sequence[Any]) -> dict[int, Any]:
        """``made``, one value per input, checked to be of its input's shape
        (a new array of the input's shape, or a number for a number)."""
        for each, value in zip(self.inputs, made, strict=True):
            what = f"{each.name} (argument {each.position})"
            check_shape(self.heading(source), source, what, np.shape(value), each.shape)
        return dict(zip(self.wrt, made, strict=True))

    def heading(self, title: str) -> str:
        return f"check_grads({self.name}): {title}"

    def check(
        self,
        title: str,
        got: tuple[str, Vector],
        reference: Reference,
        where: list[Lines],
    ) -> None:
        check_close(self.heading(title), got, reference, where, self.tolerance)

    def reverse_against_differences(self) -> None:
        got = flat(tuple(self.gradients(self.args).values()))
        quotients, error = self.partials(lambda args: flat(self.f(*args)))
        self.check(
            "reverse mode (srcgrad.grad) disagrees with central finite differences",
            ("srcgrad.grad", got),
            differences("central differences of f", quotients[0], error[0]),
            [[("input", each.described(item))] for each, item in self.items],
        )

    def forward(self, against_reverse: bool) -> None:
        """``jvp`` along random tangents of every input, against reverse
        mode or differences; where they disagree, along each input alone,
        to name the one at fault."""
        rng = np.random.default_rng(SEED)
        every = {each.position: each.random(rng) for each in self.inputs}
        gradients = self.gradients(self.args) if against_reverse else {}
        try:
            self.forward_along(every, gradients)
        except AssertionError as together:
            if len(every) == 1:
                raise
            alone = [{p: u} for p, u in every.items()]
            found = [self.disagreement(chosen, gradients) for chosen in alone]
            failed = next((error for error in found if error), None)
            if failed is not None:
                raise failed from None
            if against_reverse:
                raise  # exact: a jvp not linear in its tangents is a bug
            # Each input alone agrees with differences, which take one step
            # for all inputs together: for inputs of other scales (x of 0.3
            # beside y of 1e4) that step, not the jvp, is what is off.
            del together

    def disagreement(
        self, chosen: dict[int, Any], gradients: dict[int, Any]
    ) -> AssertionError | None:
        try:
            self.forward_along(chosen, gradients)
        except AssertionError as error:
            return error
        return None

    def forward_along(self, chosen: dict[int, Any], gradients: dict[int, Any]) -> None:
        """``jvp`` along the ``chosen`` tangents (None for the others),
        against ``gradients`` (reverse mode) or, without, differences."""
        out, tangent = srcgrad.jvp(self.f, self.args, tangents(self.args, chosen))
        what = "the tangent of f's output"
        check_shape(
            self.heading("srcgrad.jvp"),
            "srcgrad.jvp",
            what,
            shapes(tangent),
            shapes(out),
        )
        along = ", ".join(
            f"{each.name} (argument {each.position})"
            for each in self.inputs
            if each.position in chosen
        )
        if len(chosen) < len(self.inputs):
            along += " alone, the other tangents None"
        title, reference = self.forward_reference(chosen, gradients)
        self.check(
            f"forward mode (srcgrad.jvp) disagrees with {title}",
            ("srcgrad.jvp", flat(tangent)),
            reference,
            [
                [("along", f"random tangents u of {along}"), *_output(label)]
                for label in labels(out)
            ],
        )

    def forward_reference(
        self, chosen: dict[int, Any], gradients: dict[int, Any]
    ) -> tuple[str, Reference]:
        """What ``jvp`` along ``chosen`` should be: ``<grad, u>`` from the
        ``gradients`` if given, else central differences along ``u``."""
        if not gradients:
            quotients = self.along(chosen)
            reference = differences("central differences of f along u", *quotients)
            return "central finite differences", reference
        terms = np.concatenate([np.ravel(gradients[p] * u) for p, u in chosen.items()])
        reference = exact(
            "sum over inputs of <grad_i, u_i>, from srcgrad.grad",
            np.array([terms.sum()]),
            np.array([np.abs(terms).sum()]),
        )
        return "reverse mode (srcgrad.grad)", reference

    def along(self, chosen: dict[int, Any]) -> tuple[Vector, Vector]:
        """Central differences of ``f`` along the ``chosen`` tangents, and
        how far rounding may move them."""
        moving = [each for each in self.inputs if each.position in chosen]
        coarsest = max(moving, key=lambda each: each.epsilon)
        step = self.step(coarsest, max(float(np.max(np.abs(e.value))) for e in moving))
        up = {p: self.args[p] + step * u for p, u in chosen.items()}
        down = {p: self.args[p] - step * u for p, u in chosen.items()}
        above = self.evaluate(lambda args: flat(self.f(*args)), up, "args + h u")
        below = self.evaluate(lambda args: flat(self.f(*args)), down, "args - h u")
        width = 2 * step
        return (above - below) / width, rounding(above, below, width, coarsest.epsilon)

    def hessian_against_differences(self) -> Vector:
        """Check ``srcgrad.hessian``; return it as one matrix over all the
        inputs' items."""
        hessian = self.hessian()
        columns, error = self.partials(
            lambda args: flat(tuple(self.gradients(args).values()))
        )
        self.check(
            "the Hessian (srcgrad.hessian) disagrees with central finite "
            "differences of the gradient (srcgrad.grad)",
            ("srcgrad.hessian", hessian.ravel()),
            differences(
                "differences of srcgrad.grad",
                columns.ravel(),
                error.ravel(),
                of="the gradient",
            ),
            [
                [
                    ("entry", f"d/d{column.label(b)} of df/d{row.label(a)}"),
                    ("at", _at(row.described(a), column.described(b))),
                ]
                for row, a in self.items
                for column, b in self.items
            ],
        )
        return hessian

    def hessian(self) -> Vector:
        """``srcgrad.hessian`` at ``args``, its blocks checked to be of the
        shapes of their two inputs, as one matrix over all the items."""
        made = srcgrad.hessian(self.f, wrt=self.wrt)(*self.args)
        for row, blocks in zip(self.inputs, made, strict=True):
            for column, block in zip(self.inputs, blocks, strict=True):
                check_shape(
                    self.heading("srcgrad.hessian"),
                    "srcgrad.hessian",
                    f"d/d{column.name} of df/d{row.name}",
                    np.shape(block),
                    row.shape + column.shape,
                )
        sizes = [len(each.items) for each in self.inputs]
        return np.block(
            [
                [np.reshape(block, (m, n)) for block, n in zip(row, sizes, strict=True)]
                for row, m in zip(made, sizes, strict=True)
            ]
        )

    def hvp_against_hessian(self, hessian: Vector) -> None:
        rng = np.random.default_rng(SEED + 1)
        vector = {each.position: each.random(rng) for each in self.inputs}
        made = srcgrad.hvp(self.f, self.args, tangents(self.args, vector))
        self.shaped("srcgrad.hvp", (made,) if len(self.inputs) == 1 else made)
        direction = flat(tuple(vector.values()))
        self.check(
            "srcgrad.hvp(f, args, v) disagrees with srcgrad.hessian times v",
            ("srcgrad.hvp", flat(made)),
            exact(
                "srcgrad.hessian @ v",
                hessian @ direction,
                np.abs(hessian) @ np.abs(direction),
            ),
            [[("item", f"{each.label(item)} of hvp")] for each, item in self.items],
        )

    def partials(
        self, function: Callable[[tuple[Any, ...]], Vector]
    ) -> tuple[Vector, Vector]:
        """Central differences of ``function`` (a vector-valued function of
        ``args``) along each item of each input: its Jacobian, one column
        per item, and how far rounding may move each entry."""
        columns, errors = [], []
        for each, item in self.items:
            step = self.step(each, each.item(item))
            up, down = each.moved(item, step), each.moved(item, -step)
            # the step as rounded into the arguments, not as meant
            width = float(np.asarray(up)[item]) - float(np.asarray(down)[item])
            label = each.label(item)
            above = self.evaluate(function, {each.position: up}, f"{label} + h")
            below = self.evaluate(function, {each.position: down}, f"{label} - h")
            columns.append((above - below) / width)
            errors.append(rounding(above, below, width, each.epsilon))
        return np.stack(columns, axis=-1), np.stack(errors, axis=-1)

    def step(self, each: Input, scale: float) -> float:
        relative = self.eps if self.eps is not None else each.epsilon ** (1 / 3)
        return relative * max(1.0, abs(scale))

    def evaluate(
        self,
        function: Callable[[tuple[Any, ...]], Vector],
        changed: dict[int, Any],
        point: str,
    ) -> Vector:
        """``function`` of ``args`` with the ``changed`` ones; ``point``
        says where that is if it raises."""
        try:
            return function(replaced(self.args, changed))
        except AssertionError:  # a check of srcgrad's values, not f raising
            raise
        except Exception as error:
            raise ValueError(
                f"check_grads: {self.name} raised {type(error).__name__}: {error} "
                f"at {point}, where finite differences evaluate it; check at "
                "points farther from the edges of its domain, or give a smaller eps"
            ) from error


def _output(label: str) -> Lines:
    """The line naming an item of ``f``'s output, if it has several."""
    return [("output", f"f(*args){label}")] if label else []


def _at(row: str, column: str) -> str:
    """Where a Hessian entry is: one item, or two."""
    return row if row == column else f"{row}; {column}"
