"""Newton's method with srcgrad.hessian: minimise Rosenbrock's function
from (-1.2, 1.0): `python examples/newton.py`."""

import numpy as np

import srcgrad


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


gradient = srcgrad.grad(rosenbrock, wrt=(0, 1))
hessian = srcgrad.hessian(rosenbrock, wrt=(0, 1))


def newton(x, y, tolerance=1e-12, limit=50):
    """Newton steps until the gradient is below ``tolerance``."""
    path = [(x, y)]
    for _ in range(limit):
        g = np.array(gradient(x, y))
        if np.linalg.norm(g) < tolerance:
            break
        H = np.array(hessian(x, y))
        dx, dy = np.linalg.solve(H, -g)
        x, y = x + dx, y + dy
        path.append((x, y))
    return path


if __name__ == "__main__":
    path = newton(-1.2, 1.0)
    for k, (x, y) in enumerate(path):
        print(f"{k:2}  x {x: .12f}  y {y: .12f}  f {rosenbrock(x, y):.3e}")
