import math
from srcgrad.runtime import has_arrays


def first_crossing_grad(x, limit):
    """Gradient of first_crossing with respect to x and limit."""
    if x.__class__ is not float or limit.__class__ is not float:
        if has_arrays("first_crossing_grad", wrt={"x": x, "limit": limit}):
            return for_arrays(x, limit)
    # line 6: for i in range(10):
    i_tape = []
    y_tape = []
    branch_tape = []
    y = x
    broke = False
    for i in range(10):
        i_tape.append(i)
        y_tape.append(y)
        # line 7: y = y * 1.5 + math.cos(y)
        y = y * 1.5 + math.cos(y)
        # line 8: if y > limit:
        t = y > limit
        branch_tape.append(t)
        if t:
            broke = True
            break
    # line 10: return -y
    if broke:
        result_bar, y_bar = 1.0, 0.0
    else:
        result_bar, y_bar = 0.0, -1.0
    # line 6: for i in range(10):
    limit_bar = 0.0
    for i, y, t_1 in zip(reversed(i_tape), reversed(y_tape), reversed(branch_tape)):
        # line 8: if y > limit:
        if t_1:
            # line 9: return y - limit * i
            y_bar = y_bar + result_bar
            limit_bar = limit_bar - result_bar * i
        # line 7: y = y * 1.5 + math.cos(y)
        y_bar = y_bar * (1.5 - math.sin(y))
        # line 6: for i in range(10):
        result_bar = 0.0
    return y_bar, limit_bar
