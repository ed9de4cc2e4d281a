"""Constants in derived rules print as a reader writes them.

SymPy's derivative of ``erf`` holds ``2/sqrt(pi)``; the gradient shows
``2 / math.sqrt(math.pi)``, not ``1.1283791670955126``, in the namespace
of the function differentiated, and computes it once however often the
gradient uses it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from helpers import code_without_comments, define

import srcgrad

#: A float literal with more digits than anyone types.
LONG_FLOAT = re.compile(r"\d\.\d{8,}")


def _gradient_source(body: str) -> tuple[str, object]:
    gradient = srcgrad.grad(define(f"def f(x):\n    return {body}\n"))
    return code_without_comments(srcgrad.source(gradient)), gradient


@pytest.mark.parametrize(
    ("body", "constant", "derivative"),
    [
        (
            "math.erf(x)",
            "2 / math.sqrt(math.pi)",
            lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x),
        ),
        ("math.log2(x)", "math.log(2)", lambda x: 1 / (x * math.log(2))),
        ("math.log10(x)", "math.log(10)", lambda x: 1 / (x * math.log(10))),
        ("np.log10(x)", "np.log(10)", lambda x: 1 / (x * math.log(10))),
        ("np.exp2(x)", "np.log(2)", lambda x: math.log(2) * 2**x),
        # The pow rule's log of a literal base, too.
        ("np.power(2, x)", "np.log(2)", lambda x: math.log(2) * 2**x),
        ("2.5 ** x", "math.log(2.5)", lambda x: math.log(2.5) * 2.5**x),
    ],
)
def test_constant_is_an_expression_in_the_namespace_called(body, constant, derivative):
    source, gradient = _gradient_source(body)
    assert constant in source
    assert not LONG_FLOAT.search(source), source
    assert "float64" not in source
    assert float(gradient(0.7)) == pytest.approx(derivative(0.7), rel=1e-15)


def test_a_constant_used_twice_is_computed_once():
    source, gradient = _gradient_source(
        "math.erf(x) + math.erfc(2 * x) * math.erf(3 * x)"
    )
    assert source.count("math.sqrt(math.pi)") == 1, source
    x = 0.3
    c = 2 / math.sqrt(math.pi)
    expected = (
        c * math.exp(-x * x)
        - 2 * c * math.exp(-4 * x * x) * math.erf(3 * x)
        + math.erfc(2 * x) * 3 * c * math.exp(-9 * x * x)
    )
    assert float(gradient(x)) == pytest.approx(expected, rel=1e-14)


def test_a_numpy_constant_stays_an_expression_on_numpy_values():
    source, gradient = _gradient_source("np.log2(x) + np.log2(2 * x)")
    assert source.count("np.log(2)") == 1, source
    value = gradient(np.float64(1.5))
    assert float(value) == pytest.approx(2 / (1.5 * math.log(2)), rel=1e-15)
