from srcgrad.runtime import has_arrays


def f_grad(x):
    """Gradient of f with respect to x."""
    if x.__class__ is not float:
        if has_arrays("f_grad", wrt={"x": x}):
            return for_arrays(x)
    # line 2: a = x * x
    a = x * x
    # line 3: b = a * a
    b = a * a
    # line 4: c = b * b
    c = b * b
    # line 2: a = x * x
    x_bar = 32.0 * c * c * c * b * a * x
    return x_bar
