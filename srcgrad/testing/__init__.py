"""Test your gradients: ``check_grads``, and Hypothesis strategies.

``check_grads(f, args)`` computes ``f``'s derivatives at ``args`` with
srcgrad and compares them with references computed another way: central
finite differences of ``f`` (or of its gradient), and, between forward and
reverse mode, the dot-product identity ``jvp(f, x, u) = <grad f(x), u>``.
A mismatch is an ``AssertionError`` naming the check, the input, both
values, the error and the tolerance, so it reads well in a pytest report.

Strategies for the points to check at (floats away from kinks and the
edges of a domain, arrays of shapes that broadcast together) are in
``srcgrad.testing.strategies``, which needs Hypothesis; this package and
``check_grads`` need only NumPy. See docs/testing.md.
"""

from srcgrad.testing.checks import check_grads

__all__ = ["check_grads"]
