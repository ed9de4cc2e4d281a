import math
from srcgrad.runtime import has_arrays


def f_grad(x):
    """Gradient of f with respect to x."""
    if x.__class__ is not float:
        if has_arrays("f_grad", wrt={"x": x}):
            return for_arrays(x)
    # line 4: return math.sin(x**2) + math.cos(x**2)
    t = x**2
    x_bar = (math.cos(t) - math.sin(t)) * (2 * x)
    return x_bar
