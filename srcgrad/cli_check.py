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
import os
import sys
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
    function = _loaded(path, name)
    parameters = list(inspect.signature(function).parameters)
    chosen = parse_wrt(arguments.wrt) if arguments.wrt is not None else parameters
    wrt = (chosen,) if isinstance(chosen, str) else tuple(chosen)
    point = merged(arguments.at, wrt)
    if point is None:
        raise SrcgradError("give the point to check at: --at x=1.5,y=2")
    args = _arguments(function, name, point)
    made = srcgrad.grad(function, wrt=tuple(wrt))
    try:
        gradient = made(*args)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise SrcgradError(
            f"the gradient of {name} raises at this point "
            f"({type(error).__name__}: {error}); check it where {name} is defined"
        ) from None
    shown = ", ".join(f"{key}={value:g}" for key, value in point.items())
    print(f"{name} at {shown}")
    rows = [("input", "srcgrad", "finite difference", "difference", "")]
    failed = False
    for parameter, partial in zip(wrt, gradient, strict=True):
        index = parameters.index(parameter)
        try:
            estimate = difference(function, args, index)
        except (ArithmeticError, ValueError) as error:
            raise SrcgradError(
                f"{name} raises within a step of this point in {parameter} "
                f"({type(error).__name__}: {error}): finite differences need "
                "it defined around the point"
            ) from None
        gap = abs(partial - estimate)
        scale = max(abs(partial), abs(estimate))
        ok = gap <= arguments.atol + arguments.rtol * scale
        failed |= not ok
        rows.append(
            (
                parameter,
                repr(partial),
                repr(estimate),
                f"{gap:.2e}",
                "ok" if ok else "MISMATCH",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    return 1 if failed else 0


def difference(function: Callable[..., Any], args: list[Any], index: int) -> float:
    """The partial derivative of ``function`` in argument ``index`` at
    ``args``: central differences at steps h and h/2, extrapolated."""
    x = float(args[index])
    h = 1e-3 * max(1.0, abs(x))

    def central(step: float) -> float:
        up, down = list(args), list(args)
        up[index], down[index] = x + step, x - step
        return (float(function(*up)) - float(function(*down))) / (2 * step)

    coarse, fine = central(h), central(h / 2)
    return (4 * fine - coarse) / 3


def _arguments(
    function: Callable[..., Any], name: str, point: dict[str, float]
) -> list[Any]:
    """The call's arguments: ``point``'s, else the parameters' defaults."""
    args = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name in point:
            args.append(point[parameter.name])
        elif parameter.default is not inspect.Parameter.empty:
            args.append(parameter.default)
        else:
            raise SrcgradError(
                f"--at gives no value for {parameter.name}, a parameter of {name}"
            )
    unknown = sorted(set(point) - set(inspect.signature(function).parameters))
    if unknown:
        raise SrcgradError(f"{name} has no parameter {unknown[0]!r}")
    return args


def _loaded(path: str, name: str) -> Callable[..., Any]:
    """Function ``name`` of the file ``path``, run as a module."""
    if not os.path.isfile(path):
        raise SrcgradError(f"{path}: no such file")
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    function = getattr(module, name, None)
    if not callable(function):
        raise SrcgradError(f"{path} has no function named {name!r}")
    return function
