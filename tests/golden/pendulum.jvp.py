import math
from srcgrad.runtime import has_arrays


def pendulum_jvp(theta, damping, *, theta_dot, damping_dot):
    """Value of pendulum, and its derivative along theta_dot, damping_dot."""
    if theta.__class__ is not float or damping.__class__ is not float:
        if has_arrays("pendulum_jvp", wrt={"theta": theta, "damping": damping}):
            return for_arrays(
                theta, damping, theta_dot=theta_dot, damping_dot=damping_dot
            )
    # line 2: omega = 0.0
    omega, omega_dot = 0.0, 0.0
    # line 3: for _ in range(100):
    for _ in range(100):
        # line 4: alpha = -9.81 * math.sin(theta) - damping * omega
        alpha = -9.81 * math.sin(theta) - damping * omega
        alpha_dot = -9.81 * (math.cos(theta) * theta_dot) - (
            omega * damping_dot + damping * omega_dot
        )
        # line 5: theta = theta + 0.01 * omega
        theta = theta + 0.01 * omega
        theta_dot = theta_dot + 0.01 * omega_dot
        # line 6: omega = omega + 0.01 * alpha
        omega = omega + 0.01 * alpha
        omega_dot = omega_dot + 0.01 * alpha_dot
    return theta, float(theta_dot)
