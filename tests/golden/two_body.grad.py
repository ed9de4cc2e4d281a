import math
from srcgrad.runtime import has_arrays


def potential_grad(x1, y1, z1, x2, y2, z2, m1, m2):
    """Gradient of potential with respect to x1, y1, z1, x2, y2, z2, m1 and m2."""
    if (
        x1.__class__ is not float
        or y1.__class__ is not float
        or z1.__class__ is not float
        or x2.__class__ is not float
        or y2.__class__ is not float
        or z2.__class__ is not float
        or m1.__class__ is not float
        or m2.__class__ is not float
        or G.__class__ not in (float, int)
    ):
        if has_arrays(
            "potential_grad",
            wrt={
                "x1": x1,
                "y1": y1,
                "z1": z1,
                "x2": x2,
                "y2": y2,
                "z2": z2,
                "m1": m1,
                "m2": m2,
            },
            globals={"G": G},
        ):
            return for_arrays(x1, y1, z1, x2, y2, z2, m1, m2)
    # line 6: r = math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    t = x1 - x2
    t_1 = y1 - y2
    t_2 = z1 - z2
    r = math.sqrt(t**2 + t_1**2 + t_2**2)
    # line 7: return -G * m1 * m2 / r
    t_3 = -G
    t_4 = t_3 * m1
    r_bar = -(t_4 * m2 / r / r)
    m2_bar = t_4 / r
    m1_bar = m2 / r * t_3
    # line 6: r = math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    t_5 = r_bar / r
    z1_bar = t_5 * t_2
    z2_bar = -z1_bar
    y1_bar = t_5 * t_1
    y2_bar = -y1_bar
    x1_bar = t_5 * t
    x2_bar = -x1_bar
    return x1_bar, y1_bar, z1_bar, x2_bar, y2_bar, z2_bar, m1_bar, m2_bar
