"""Hessian benchmark: srcgrad's Hessian and Hessian-vector product beside
hand-written, finite-difference and JAX ones.

    chain     the energy of 20 atoms on a ring: each in a cosine well, each
              pair of neighbours joined by a Morse spring, the centre of
              mass held by a soft tether (20 float inputs, closed form)
    simulate  the damped pendulum of benchmarks/pendulum.py (500 Euler
              steps), with respect to its four real parameters: theta0,
              damping, dt and length (steps is a count)

For each, the full Hessian and one Hessian-vector product, timed
interleaved in one run: srcgrad's (``srcgrad.hessian``; for the product
both the convenience call ``srcgrad.hvp(f, primals, tangents)``, which
looks the generated code up on every call, and the generated ``f_hvp``
called directly), a hand-written one (chain only), central differences of
srcgrad's gradient, and, when it is installed, JAX's: ``jax.hessian`` and
``jax.jvp`` of ``jax.grad`` on ``jax.numpy`` versions of the functions,
without and with ``jax.jit``, in float64. Every result is checked against
srcgrad's Hessian before anything is timed. Each table gives the time of
a call, its ratio to ``f`` itself and to srcgrad's (``srcgrad.hessian``,
the generated ``f_hvp``), and what the first call cost, building included
(srcgrad: generating the code from an empty cache, SymPy and black
already imported; central differences: building ``srcgrad.grad``; JAX:
tracing and, under jit, compiling). JAX's functions take one vector of
the inputs differentiated, as JAX users write them.

JAX's pendulum is written with ``jax.lax.fori_loop``, as a JAX user would
write it: with the Python loop of benchmarks/pendulum.py, ``jax.hessian``
took about 9 s a call without jit, and ``jax.jit`` of it, unrolling 500
steps, ran out of 24 GB after some 15 minutes of compiling.

    python benchmarks/hessian.py [--repeat 15] [--seconds 0.1]
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hessian_cases import Workload, jax_versions, workloads
from timing import Call, figures, markdown_table, time_calls

import srcgrad
from srcgrad.api import transformed

#: Central differences err by about h^2 (truncation) and eps/h (rounding),
#: both near eps^(2/3) at h = eps^(1/3) on the scale of the input.
STEP = float(np.finfo(float).eps) ** (1 / 3)


def central_hessian(gradient, args, wrt):
    """The Hessian by central differences of ``gradient`` (with respect to
    the inputs at ``wrt``): column j is (g(x + h e_j) - g(x - h e_j)) / 2h."""
    columns = []
    for position in wrt:
        step = STEP * (abs(args[position]) or 1.0)  # relative: dt is 0.01
        columns.append(_central_difference(gradient, args, {position: step}, step))
    return tuple(zip(*columns, strict=True))


def central_hvp(gradient, args, wrt, tangent):
    """The Hessian times ``tangent``: (g(x + h v) - g(x - h v)) / 2h."""
    shift = {position: STEP * t for position, t in zip(wrt, tangent, strict=True)}
    return _central_difference(gradient, args, shift, STEP)


def _central_difference(gradient, args, shift, step):
    plus, minus = list(args), list(args)
    for position, by in shift.items():
        plus[position] += by
        minus[position] -= by
    ahead, behind = gradient(*plus), gradient(*minus)
    return tuple((a - b) / (2 * step) for a, b in zip(ahead, behind, strict=True))


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a table: what is timed, what its first call cost, and
    how close to srcgrad's Hessian (or product) its result must be."""

    name: str
    call: Call | None  # None: not installed
    first_call: str = "—"
    rtol: float | None = None  # None: not a Hessian (the function itself)


