import math


def f_grad(x):
    """Gradient of f with respect to x."""
    # line 4: return math.cos(x**2)
    x_bar = -math.sin(x**2) * (2 * x)
    return x_bar
