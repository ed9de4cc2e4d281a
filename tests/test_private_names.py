"""Names Python mangles inside a class, and gradients that cannot be pickled."""

from __future__ import annotations

import pickle

import pytest
from helpers import define

import srcgrad

CLASS = """
__scale = 3.0
_Model__scale = 7.0


class Model:
    @staticmethod
    def scaled(x):
        return x * __scale

    @staticmethod
    def private_parameter(__x, y=2.0):
        return __x * __x * y
"""


def test_a_private_global_is_read_as_python_reads_it_in_a_class():
    model = define(CLASS, "Model")
    assert model.scaled(1.0) == 7.0  # Python reads _Model__scale
    assert srcgrad.grad(model.scaled)(1.0) == 7.0


def test_a_private_parameter_is_differentiated_under_its_mangled_name():
    model = define(CLASS, "Model")
    g = srcgrad.grad(model.private_parameter)
    assert g(3.0) == 12.0
    assert "_Model__x_bar" in srcgrad.source(g)


def test_a_gradient_of_a_local_function_or_lambda_does_not_pickle():
    # Its name is unique only in this process: another process could give
    # it to a different gradient (a factory's other copy), so refuse.
    make = define(
        "def make(k):\n    def inner(x):\n        return x * k\n    return inner\n",
        "make",
    )
    twice = define("double = lambda x: x * 2.0\n", "double")
    for gradient in (srcgrad.grad(make(9.0)), srcgrad.grad(twice)):
        with pytest.raises(pickle.PicklingError):
            pickle.dumps(gradient)
