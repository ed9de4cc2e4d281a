import math
from srcgrad.runtime import has_arrays


def simulate_grad(theta0, damping, steps=500, dt=0.01, length=1.0):
    """Gradient of simulate with respect to theta0 and damping."""
    if (
        theta0.__class__ is not float
        or damping.__class__ is not float
        or steps.__class__ not in (float, int)
        or dt.__class__ not in (float, int)
        or length.__class__ not in (float, int)
        or GRAVITY.__class__ not in (float, int)
    ):
        if has_arrays(
            "simulate_grad",
            wrt={"theta0": theta0, "damping": damping},
            parameters={"steps": steps, "dt": dt, "length": length},
            globals={"GRAVITY": GRAVITY},
        ):
            return for_arrays(theta0, damping, steps, dt, length)
    # line 9: for _ in range(steps):
    theta_tape = []
    omega_tape = []
    # line 8: omega = 0.0
    theta, omega = theta0, 0.0
    # line 9: for _ in range(steps):
    for _ in range(steps):
        theta_tape.append(theta)
        omega_tape.append(omega)
        # line 10: alpha = -GRAVITY / length * math.sin(theta) - damping * omega
        t = -GRAVITY / length
        alpha = t * math.sin(theta) - damping * omega
        # line 11: theta = theta + dt * omega
        theta = theta + dt * omega
        # line 12: omega = omega + dt * alpha
        omega = omega + dt * alpha
    # line 13: return theta * theta + 0.5 * omega * omega
    theta_bar = 2.0 * theta
    # line 9: for _ in range(steps):
    omega_bar, damping_bar = omega, 0.0
    for theta, omega in zip(reversed(theta_tape), reversed(omega_tape)):
        # line 12: omega = omega + dt * alpha
        alpha_bar = omega_bar * dt
        # line 11: theta = theta + dt * omega
        omega_bar = omega_bar + theta_bar * dt
        # line 10: alpha = -GRAVITY / length * math.sin(theta) - damping * omega
        damping_bar = damping_bar - alpha_bar * omega
        omega_bar = omega_bar - alpha_bar * damping
        theta_bar = theta_bar + alpha_bar * t * math.cos(theta)
    return theta_bar, damping_bar
