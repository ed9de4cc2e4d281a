"""Functions that call functions of the user's, in every way srcgrad reads.

Each case is defined as a file of its own (``helpers.define``); ``make``
(if set) is a factory called with ``args`` to get the function, for
closures. ``exact`` is the gradient in closed form, as a SymPy expression
of the symbols named like the parameters differentiated, where there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    entry: str = "f"
    wrt: tuple[str, ...] = ("x",)
    points: tuple[tuple[Any, ...], ...] = ((0.7,), (1.3,), (-0.4,))
    make: tuple[Any, ...] | None = None
    exact: Callable[[Any], list[Any]] | None = None
    namespace: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "module_helper",
        """
        def square_sin(t):
            return math.sin(t) * t

        def f(x):
            return square_sin(x) + 2.0 * square_sin(x * x)
        """,
        exact=lambda sp, x: [sp.diff(sp.sin(x) * x + 2 * sp.sin(x * x) * x * x, x)],
    ),
    Case(
        "default_argument",
        """
        def scaled(t, k=3.0):
            return k * t * t

        def f(x):
            return scaled(x) + scaled(x, 0.5)
        """,
        exact=lambda sp, x: [sp.diff(3 * x * x + 0.5 * x * x, x)],
    ),
    Case(
        "keywords_and_kinds",
        """
        def blend(a, /, b, *, weight=0.25, offset=0.0):
            return (1.0 - weight) * a + weight * b * b + offset

        def f(x, y):
            return blend(x, y, offset=x) + blend(y, b=x, weight=0.5)
        """,
        wrt=("x", "y"),
        points=((0.7, 1.1), (-1.2, 0.3)),
        exact=lambda sp, x, y: [
            sp.diff(e, v)
            for e in [0.75 * x + 0.25 * y * y + x + 0.5 * y + 0.5 * x * x]
            for v in (x, y)
        ],
    ),
    Case(
        "tuple_return",
        """
        def polar(r, theta):
            return r * math.cos(theta), r * math.sin(theta)

        def f(r, theta):
            a, b = polar(r, theta)
            pair = polar(b, a)
            c, d = pair
            return a * d + c
        """,
        wrt=("r", "theta"),
        points=((1.3, 0.4), (0.6, -1.0)),
    ),
    Case(
        "helper_in_loop",
        """
        def step(x, h):
            return x + h * math.sin(x)

        def f(x, n):
            for i in range(n):
                x = step(x, 0.1)
            return x
        """,
        points=((0.7, 5), (1.9, 20), (-0.3, 0)),
    ),
    Case(
        "helper_in_branch",
        """
        def soft(t):
            return math.log(1.0 + math.exp(t))

        def f(x):
            if x > 0:
                y = soft(x) * x
            else:
                y = soft(-x)
            return y
        """,
        points=((0.7,), (-1.3,)),
    ),
    Case(
        "helpers_calling_helpers",
        """
        def inner(t):
            return t * t * t + math.cos(t)

        def middle(t, s):
            return inner(t) * s + inner(s)

        def outer(t):
            return middle(t, 2.0 * t) - inner(t)

        def f(x):
            return outer(x) + middle(x, x)
        """,
    ),
    Case(
        "nested_def_closure",
        """
        def f(x, y):
            scale = 2.0 * y

            def g(t):
                return scale * math.sin(t) + y

            return g(x) * g(y)
        """,
        wrt=("x", "y"),
        points=((0.3, 0.8), (1.1, -0.5)),
        exact=lambda sp, x, y: [
            sp.diff((2 * y * sp.sin(x) + y) * (2 * y * sp.sin(y) + y), v)
            for v in (x, y)
        ],
    ),
    Case(
        "late_binding",
        """
        def f(x):
            a = x

            def g(t):
                return a * t

            first = g(2.0)
            a = x * x
            return first + g(3.0)
        """,
        exact=lambda sp, x: [sp.diff(2 * x + 3 * x * x, x)],
    ),
    Case(
        "named_lambda",
        """
        def f(x):
            c = math.exp(x)
            sq = lambda t, k=2.0: k * t * t + c
            return sq(x) + sq(c, k=0.5)
        """,
        exact=lambda sp, x: [
            sp.diff(2 * x * x + sp.exp(x) + 0.5 * sp.exp(2 * x) + sp.exp(x), x)
        ],
    ),
    Case(
        "nested_calls_sibling",
        """
        def f(x, y):
            def h(t):
                return t * y

            def g(t):
                return h(t) + h(t * t)

            return g(x) + h(1.0)
        """,
        wrt=("x", "y"),
        points=((0.3, 0.8), (1.1, -0.5)),
        exact=lambda sp, x, y: [sp.diff(x * y + x * x * y + y, v) for v in (x, y)],
    ),
    Case(
        "nested_recursion",
        """
        def f(x, n):
            def p(k):
                if k == 0:
                    return 1.0
                return x * p(k - 1)

            return p(n)
        """,
        points=((0.7, 4), (1.3, 0), (-0.9, 7)),
        exact=lambda sp, x, n: [sp.diff(x**n, x)],
    ),
    Case(
        "closure_cells",
        """
        def make(k):
            def helper(t):
                return k * math.sin(t)

            def f(x):
                return helper(x) * helper(2.0 * x)

            return f
        """,
        make=(1.5,),
        exact=lambda sp, x: [sp.diff(2.25 * sp.sin(x) * sp.sin(2 * x), x)],
    ),
    Case(
        "closure_cell_the_function_does_not_share",
        """
        def make(k):
            def helper(t):
                return k * t * t

            def f(x):
                return helper(x) + 1.0

            return f
        """,
        make=(3.0,),
        exact=lambda sp, x: [6 * x],
    ),
    Case(
        "horner",
        """
        def horner(x, i, n):
            return 0.0 if i == n else 1.0 / (i + 1) + x * horner(x, i + 1, n)

        def f(x, n):
            return horner(x, 0, n)
        """,
        points=((0.7, 6), (-1.3, 3), (0.5, 0)),
        exact=lambda sp, x, n: [
            sp.diff(sum(x**i / sp.Integer(i + 1) for i in range(int(n))), x)
        ],
    ),
    Case(
        "power_by_squaring",
        """
        def power(x, n):
            if n == 0:
                return 1.0
            half = power(x, n // 2)
            return half * half if n % 2 == 0 else half * half * x

        def f(x, n):
            return power(x, n)
        """,
        points=((1.1, 13), (-0.7, 8), (2.0, 1), (0.3, 0)),
        exact=lambda sp, x, n: [sp.diff(x**n, x)],
    ),
    Case(
        "recursive_entry",
        """
        def f(x, n):
            if n == 0:
                return x
            return math.sin(f(x, n - 1))
        """,
        points=((0.7, 3), (1.2, 0)),
        exact=lambda sp, x, n: [sp.diff(_nest(sp.sin, x, int(n)), x)],
    ),
    Case(
        "mutual_recursion",
        """
        def even(x, n):
            return 1.0 if n == 0 else x * odd(x, n - 1)

        def odd(x, n):
            return x + 0.5 * even(x, n - 1) if n > 0 else 0.0

        def f(x, n):
            return even(x, n)
        """,
        points=((0.7, 4), (1.3, 5), (0.2, 0)),
    ),
    Case(
        "recursion_in_loop",
        """
        def power(x, n):
            if n == 0:
                return 1.0
            half = power(x, n // 2)
            return half * half if n % 2 == 0 else half * half * x

        def f(x, m):
            total = 0.0
            for k in range(m):
                total = total + power(x, k) / (k + 1)
            return total
        """,
        points=((0.7, 6), (1.2, 1)),
        exact=lambda sp, x, m: [
            sp.diff(sum(x**k / sp.Integer(k + 1) for k in range(int(m))), x)
        ],
    ),
    Case(
        "inactive_call",
        """
        def weight(n):
            return 1.0 / (1.0 + n * n)

        def f(x, n):
            return weight(n) * x * x + weight(3.0)
        """,
        points=((0.7, 2.0), (1.3, -1.0)),
        exact=lambda sp, x, n: [2 * x / (1 + n * n)],
    ),
    Case(
        "union_of_activity",
        """
        def mix(a, b):
            return a * math.exp(b) + b * b

        def f(x, y):
            return mix(x, y) + mix(y, 2.0) + mix(3.0, x)
        """,
        points=((0.7, 0.2), (-0.3, 1.1)),
    ),
    Case(
        "while_with_break",
        """
        def shrink(t):
            return 0.5 * t + 0.1 * math.sin(t)

        def f(x):
            y = x
            while True:
                y = shrink(y)
                if abs(y) < 0.01:
                    break
            return y * y + x
        """,
        points=((2.0,), (-3.0,)),
    ),
    Case(
        "helper_returning_its_parameter",
        """
        def identity(t):
            return t

        def both(t):
            return t, t * t

        def f(x):
            a, b = both(identity(x))
            return a + b
        """,
        exact=lambda sp, x: [1 + 2 * x],
    ),
    Case(
        "recursive_tuple_return",
        """
        def climb(x, n):
            if n == 0:
                return x, 1.0
            a, b = climb(x, n - 1)
            return a * x, b + a

        def f(x, n):
            a, b = climb(x, n)
            return a + b
        """,
        points=((0.5, 3), (1.2, 0), (-0.8, 4)),
    ),
    Case(
        "call_in_while_condition",
        """
        def energy(t):
            return t * t

        def f(x):
            y = x
            while energy(y) > 0.01:
                y = y * 0.5
            return y + energy(x)
        """,
        points=((0.5,), (-2.0,)),
    ),
    Case(
        "nested_default_from_enclosing",
        """
        def f(x):
            c = x * 2.0

            def g(t, k=c):
                return k * t

            c = 10.0  # a default is computed when the def runs
            return g(x) + g(1.0, k=3.0) + c
        """,
        exact=lambda sp, x: [4 * x],
    ),
    Case(
        "nested_in_loop_and_branch",
        """
        def helper(t):
            return t * t * math.exp(-t)

        def f(x, n):
            def g(t):
                return helper(t) + math.sin(t)

            s = 0.0
            for i in range(n):
                if i % 2 == 0:
                    s = s + g(x * i)
                else:
                    s = s - g(x)
            return s
        """,
        points=((0.5, 5), (1.5, 2)),
    ),
    Case(
        "module_lambda_helper",
        """
        cube = lambda t, k=1.0: k * t * t * t

        def f(x):
            return cube(x) + cube(x, k=2.0) + cube(2.0)
        """,
        exact=lambda sp, x: [9 * x * x],
    ),
    Case(
        "one_saved_value",
        """
        def kink(t):
            u = 1.125 * t
            if u > 0.2:
                u = u + 0.125 * t
            return u - t

        def f(x, y):
            return kink(x) + kink(y)
        """,
        wrt=("x", "y"),
        points=((0.3, -0.7), (-0.7, 0.3)),
    ),
]


def _nest(function: Callable[[Any], Any], x: Any, times: int) -> Any:
    for _ in range(times):
        x = function(x)
    return x