def srcgrad_rows(workload: Workload) -> tuple[list[Row], list[Row]]:
    """srcgrad's rows and those built on its gradient, for the Hessian
    table and the product table."""
    w = workload
    gradient, gradient_built = _first_call(
        lambda: srcgrad.grad(w.primal, wrt=w.wrt), w.args
    )
    hessian, hessian_built = _first_call(
        lambda: srcgrad.hessian(w.primal, wrt=w.wrt), w.args
    )

    def make_f_hvp():
        return transformed(w.primal, w.wrt, with_value=False, has_aux=False, kind="hvp")

    # Its tangents are keyword-only parameters: their names come from it.
    keywords = dict(zip(_keyword_only(make_f_hvp()), w.tangent, strict=True))
    f_hvp, f_hvp_built = _first_call(make_f_hvp, w.args, keywords)
    tangents = [None] * len(w.args)  # None: not differentiated (steps)
    for position, tangent in zip(w.wrt, w.tangent, strict=True):
        tangents[position] = tangent
    hvp_args = (w.primal, w.args, tuple(tangents))
    _, hvp_built = _first_call(lambda: srcgrad.hvp, hvp_args)
    hessians = [
        Row("f itself", Call(w.primal, w.args)),
        Row("srcgrad.hessian", Call(hessian, w.args), hessian_built, 0.0),
        Row(
            "central differences of srcgrad.grad",
            Call(central_hessian, (gradient, w.args, w.wrt)),
            gradient_built,
            1e-6,
        ),
    ]
    products = [
        Row("f itself", Call(w.primal, w.args)),
        Row(
            "srcgrad.hvp(f, primals, tangents)",
            Call(srcgrad.hvp, hvp_args),
            hvp_built,
            1e-12,
        ),
        Row(
            "f_hvp (generated), called directly",
            Call(f_hvp, w.args, keywords),
            f_hvp_built,
            1e-12,
        ),
        Row(
            "central differences of srcgrad.grad",
            Call(central_hvp, (gradient, w.args, w.wrt, w.tangent)),
            gradient_built,
            1e-6,
        ),
    ]
    if w.hessian_by_hand is not None:
        by_hand = Call(w.hessian_by_hand, w.point)
        hessians.insert(2, Row("hand-written", by_hand, rtol=1e-12))
    if w.hvp_by_hand is not None:
        by_hand = Call(w.hvp_by_hand, (w.point, w.tangent))
        products.insert(3, Row("hand-written", by_hand, rtol=1e-12))
    return hessians, products


def _first_call(
    make: Callable[[], Callable[..., Any]],
    args: Sequence[object],
    kwargs: dict[str, object] | None = None,
) -> tuple[Callable[..., Any], str]:
    """``make()`` from an empty cache and called once, and what it took."""
    srcgrad.clear_cache()
    started = time.perf_counter()
    made = make()
    made(*args, **(kwargs or {}))
    return made, _since(started)


def jax_rows(
    workload: Workload, function: Callable[..., Any] | None
) -> tuple[list[Row], list[Row]]:
    """JAX's Hessian and product, without and with jit; rows saying so
    where JAX is not installed."""
    if function is None:
        return (
            [
                Row(name, None)
                for name in ("jax.hessian, no jit", "jax.jit(jax.hessian)")
            ],
            [
                Row(name, None)
                for name in ("jax.jvp of jax.grad, no jit", "jax.jit(jvp of grad)")
            ],
        )
    import jax
    import jax.numpy as jnp

    def hvp(x, v):
        return jax.jvp(jax.grad(function), (x,), (v,))[1]

    x, v = jnp.array(workload.point), jnp.array(workload.tangent)
    hessians = [
        _jax_row("jax.hessian, no jit", jax.hessian(function), (x,)),
        _jax_row("jax.jit(jax.hessian)", jax.jit(jax.hessian(function)), (x,)),
    ]
    products = [
        _jax_row("jax.jvp of jax.grad, no jit", hvp, (x, v)),
        _jax_row("jax.jit(jvp of grad)", jax.jit(hvp), (x, v)),
    ]
    return hessians, products


