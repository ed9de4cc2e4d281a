"""The three examples of docs/tutorial.md: run `srcgrad show examples/tutorial.py`."""

import math


def wave(x):
    return math.cos(x**2)


def shared(x):
    return math.sin(x**2) + math.cos(x**2)


def doubling(x):
    a = x * x
    b = a * a
    c = b * b
    d = c * c
    e = d * d
    return e


if __name__ == "__main__":
    import srcgrad

    for function in (wave, shared, doubling):
        print(f"d{function.__name__}/dx at 1.1:", srcgrad.grad(function)(1.1))
