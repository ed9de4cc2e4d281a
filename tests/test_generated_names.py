"""Generated code never depends on a name the user's code can rebind.

Modules (``math``, ``np``), builtins (``float``, ``abs``) and srcgrad's own
helper (``has_arrays``) are bound by srcgrad itself, under aliases that
avoid every name the function uses; the source users read imports each one
under that alias, so it runs as printed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import define

import srcgrad


def _run_as_printed(gradient, *args):
    namespace: dict[str, object] = {}
    exec(srcgrad.source(gradient), namespace)
    return namespace[gradient.__name__](*args)


def test_parameters_named_like_modules_builtins_and_helpers():
    f = define(
        """
        def f(x, float, math, np, type, has_arrays, for_arrays):
            product = x * float * math * np * type * has_arrays * for_arrays
            return product + sqrt(x) + fabs(x) * x + abs(x) * x
        """,
        sqrt=np.sqrt,
        fabs=math.fabs,
    )
    gradient = srcgrad.grad(f)
    point = (2.0, 1.5, 2.0, 0.5, 3.0, 1.0, 1.0)
    expected = 4.5 + 0.5 / math.sqrt(2.0) + 4.0 + 4.0
    assert gradient(*point) == pytest.approx(expected, rel=1e-15)
    assert _run_as_printed(gradient, *point) == gradient(*point)
    source = srcgrad.source(gradient)
    assert "import math as math_1" in source and "import numpy as np_1" in source
    assert "from builtins import float as float_1" in source
    assert "from srcgrad.runtime import has_arrays as has_arrays_1" in source
    assert "return for_arrays_1(" in source
    # Arrays go on to the gradient for them, past the parameter named so.
    got = gradient(np.array(2.0), *point[1:])
    assert got == pytest.approx(expected, rel=1e-15)


def test_infinite_constants_are_module_attributes_not_calls():
    # Constants were written float("inf"): a parameter named float broke them.
    f = define("""
        def f(x, float):
            return x * math.inf + x * float
        """)
    gradient = srcgrad.grad(f)
    assert gradient(1.0, 2.0) == math.inf
    source = srcgrad.source(gradient)
    assert "math.inf" in source and 'float("inf")' not in source
    assert _run_as_printed(gradient, 1.0, 2.0) == math.inf


def test_a_module_that_binds_no_np_still_gets_numpy():
    # `from numpy import sqrt` binds no `np`; here `np` is even something else.
    f = define(
        """
        from numpy import sqrt

        def f(x):
            return sqrt(x) * x
        """,
        np=None,
    )
    gradient = srcgrad.grad(f)
    assert gradient(4.0) == pytest.approx(3.0, rel=1e-15)
    assert "import numpy as np" in srcgrad.source(gradient)
    assert _run_as_printed(gradient, 4.0) == gradient(4.0)


def test_rebinding_a_builtin_in_the_users_module_changes_nothing():
    f = define("def f(x):\n    return abs(x) * x\n")
    gradient = srcgrad.grad(f)
    f.__globals__["abs"] = lambda value: 0.0
    f.__globals__["float"] = int
    assert gradient(-3.0) == 6.0


def test_local_variables_named_like_builtins_keep_their_names():
    f = define("""
        def f(x):
            float = math.sin(x)
            abs = math.inf
            return float * x + abs
        """)
    gradient = srcgrad.grad(f)
    source = srcgrad.source(gradient)
    assert "    float = math.sin(x)\n" in source
    assert "from builtins import float as float_1" in source
    expected = math.cos(3.0) * 3.0 + math.sin(3.0)
    assert gradient(3.0) == expected == _run_as_printed(gradient, 3.0)
