"""Functions with control flow, and inputs that take every path.

Shared by the lowering tests (the IR computes what Python computes) and
the gradient tests (the gradient matches finite differences and SymPy).
Each input takes a branch, runs a loop zero, one or many times, or leaves
it early; together they cover every construct the frontend lowers.
"""

from __future__ import annotations

import math

WEIGHTS = [0.5, -1.25, 2.0, 3.5]
PAIRS = ((1.0, 2.0), (3.0, -1.0), (0.5, 0.25))
NOTHING: list[float] = []

# (name, source, inputs): each input is a tuple of arguments.
CASES = [
    (
        "piecewise linear",
        """
        def f(x):
            if x < 0.0:
                y = -x
            elif x < 1.0:
                y = x * x
            else:
                y = 2.0 * x - 1.0
            return y
        """,
        [(-2.0,), (0.0,), (0.5,), (1.0,), (3.0,)],
    ),
    (
        "early return then fall through",
        """
        def f(x):
            if x > 0:
                return x
            return -x
        """,
        [(2.0,), (-3.0,), (0.0,)],
    ),
    (
        "elif chain of returns",
        """
        def f(x):
            if x < -1.0:
                return -1.0
            elif x > 1.0:
                return 1.0
            else:
                return x ** 3
        """,
        [(-5.0,), (-1.0,), (0.5,), (1.0,), (7.0,)],
    ),
    (
        "return in a nested branch, not at the tail",
        """
        def f(x, y):
            z = x * y
            if x > 0:
                if y > 0:
                    return z
                z = z + 1.0
            w = z * 2.0
            return w - x
        """,
        [(1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.0, -2.0)],
    ),
    (
        "returns on every branch of nested ifs",
        """
        def f(x, y):
            if x > y:
                if x > 0:
                    return x
                else:
                    return y
            else:
                if y > 2:
                    return y * y
            return x + y
        """,
        [(3.0, 1.0), (-1.0, -2.0), (0.0, 3.0), (0.0, 1.0)],
    ),
    (
        "a name assigned in both branches, another in none",
        """
        def f(x):
            a = 1.0
            if x > 0:
                b = x
                c = a + 1.0
            else:
                b = -x
                c = a
            return b * c + a
        """,
        [(2.0,), (-2.0,)],
    ),
    (
        "conditional expression evaluates only the side taken",
        """
        def f(x):
            return 1.0 / x if x != 0 else 0.0
        """,
        [(0.0,), (4.0,), (-0.5,)],
    ),
    (
        "and short-circuits before dividing by zero",
        """
        def f(x):
            if x != 0 and 1 / x > 2:
                return 1.0
            return 0.0
        """,
        [(0.0,), (0.25,), (1.0,), (-0.1,)],
    ),
    (
        "or keeps the first true value",
        """
        def f(x, y):
            return (x or y) + (x and y)
        """,
        [(0.0, 2.0), (3.0, 0.0), (0.0, 0.0), (1.5, 2.5)],
    ),
    (
        "or short-circuits before a domain error",
        """
        import math

        def f(x):
            if x <= 0 or math.log(x) < 1.0:
                return x
            return math.log(x)
        """,
        [(-1.0,), (0.0,), (2.0,), (10.0,)],
    ),
    (
        "not, and and or with three operands",
        """
        def f(x, y, z):
            if not x > 0 and (y > 0 or z > 0 or x == z):
                return 1.0
            return 2.0 if x > 0 and y > 0 and z > 0 else 3.0
        """,
        [(-1, 1, -1), (-1, -1, -1), (1, 1, 1), (1, -1, 1), (-2, -1, -2)],
    ),
    (
        "chained comparisons evaluate the middle once",
        """
        def f(x, y):
            if 0.0 < x <= y < 10.0:
                return y - x
            return x == y != 2.0
        """,
        [(1.0, 2.0), (3.0, 2.0), (0.0, 1.0), (2.0, 2.0), (1.0, 12.0), (5.0, 5.0)],
    ),
    (
        "all six comparisons",
        """
        def f(x, y):
            return (x < y) + 2 * (x <= y) + 4 * (x > y) + 8 * (x >= y) \\
                + 16 * (x == y) + 32 * (x != y)
        """,
        [(1.0, 2.0), (2.0, 1.0), (1.0, 1.0), (math.nan, 1.0)],
    ),
    (
        "max, min and abs as Python picks them",
        """
        def f(x, y, z):
            return max(x, y) - min(x, y, z) + abs(z) + max((x, z)) + min([y])
        """,
        [(1.0, 2.0, 3.0), (3.0, 2.0, 1.0), (-1.0, -1.0, 0.0), (2.0, 5.0, -7.0)],
    ),
    (
        "max keeps the first of equal or unordered values",
        """
        def f(x, y):
            return max(x, y), min(x, y), max(y, x, 0.0)
        """,
        [(0.0, -0.0), (-0.0, 0.0), (math.nan, 1.0), (1.0, math.nan)],
    ),
    (
        "sum of a tuple written out, with and without start",
        """
        def f(x, y):
            return sum((x, y, 0.25)) + sum([x * y, y], 1.5) + sum((), x)
        """,
        [(0.5, 1.25), (3.0, -2.0)],
    ),
    (
        "builtins: float, int, round, bool, len, pow",
        """
        def f(x, data):
            n = len(data)
            return float(n) * round(x) + int(x) + round(x, 1) + bool(x) + pow(x, 2)
        """,
        [(2.345, WEIGHTS), (-1.75, NOTHING), (0.0, PAIRS)],
    ),
    (
        "sum of a sequence passed in",
        """
        def f(x, data):
            return x * sum(data) + sum(data, x)
        """,
        [(2.0, WEIGHTS), (1.0, NOTHING)],
    ),
    (
        "accumulate over range with a bound known at run time",
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                s = s + x ** i
            return s
        """,
        [(0.5, 0), (0.5, 1), (1.5, 5)],
    ),
    (
        "range with start, stop and a negative step",
        """
        def f(x, a, b, step):
            total = x
            for k in range(a, b, step):
                total = total * 0.5 + k
            return total
        """,
        [(1.0, 10, 0, -3), (1.0, 0, 10, -1), (2.0, -2, 5, 2), (2.0, 3, 3, 1)],
    ),
    (
        "reversed range",
        """
        def f(x, n):
            acc = x
            for i in reversed(range(n)):
                acc = acc * x + i
            return acc
        """,
        [(2.0, 0), (2.0, 4), (-0.5, 3)],
    ),
    (
        "polynomial by Horner over a global list of coefficients",
        """
        def f(x):
            p = 0.0
            for c in WEIGHTS:
                p = p * x + c
            return p
        """,
        [(0.0,), (1.5,), (-2.0,)],
    ),
    (
        "enumerate with and without a start",
        """
        def f(x, data):
            s = 0.0
            for i, w in enumerate(data):
                s += i * w * x
            for j, w in enumerate(data, 1):
                s -= j * w
            for k, w in enumerate(data, start=-2):
                s += k
            return s
        """,
        [(2.0, WEIGHTS), (2.0, NOTHING), (-1.0, [3.0])],
    ),
    (
        "zip of two sequences, and a nested target",
        """
        def f(x, a, b):
            dot = 0.0
            for u, v in zip(a, b):
                dot = dot + u * v * x
            for i, (u, v) in enumerate(zip(a, b)):
                dot = dot - i * u
            return dot
        """,
        [(1.0, [1.0, 2.0], [3.0, 4.0, 5.0]), (2.0, [], [1.0]), (0.5, WEIGHTS, WEIGHTS)],
    ),
    (
        "loop over pairs unpacked in the target",
        """
        def f(x):
            s = x
            for a, b in PAIRS:
                s = s * a + b
            return s
        """,
        [(1.0,), (-3.0,)],
    ),
    (
        "literal tuple of active values is unrolled",
        """
        def f(x, y):
            s = 0.0
            for v in (x, y, 2.0, x * y):
                s = s + v * v
            return s
        """,
        [(1.0, 2.0), (-0.5, 3.0)],
    ),
    (
        "unrolled loop with break, continue, else and enumerate",
        """
        def f(x, y):
            s = 0.0
            for i, v in enumerate([x, y, x + y]):
                if v < 0:
                    continue
                if v > 10:
                    break
                s = s + i * v
            else:
                s = s + 100.0
            return s
        """,
        [(1.0, 2.0), (-1.0, 2.0), (20.0, 1.0), (1.0, 20.0), (-5.0, 3.0)],
    ),
    (
        "unrolled loop that returns",
        """
        def f(x, y):
            for v in (x, y):
                if v > 1.0:
                    return v
            return 0.0
        """,
        [(2.0, 3.0), (0.0, 3.0), (0.0, 0.5)],
    ),
    (
        "unrolled zip of tuples written out",
        """
        def f(x, y):
            s = 0.0
            for a, b in zip((x, y, 1.0), (y, x)):
                s += a * b
            for c in reversed((x, 2.0 * y)):
                s = s * 0.5 + c
            return s
        """,
        [(1.0, 2.0), (-3.0, 0.5)],
    ),
    (
        "a loop that runs zero times keeps the values before it",
        """
        def f(x, n):
            y = x
            i = -1
            for i in range(n):
                y = y * 2.0
            return y + i
        """,
        [(3.0, 0), (3.0, 2)],
    ),
    (
        "nested loops, the inner bound depends on the outer index",
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                for j in range(i):
                    s = s + x * i - j
                for k in range(i, 0, -1):
                    s = s * 0.5 + k
            return s
        """,
        [(1.0, 0), (1.0, 1), (2.0, 4), (-1.5, 6)],
    ),
    (
        "continue skips the rest of the body",
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                if i == 2 or i == n + 3:
                    continue
                s = s + x * i
            return s
        """,
        [(1.0, 5), (2.0, 0), (1.0, 2)],
    ),
    (
        "continue nested in a branch, then more statements",
        """
        def f(x, n):
            s = 0.0
            t = 1.0
            for i in range(n):
                if i > 1:
                    if x * i > 3.0:
                        continue
                    t = t + 1.0
                s = s + t * x
            return s + t
        """,
        [(1.0, 6), (0.5, 8), (2.0, 1), (1.0, 0)],
    ),
    (
        "break as the stop flag",
        """
        def f(x):
            s = 0.0
            for i in range(100):
                if s > x:
                    break
                s = s + i
            return s
        """,
        [(10.0,), (-1.0,), (1e9,)],
    ),
    (
        "for-else runs when the loop did not break",
        """
        def f(x, n):
            for i in range(n):
                if x * i > 10.0:
                    found = i
                    break
            else:
                return -1.0
            return x
        """,
        [(1.0, 5), (1.0, 20), (3.0, 0)],
    ),
    (
        "return inside a for loop",
        """
        def f(x, data):
            for i, w in enumerate(data):
                if w * x > 1.0:
                    return i + w
            return x
        """,
        [(1.0, WEIGHTS), (0.1, WEIGHTS), (5.0, NOTHING)],
    ),
    (
        "return and break in the same loop",
        """
        def f(x, n):
            s = x
            for i in range(n):
                if s > 100.0:
                    return s
                if s < -100.0:
                    break
                s = s * 3.0
            return -s
        """,
        [(1.0, 10), (-1.0, 10), (1.0, 2), (1.0, 0)],
    ),
    (
        "return from an inner loop leaves the outer loop too",
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                for j in range(n):
                    s = s + x
                    if s > 5.0:
                        return s * i + j
                s = s - 1.0
            return s
        """,
        [(1.0, 4), (0.5, 3), (1.0, 0), (3.0, 2)],
    ),
    (
        "break in the inner loop only",
        """
        def f(x, n):
            total = 0.0
            for i in range(n):
                for j in range(n):
                    if j > i:
                        break
                    total = total + x * j
                total = total + 1.0
            return total
        """,
        [(1.0, 4), (2.0, 0), (0.5, 1)],
    ),
    (
        "Newton's method for a square root with while and break",
        """
        def f(a):
            x = a if a > 1.0 else 1.0
            steps = 0
            while True:
                nxt = 0.5 * (x + a / x)
                steps += 1
                if abs(nxt - x) < 1e-12 or steps > 50:
                    break
                x = nxt
            return nxt
        """,
        [(2.0,), (0.25,), (1e6,), (1.0,)],
    ),
    (
        "while with a condition over carried values",
        """
        def f(x):
            n = 0
            while x > 1.0 and n < 60:
                x = x / 2.0
                n = n + 1
            return x + n
        """,
        [(0.5,), (8.0,), (1e30,)],
    ),
    (
        "while-else and return inside a while",
        """
        def f(x, limit):
            k = 0.0
            while k < limit:
                if x * k > 20.0:
                    return k
                if x * k < -20.0:
                    break
                k = k + 1.0
            else:
                return -k
            return 1000.0 + k
        """,
        [(1.0, 50.0), (1.0, 5.0), (-1.0, 50.0), (1.0, 0.0)],
    ),
    (
        "return inside a while inside a for",
        """
        def f(x, n):
            for i in range(n):
                y = x + i
                while y > 1.0:
                    y = y / 3.0
                    if y < 0.5:
                        return y * i
            return -1.0
        """,
        [(0.5, 3), (2.0, 3), (0.1, 0), (0.2, 2)],
    ),
    (
        "tuple return from several places",
        """
        def f(x, y):
            if x > y:
                return x, y
            for i in range(3):
                if x + i > y:
                    return y, x + i
            return x * y, 0.0
        """,
        [(3.0, 1.0), (1.0, 2.5), (-5.0, 1.0)],
    ),
    (
        "a tuple carried through a loop and swapped",
        """
        def f(x, n):
            a, b = x, 1.0
            pair = (a, b)
            for i in range(n):
                a, b = b, a + b
                pair = (b, a) if False else (a, b)
            p, q = pair
            return a + b * p - q
        """,
        [(1.0, 0), (1.0, 5), (0.5, 3)],
    ),
    (
        "pass and if without else",
        """
        def f(x):
            if x > 0:
                pass
            else:
                x = -x
            if x > 10:
                x = 10.0
            return x
        """,
        [(-3.0,), (30.0,), (5.0,)],
    ),
    (
        "a name bound before an if and rebound in one branch",
        """
        def f(x, y):
            scale = 1.0
            if y > 0:
                scale = y
            return x * scale
        """,
        [(2.0, 3.0), (2.0, -3.0)],
    ),
    (
        "flags for a loop whose every iteration may continue",
        """
        def f(x, data):
            best = -1.0
            for w in data:
                if w < 0:
                    continue
                elif w > 3:
                    continue
                best = max(best, w * x)
            return best
        """,
        [(1.0, WEIGHTS), (2.0, NOTHING), (-1.0, [5.0, 1.0])],
    ),
    (
        "returns in the else of a for loop and after it",
        """
        def f(x, n):
            for i in range(n):
                if i * x > 3.0:
                    break
            else:
                if x > 0:
                    return x
            return -x
        """,
        [(1.0, 10), (1.0, 2), (-1.0, 2), (2.0, 0)],
    ),
    (
        "constant conditions are decided while lowering",
        """
        def f(x):
            if True:
                y = x
            else:
                y = undefined_name
            while False:
                y = y + 1.0
            return y if 1 else undefined_name
        """,
        [(1.0,)],
    ),
    (
        "bisection with while",
        """
        def f(c):
            lo, hi = 0.0, max(1.0, c)
            while hi - lo > 1e-9:
                mid = (lo + hi) / 2.0
                if mid * mid < c:
                    lo = mid
                else:
                    hi = mid
            return lo
        """,
        [(2.0,), (0.25,), (9.0,)],
    ),
    (
        "code after a return in every branch is not lowered",
        """
        def f(x):
            if x > 0:
                return 1.0
            else:
                return 2.0
            return undefined_name
        """,
        [(1.0,), (-1.0,)],
    ),
    (
        "a search loop assigns its result before break and in its else",
        """
        def f(x, y, n):
            for i in range(n):
                t = x * i
                if t > 2.0:
                    r = t * y
                    break
            else:
                r = y * y
            return r + x
        """,
        [(0.7, 1.3, 10), (0.7, 1.3, 2), (3.0, 0.5, 0), (2.5, -1.0, 5)],
    ),
    (
        "the loop index read after the loop on the path that broke",
        """
        def f(x, n):
            for i in range(n):
                if x * i > 2.0:
                    break
            else:
                return x
            return x * x * i
        """,
        [(0.7, 10), (0.7, 2), (3.0, 0), (3.0, 5)],
    ),
    (
        "while True stops only at a break that sets the result",
        """
        def f(x, y):
            k = 0
            while True:
                k += 1
                if x * k > 2.0:
                    r = math.sin(x * k) * y
                    break
            return r
        """,
        [(0.7, 1.3), (3.5, 0.4)],
    ),
    (
        "while True left only by returns",
        """
        def f(x):
            k = 0
            while True:
                k += 1
                if x * k > 3.0:
                    return x * k
                if k > 50:
                    return -x
        """,
        [(0.7,), (5.0,), (0.01,)],
    ),
    (
        "a break value of an inner loop feeds the outer loop",
        """
        def f(x, y):
            z = x
            for i in range(3):
                for j in range(4):
                    if z > 2.0:
                        w = z * y
                        break
                    z = z + 0.5
                else:
                    w = z
                z = w * 0.5
            return z
        """,
        [(0.7, 1.3), (3.5, 0.4), (1.2, 0.3)],
    ),
    (
        "an unrolled search with break and else",
        """
        def f(x, y):
            for v in (x, y, 2.0):
                w = v * v
                if w > 1.5:
                    found = w * x
                    break
            else:
                found = y
            return found
        """,
        [(0.7, 1.3), (1.9, 0.4), (0.5, 0.3)],
    ),
    (
        "a return in the first iteration skips a carried value's update",
        """
        def f(x, y):
            a = x
            s = 0.0
            for i in range(5):
                if a > 3.0:
                    return a * y + s
                else:
                    b = a
                    a = a * x + y
                s = s + b * a
            return a + s
        """,
        [(0.7, 1.3), (3.5, 0.4), (1.2, 0.3)],
    ),
    (
        "a swap in a loop that may return in its first iteration",
        """
        def f(x, y):
            a = x
            b = y
            for i in range(4):
                if a > 3.0:
                    return b
                a, b = b * x, a + y
            return a * b
        """,
        [(0.7, 1.3), (3.5, 0.4), (4.1, 2.2)],
    ),
    (
        "a break value of an inner loop that may also return is taped outside it",
        """
        def f(x, y, n):
            b = y
            c = 0
            while True:
                c = c + 1
                for k in range(n):
                    if y > 0.3:
                        return b
                    if x <= 0.3:
                        r = math.atan(x) - 1.5
                        break
                else:
                    r = math.sin(1.5) - math.atan(x)
                b = 0.5 * math.sin(r) + b
                if c >= n:
                    break
            return b
        """,
        [(0.2, 0.1, 2), (0.5, 0.1, 2), (0.5, 0.5, 2), (0.2, 0.5, 0)],
    ),
    (
        "two loops over the same reversed range",
        """
        def f(x, n):
            s = 1.0
            for i in reversed(range(n)):
                s = s * x + i
            for i in reversed(range(n)):
                s = s * x - i
            return s
        """,
        [(0.7, 3), (1.1, 0), (-0.5, 5)],
    ),
    (
        "nested loops over zip of the same lists",
        """
        def f(x, a, b):
            s = 0.0
            for p, q in zip(a, b):
                for r, w in zip(a, b):
                    s += p * w * x * q * r
            return s
        """,
        [(0.7, WEIGHTS, WEIGHTS), (1.5, PAIRS[0], PAIRS[1])],
    ),
    (
        "an or whose fallback does not depend on the input differentiated",
        """
        def f(x, y, eps):
            r2 = x * x + y * y
            return r2 or math.sqrt(eps)
        """,
        [(0.3, 0.4, 1e-3), (1.0, -2.0, 0.5)],
    ),
    (
        "a return from an inner loop, then a shift of carried values",
        """
        def f(x, y):
            cur = y
            prev = 0.5
            for i in range(3):
                for j in range(3):
                    if x * j > 1.0:
                        return cur * x
                prev = cur
                cur = cur * x
            return cur * prev
        """,
        [(0.7, 1.3), (0.3, 1.3), (0.45, -0.8)],
    ),
    (
        "a return from a loop in a branch, then a name reassigned for another loop",
        """
        def f(x, y, cs):
            scale = x
            acc = 1.0
            if x <= y:
                for v in cs:
                    if v > 0.0:
                        return x * v
                scale = math.tanh(x)
                for v in cs:
                    acc = acc * scale + v
            return scale * acc
        """,
        [(-1.27, 0.86, [-0.5, 0.3]), (-1.27, 0.86, [-0.5, -0.3]), (1.5, 0.2, [0.5])],
    ),
    (
        "a running minimum that starts from float('inf')",
        """
        def f(x, cs):
            best = float("inf")
            for c in cs:
                d = (c - x) ** 2
                if d < best:
                    best = d
            return best + float("1e-3") * x
        """,
        [(0.3, WEIGHTS), (1.0, PAIRS[0])],
    ),
]
