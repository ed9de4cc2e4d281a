"""``srcgrad check FILE::NAME --at x=1.5,y=2``: the gradient against
finite differences.

Unlike ``show`` and ``graph``, it runs the file (imported as a module, its
directory first on the path), since finite differences evaluate the
function. For each input it prints srcgrad's partial derivative, a central
finite difference (refined by Richardson extrapolation: the differences at
steps h and h/2, whose error terms in h**2 cancel) and the two's difference;
the exit status is 1 if any differs by more than ``atol + rtol * scale``,
so a CI job can run it.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import math
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from srcgrad.cli_files import split_target
from srcgrad.cli_graph import add_point_option, merged
from srcgrad.cli_transforms import parse_wrt
from srcgrad.errors import SrcgradError


def add_check_command(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check",
        help="compare a function's gradient with finite differences",
        description="Run FILE, then print, for each input of FILE::NAME, "
        "srcgrad's partial derivative at --at, a central finite difference "
        "and their difference. Exit status 1 if any differs beyond "
        "tolerance (atol + rtol * the larger of the two).",
    )
    check.add_argument("target", metavar="FILE::NAME")
    add_point_option(check, "the point to check the gradient at")
    check.add_argument(
        "--wrt",
        help="comma-separated parameters to check (default: every parameter)",
    )
    check.add_argument("--rtol", type=float, default=1e-6, help="default 1e-6")
    check.add_argument("--atol", type=float, default=1e-9, help="default 1e-9")
    check.set_defaults(run=_check)


def _check(arguments: argparse.Namespace) -> int:
    import srcgrad

    path, name = split_target(arguments.target)
    if not name:
        raise SrcgradError(f"name the function to check: {path}::NAME")
    if not (arguments.rtol >= 0 and arguments.atol >= 0):  # nan too
        raise SrcgradError("--rtol and --atol are tolerances: at least 0")
    function = _loaded(path, name)
    built = getattr(function, "__srcgrad__", None)
    declared: tuple[str, ...] | None = None
    if built is not None:  # @srcgrad.grad: check the gradient of its function
        function, declared = built.primal, built.wrt
    signature = inspect.signature(function)
    given = merged(arguments.at)
    if given is None:
        raise SrcgradError("give the point to check at: --at x=1.5,y=2")
    if arguments.wrt is not None:
        chosen = parse_wrt(arguments.wrt)
        wrt = (chosen,) if isinstance(chosen, str) else tuple(chosen)
    elif declared is not None:
        wrt = declared
    else:  # those --at gives a float (x=1.0, not n=3), else every one given
        wrt = tuple(n for n in signature.parameters if isinstance(given.get(n), float))
        wrt = wrt or tuple(n for n in signature.parameters if n in given)
    point = merged(arguments.at, wrt)
    assert point is not None
    call = _call(signature, name, point)
    made = srcgrad.grad(function, wrt=tuple(wrt))
    try:
        gradient = made(*call.args, **call.kwargs)
    except SrcgradError:
        raise  # what srcgrad cannot differentiate says so itself
    except Exception as error:  # the user's function fails: say so
        raise SrcgradError(
            f"the gradient of {name} raises at this point "
            f"({type(error).__name__}: {error}); check it where {name} is "
            "defined, with respect to real parameters (--wrt)"
        ) from None
    shown = ", ".join(f"{key}={value:g}" for key, value in point.items())
    print(f"{name} at {shown}")
    rows = [("input", "srcgrad", "finite difference", "difference", "")]
    failed = False
    for parameter, partial in zip(wrt, gradient, strict=True):
        try:
            estimate, uncertainty = difference(function, call, parameter)
        except Exception as raised:
            raise SrcgradError(
                f"{name} raises near this point, moving {parameter} "
                f"({type(raised).__name__}: {raised}): finite differences need "
                "it defined around the point"
            ) from None
        gap = abs(partial - estimate)
        scale = max(abs(partial), abs(estimate))
        # what the difference itself may be off by is no mismatch
        ok = gap <= arguments.atol + arguments.rtol * scale + 2 * uncertainty
        failed |= not ok
        verdict = "ok" if ok else "MISMATCH"
        rows.append(
            (parameter, repr(float(partial)), repr(estimate), f"{gap:.2e}", verdict)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())
    return 1 if failed else 0


def difference(
    function: Callable[..., Any], call: inspect.BoundArguments, parameter: str
) -> tuple[float, float]:
    """The partial derivative of ``function`` in ``parameter`` at ``call``,
    by Ridders' method: central differences at steps shrinking by 1.4,
    extrapolated to step 0 (Richardson, in a Neville table), from steps of
    a tenth to a ten-thousandth of 1 and of the parameter's size where
    that is less; of the estimates most others agree with, the one whose
    error estimate is least, and that error. A small point
    gets small steps (1/x at 0.01), a fast-varying function the steps
    that suit it (sin(300 x))."""
    x = float(call.arguments[parameter])

    def central(step: float) -> float:
        values = []
        for moved in (x + step, x - step):
            call.arguments[parameter] = moved
            values.append(float(function(*call.args, **call.kwargs)))
        call.arguments[parameter] = x
        return (values[0] - values[1]) / (2 * step)

    # Never steps beyond 0.1: f's own features may be that narrow far from 0
    # (exp(-(t - 1000)**2) at 1000.3), where x's size says nothing.
    sizes = {min(abs(x), 1.0), 1.0} - {0.0}
    found: list[tuple[float, float]] = []
    failure: Exception | None = None
    for size in sizes:
        for start in (1e-1, 1e-2, 1e-3, 1e-4):
            try:
                estimate = _ridders(central, size * start)
            except (ArithmeticError, ValueError) as error:
                failure = error  # a step left the domain: a smaller may not
                continue
            if math.isfinite(estimate[0]):
                found.append(estimate)
    if not found:
        raise failure or ValueError("no finite difference is finite here")

    # A start too wide sees only f's flat tails (an estimate of about 0,
    # with a tiny error estimate) and one too narrow only its rounding: the
    # estimates most others agree with win, and of those the surest.
    def agreeing(one: tuple[float, float]) -> int:
        return sum(
            abs(one[0] - other[0])
            <= 2 * (one[1] + other[1]) + 1e-9 * max(abs(one[0]), abs(other[0]))
            for other in found
        )

    most = max(agreeing(estimate) for estimate in found)
    return min(
        (estimate for estimate in found if agreeing(estimate) == most),
        key=lambda estimate: estimate[1],
    )


def _ridders(central: Callable[[float], float], step: float) -> tuple[float, float]:
    """Ridders' extrapolation of ``central`` differences from ``step``: the
    best estimate of the derivative, and its error estimate."""
    shrink, table = 1.4, [[central(step)]]
    best, error = table[0][0], float("inf")
    for row in range(1, 10):
        step /= shrink
        current = [central(step)]
        factor = shrink * shrink
        for column in range(1, row + 1):
            current.append(
                (current[column - 1] * factor - table[row - 1][column - 1])
                / (factor - 1)
            )
            factor *= shrink * shrink
            here = max(
                abs(current[column] - current[column - 1]),
                abs(current[column] - table[row - 1][column - 1]),
            )
            if here <= error:
                best, error = current[column], here
        if abs(current[row] - table[row - 1][row - 1]) >= 2 * error:
            break  # rounding now grows faster than the estimate improves
        table.append(current)
    return best, error


def _call(
    signature: inspect.Signature, name: str, point: dict[str, float]
) -> inspect.BoundArguments:
    """The call at ``point`` (keyword-only parameters by keyword), the
    parameters it does not give taking their defaults."""
    unknown = sorted(set(point) - set(signature.parameters))
    if unknown:
        raise SrcgradError(f"{name} has no parameter {unknown[0]!r}")
    try:
        call = signature.bind(**point)
    except TypeError:
        missing = [
            parameter.name
            for parameter in signature.parameters.values()
            if parameter.name not in point
            and parameter.default is inspect.Parameter.empty
        ]
        raise SrcgradError(
            f"--at gives no value for {', '.join(missing)}, a parameter of {name}"
        ) from None
    call.apply_defaults()
    return call


def _loaded(path: str, name: str) -> Callable[..., Any]:
    """Function ``name`` of the file ``path``, run as a module (under a
    name of its own: a file called numpy.py does not replace NumPy)."""
    if not os.path.isfile(path):
        raise SrcgradError(f"{path}: no such file")
    import numpy  # noqa: F401 - before the file's directory leads the path

    stem = os.path.splitext(os.path.basename(path))[0]
    module_name = stem if stem not in sys.modules else f"_srcgrad_check_{stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the file fails: say where, as Python does
        where = "".join(traceback.format_exception_only(type(error), error)).strip()
        raise SrcgradError(f"{path} raises when it runs: {where}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise SrcgradError(f"{path} has no function named {name!r}")
    return function
