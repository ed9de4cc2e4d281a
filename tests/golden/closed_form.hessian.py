import math
from srcgrad.runtime import has_arrays


def f_hessian(x, y):
    """Hessian of f with respect to x and y."""
    if x.__class__ is not float or y.__class__ is not float:
        if has_arrays("f_hessian", wrt={"x": x, "y": y}):
            return for_arrays(x, y)
    # line 2: return math.sin(x * y) + x**3 * math.exp(y)
    t = x * y
    t_1 = math.exp(y)
    y_bar = x**3 * t_1
    y_bar_dot = t_1 * (3 * x**2)
    t_2 = math.cos(t)
    t_3 = -math.sin(t)
    t_4 = t_3 * y
    t_5 = t_3 * x
    x_bar_dot = t_1 * (6 * x) + y * t_4
    x_bar_dot_1 = y_bar_dot + (y * t_5 + t_2)
    y_bar_dot = y_bar_dot + (x * t_4 + t_2)
    y_bar_dot_1 = y_bar + x * t_5
    return (x_bar_dot, x_bar_dot_1), (y_bar_dot, y_bar_dot_1)
