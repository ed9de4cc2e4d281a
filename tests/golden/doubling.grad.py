def f_grad(x):
    """Gradient of f with respect to x."""
    # line 2: a = x * x
    a = x * x
    # line 3: b = a * a
    b = a * a
    # line 4: c = b * b
    c = b * b
    # line 5: d = c * c
    d = c * c
    # line 6: e = d * d
    d_bar = d + d
    # line 5: d = c * c
    c_bar = d_bar * c
    c_bar = c_bar + c_bar
    # line 4: c = b * b
    b_bar = c_bar * b
    b_bar = b_bar + b_bar
    # line 3: b = a * a
    a_bar = b_bar * a
    a_bar = a_bar + a_bar
    # line 2: a = x * x
    x_bar = a_bar * x
    x_bar = x_bar + x_bar
    return x_bar
