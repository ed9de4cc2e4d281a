"""Fit a pendulum's damping to a measured swing, differentiating through
500 steps of its simulation: `python examples/pendulum_fit.py`."""

import math

import numpy as np

import srcgrad

STEPS = 500
DT = 0.01


def simulate(damping, theta=1.0, omega=0.0):
    """The angle at each step (semi-implicit Euler)."""
    angles = []
    for _ in range(STEPS):
        omega = omega - DT * (9.81 * math.sin(theta) + damping * omega)
        theta = theta + DT * omega
        angles.append(theta)
    return np.array(angles)


def misfit(damping, measured):
    """Sum of squared differences between the simulated and measured angles."""
    theta, omega = 1.0, 0.0
    total = 0.0
    for k in range(STEPS):
        omega = omega - DT * (9.81 * math.sin(theta) + damping * omega)
        theta = theta + DT * omega
        total = total + (theta - measured[k]) ** 2
    return total


slope = srcgrad.grad(misfit)
curvature = srcgrad.hessian(misfit)


def fit(true_damping=0.35, guess=0.1, iterations=8):
    """Newton's method on the misfit, from ``guess``."""
    measured = simulate(true_damping)
    damping = guess
    for _ in range(iterations):
        damping -= slope(damping, measured) / curvature(damping, measured)
    return damping, misfit(damping, measured)


if __name__ == "__main__":
    damping, remaining = fit()
    print(f"fitted damping {damping:.6f} (true 0.35), misfit {remaining:.2e}")
