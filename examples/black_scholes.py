"""Black-Scholes Greeks by differentiating the price: `python examples/black_scholes.py`.

Delta, vega, rho and theta are first derivatives of the call's price;
gamma is a second derivative (srcgrad.hessian). Each is printed beside
its closed form.
"""

import math

import srcgrad


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def call_price(spot, strike, rate, volatility, maturity):
    """A European call's price under Black-Scholes."""
    root = volatility * math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility**2) * maturity) / root
    d2 = d1 - root
    discount = math.exp(-rate * maturity)
    return spot * normal_cdf(d1) - strike * discount * normal_cdf(d2)


greeks = srcgrad.grad(call_price, wrt=("spot", "volatility", "rate", "maturity"))
gamma = srcgrad.hessian(call_price, wrt="spot")


def closed_form(spot, strike, rate, volatility, maturity):
    """The textbook Greeks, to compare with."""
    root = volatility * math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility**2) * maturity) / root
    d2 = d1 - root
    density = math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi)
    discount = math.exp(-rate * maturity)
    return {
        "delta": normal_cdf(d1),
        "vega": spot * density * math.sqrt(maturity),
        "rho": strike * maturity * discount * normal_cdf(d2),
        "theta": spot * density * volatility / (2 * math.sqrt(maturity))
        + rate * strike * discount * normal_cdf(d2),
        "gamma": density / (spot * root),
    }


def all_greeks(spot, strike, rate, volatility, maturity):
    """srcgrad's Greeks (theta as the price's rate of change with maturity)."""
    delta, vega, rho, theta = greeks(spot, strike, rate, volatility, maturity)
    return {
        "delta": delta,
        "vega": vega,
        "rho": rho,
        "theta": theta,
        "gamma": gamma(spot, strike, rate, volatility, maturity),
    }


if __name__ == "__main__":
    market = dict(spot=100.0, strike=105.0, rate=0.03, volatility=0.2, maturity=0.75)
    print(f"price {call_price(**market):.6f}")
    exact = closed_form(**market)
    for name, value in all_greeks(**market).items():
        print(f"{name:6} srcgrad {value: .12f}  closed form {exact[name]: .12f}")
