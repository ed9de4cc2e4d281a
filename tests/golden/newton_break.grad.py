from srcgrad.runtime import has_arrays


def newton_sqrt_grad(a):
    """Gradient of newton_sqrt with respect to a."""
    if a.__class__ is not float:
        if has_arrays("newton_sqrt_grad", wrt={"a": a}):
            return for_arrays(a)
    # line 3: for _ in range(50):
    x_tape = []
    tape = []
    branch_tape = []
    x = a
    for _ in range(50):
        x_tape.append(x)
        # line 4: nxt = 0.5 * (x + a / x)
        t = a / x
        tape.append(t)
        nxt = 0.5 * (x + t)
        # line 5: if abs(nxt - x) < 1e-15:
        t_1 = abs(nxt - x) < 1e-15
        branch_tape.append(t_1)
        if not t_1:
            # line 4: nxt = 0.5 * (x + a / x)
            x = nxt
        # line 5: if abs(nxt - x) < 1e-15:
        if t_1:
            break
    # line 8: return x
    x_bar, a_bar = 1.0, 0.0
    # line 3: for _ in range(50):
    for x, t_2, t_3 in zip(reversed(x_tape), reversed(tape), reversed(branch_tape)):
        # line 5: if abs(nxt - x) < 1e-15:
        if t_3:
            # line 3: for _ in range(50):
            nxt_bar = 0.0
        else:
            # line 3: for _ in range(50):
            x_bar, nxt_bar = 0.0, x_bar
        # line 4: nxt = 0.5 * (x + a / x)
        t_4 = nxt_bar * 0.5
        t_5 = t_4 / x
        a_bar = a_bar + t_5
        x_bar = x_bar + t_4 - t_5 * t_2
    a_bar = a_bar + x_bar
    return (a_bar,)