def _jax_row(name: str, function: Callable[..., Any], args: tuple) -> Row:
    """A row for JAX's ``function``, its first call (tracing, and under
    jit compiling) timed."""
    ready = _blocking(function)
    started = time.perf_counter()
    ready(*args)
    return Row(name, Call(ready, args), _since(started), 1e-9)


def _blocking(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, returning once JAX has computed its result (JAX
    dispatches asynchronously: a call returns before the work is done)."""
    return lambda *args: function(*args).block_until_ready()


def _keyword_only(function: Callable[..., Any]) -> list[str]:
    """The generated ``f_hvp``'s tangent parameters (``x_dot``, ...)."""
    parameters = inspect.signature(function).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _since(started: float) -> str:
    return f"{1e3 * (time.perf_counter() - started):,.0f} ms"


def check(rows: Sequence[Row], expected: np.ndarray) -> None:
    """Every row's result is ``expected`` (srcgrad's), to its tolerance."""
    for row in rows:
        if row.call is None or row.rtol is None:
            continue
        np.testing.assert_allclose(
            _result(row),
            expected,
            rtol=row.rtol,
            atol=row.rtol * np.abs(expected).max(),
            err_msg=row.name,
        )


def _result(row: Row) -> np.ndarray:
    assert row.call is not None
    function, args, kwargs = row.call
    return np.asarray(function(*args, **kwargs), dtype=float)


def table(rows: Sequence[Row], times: dict[str, float], srcgrad_row: str) -> str:
    """The rows as markdown, with ratios to ``f`` and to ``srcgrad_row``."""
    primal = times["f itself"]
    body = []
    for row in rows:
        if row.call is None:
            body.append([row.name, "not installed", "", "", row.first_call])
            continue
        ns = times[row.name]
        body.append(
            [
                row.name,
                figures(ns / 1e3),
                figures(ns / primal),
                figures(ns / times[srcgrad_row]),
                row.first_call,
            ]
        )
    label = srcgrad_row.split(" ")[0]  # srcgrad.hessian, f_hvp
    header = ["", "µs/call", "× f", f"× {label}", "first call"]
    return markdown_table(header, body)


def _warm_up(jax_functions: dict | None) -> None:
    """Import what a first build needs (SymPy, black) and start JAX's
    backend, so that first calls time the workload, not the process."""

    def warm_up(x):
        return math.sin(x) * math.exp(x)

    srcgrad.hessian(warm_up)(0.5)
    if jax_functions is not None:
        import jax.numpy as jnp

        jnp.ones(3).sum().block_until_ready()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.1, help="per measurement")
    options = parser.parse_args()
    jax_functions = jax_versions()
    _warm_up(jax_functions)
    print(_machine(jax_functions, options))
    for workload in workloads():
        hessians, products = srcgrad_rows(workload)
        function = None if jax_functions is None else jax_functions[workload.primal]
        jax_hessians, jax_products = jax_rows(workload, function)
        hessians += jax_hessians
        products += jax_products
        reference = _result(next(r for r in hessians if r.name == "srcgrad.hessian"))
        print(f"\n### {workload.title}\n")
        for rows, expected, srcgrad_row in (
            (hessians, reference, "srcgrad.hessian"),
            (
                products,
                reference @ np.array(workload.tangent),
                "f_hvp (generated), called directly",
            ),
        ):
            check(rows, expected)
            calls = {row.name: row.call for row in rows if row.call is not None}
            times = time_calls(calls, options.repeat, options.seconds)
            print(table(rows, times, srcgrad_row) + "\n")
    print(f"load average at the end: {os.getloadavg()}")


def _machine(jax_functions: dict | None, options: argparse.Namespace) -> str:
    if jax_functions is None:
        jax_version = "JAX not installed"
    else:
        import jax

        jax_version = f"JAX {jax.__version__} (CPU, float64)"
    return (
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {jax_version}, best of {options.repeat} "
        f"interleaved runs of ~{options.seconds}s each; "
        f"load average at the start: {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
