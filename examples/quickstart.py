"""The README's thirty-second example: run it, then `srcgrad show` it."""

import math

import srcgrad


@srcgrad.grad(wrt=("x", "y"))
def f(x, y):
    return math.sin(x * y) + math.exp(x) * math.cos(y) / (1 + x * x)


if __name__ == "__main__":
    print(f(0.5, 0.7))  # df/dx, df/dy at (0.5, 0.7)
