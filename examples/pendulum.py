"""The energy of a pendulum, and its gradient with respect to the state."""

import math

import srcgrad

GRAVITY = 9.81


def energy(theta, omega, length=1.0):
    """Kinetic plus potential energy of a pendulum of unit mass."""
    kinetic = 0.5 * (length * omega) ** 2
    potential = GRAVITY * length * (1 - math.cos(theta))
    return kinetic + potential


if __name__ == "__main__":
    energy_grad = srcgrad.grad(energy, wrt=("theta", "omega"))
    print("dE/dtheta, dE/domega at (0.3, 2.0):", energy_grad(0.3, 2.0))
    print()
    print(srcgrad.source(energy_grad))
