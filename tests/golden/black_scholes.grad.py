import math
from srcgrad.runtime import has_arrays


def call_price_grad(S, K, T, r, sigma):
    """Gradient of call_price with respect to S, K, T, r and sigma."""
    if (
        S.__class__ is not float
        or K.__class__ is not float
        or T.__class__ is not float
        or r.__class__ is not float
        or sigma.__class__ is not float
    ):
        if has_arrays(
            "call_price_grad", wrt={"S": S, "K": K, "T": T, "r": r, "sigma": sigma}
        ):
            return for_arrays(S, K, T, r, sigma)
    # line 4: sqrt_T = math.sqrt(T)
    sqrt_T = math.sqrt(T)
    # line 5: d1 = (math.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt_T)
    t = S / K
    t_1 = r + 0.5 * sigma**2
    t_2 = sigma * sqrt_T
    d1 = (math.log(t) + t_1 * T) / t_2
    # line 6: d2 = d1 - sigma * sqrt_T
    d2 = d1 - t_2
    # line 7: N1 = 0.5 * (1 + math.erf(d1 / math.sqrt(2)))
    t_3 = d1 / 1.4142135623730951
    N1 = 0.5 * (1 + math.erf(t_3))
    # line 8: N2 = 0.5 * (1 + math.erf(d2 / math.sqrt(2)))
    t_4 = d2 / 1.4142135623730951
    N2 = 0.5 * (1 + math.erf(t_4))
    # line 9: return S * N1 - K * math.exp(-r * T) * N2
    t_5 = math.exp(-r * T)
    t_6 = -N2
    N2_bar = -(K * t_5)
    K_bar = t_6 * t_5
    t_7 = t_6 * K * t_5
    # line 8: N2 = 0.5 * (1 + math.erf(d2 / math.sqrt(2)))
    t_8 = 2 / math.sqrt(math.pi)
    d2_bar = N2_bar * 0.5 * (t_8 * math.exp(-(t_4 * t_4))) / 1.4142135623730951
    # line 7: N1 = 0.5 * (1 + math.erf(d1 / math.sqrt(2)))
    d1_bar = S * 0.5 * (t_8 * math.exp(-(t_3 * t_3))) / 1.4142135623730951
    # line 6: d2 = d1 - sigma * sqrt_T
    d1_bar = d1_bar + d2_bar
    # line 5: d1 = (math.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt_T)
    t_9 = d1_bar / t_2
    t_10 = -d2_bar - t_9 * d1
    sqrt_T_bar = t_10 * sigma
    t_11 = t_9 * T
    T_bar = t_9 * t_1 - t_7 * r
    r_bar = t_11 - t_7 * T
    sigma_bar = t_10 * sqrt_T + t_11 * sigma
    t_12 = t_9 / t / K
    S_bar = N1 + t_12
    K_bar = K_bar - t_12 * t
    # line 4: sqrt_T = math.sqrt(T)
    T_bar = T_bar + sqrt_T_bar / (2 * sqrt_T)
    return S_bar, K_bar, T_bar, r_bar, sigma_bar
