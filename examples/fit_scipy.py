"""Fit a damped oscillation to noisy data with scipy.optimize.minimize,
srcgrad's gradient as the Jacobian of the loss: `python examples/fit_scipy.py`."""

import numpy as np
from scipy.optimize import minimize

import srcgrad


def loss(amplitude, decay, frequency, t, y):
    """Sum of squared residuals of amplitude * exp(-decay t) * cos(frequency t)."""
    model = amplitude * np.exp(-decay * t) * np.cos(frequency * t)
    residual = model - y
    return np.sum(residual * residual)


loss_and_grad = srcgrad.value_and_grad(loss, wrt=(0, 1, 2))


def objective(parameters, t, y):
    """What scipy asks for: the loss and its gradient as an array."""
    value, gradient = loss_and_grad(*map(float, parameters), t, y)
    return value, np.array(gradient)


def fit(seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 10.0, 200)
    truth = (2.0, 0.3, 1.7)
    y = truth[0] * np.exp(-truth[1] * t) * np.cos(truth[2] * t)
    y = y + 0.05 * rng.standard_normal(t.size)
    result = minimize(
        objective, x0=[1.0, 0.1, 1.5], args=(t, y), jac=True, method="BFGS"
    )
    return truth, result


if __name__ == "__main__":
    truth, result = fit()
    print("converged:", result.success, "in", result.nit, "iterations")
    for name, true, found in zip(("amplitude", "decay", "frequency"), truth, result.x):
        print(f"{name:10} true {true:.3f}  fitted {found:.3f}")
