from srcgrad.runtime import check_real


def f_grad(x):
    """Gradient of f with respect to x."""
    if x.__class__ is not float:
        check_real("f_grad", wrt={"x": x})
    # line 2: a = x * x
    a = x * x
    # line 3: b = a * a
    b = a * a
    # line 4: c = b * b
    c = b * b
    # line 5: d = c * c
    d = c * c
    c_bar = 4.0 * d * c
    # line 4: c = b * b
    b_bar = 2.0 * c_bar * b
    # line 3: b = a * a
    a_bar = 2.0 * b_bar * a
    # line 2: a = x * x
    x_bar = 2.0 * a_bar * x
    return x_bar
