import math
from srcgrad.runtime import has_arrays


def relax_grad(x, c, n):
    """Gradient of relax with respect to x and c."""
    if (
        x.__class__ is not float
        or c.__class__ is not float
        or n.__class__ not in (float, int)
    ):
        if has_arrays("relax_grad", wrt={"x": x, "c": c}, parameters={"n": n}):
            return for_arrays(x, c, n)
    # line 5: for i in range(n):
    x_tape = []
    branch_tape = []
    tape = []
    for _ in range(n):
        x_tape.append(x)
        # line 6: if x > 1.0:
        t = x > 1.0
        branch_tape.append(t)
        if t:
            # line 7: x = x * 0.5 + math.sin(x * c)
            t_1 = x * c
            x = x * 0.5 + math.sin(t_1)
        else:
            # line 9: x = x * c + 0.3
            x = x * c + 0.3
            # line 6: if x > 1.0:
            t_1 = None
        # line 6: if x > 1.0:
        tape.append(t_1)
    # line 10: return x
    x_bar, c_bar = 1.0, 0.0
    # line 5: for i in range(n):
    for x_1, t_2, t_3 in zip(reversed(x_tape), reversed(branch_tape), reversed(tape)):
        # line 6: if x > 1.0:
        if t_2:
            # line 7: x = x * 0.5 + math.sin(x * c)
            t_4 = x_bar * math.cos(t_3)
            c_bar = c_bar + t_4 * x_1
            x_bar_1 = t_4 * c + x_bar * 0.5
        else:
            # line 9: x = x * c + 0.3
            x_bar_1 = x_bar * c
            c_bar = c_bar + x_bar * x_1
        # line 6: if x > 1.0:
        x_bar = x_bar_1
    return x_bar, c_bar
