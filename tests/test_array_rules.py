"""The JVP and VJP rules of array primitives agree: <J u, v> = <u, J^T v>.

Reverse mode uses only the VJPs; the JVPs are checked against them by the
dot-product identity, as ``test_primitives.py`` checks those of numbers,
at points away from ties, with each rule built for the operands' shapes
and run as generated code.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import distinct
from rule_functions import rule_function

from srcgrad.ir.types import Array
from srcgrad.primitives import PRIMITIVES

#: (primitive, namespace, attributes, operand shapes).
CASES = [
    ("reduce_sum", "numpy", {"axis": (0, 2)}, [(2, 3, 4)]),
    ("reduce_mean", "method", {"axis": -1, "keepdims": True}, [(2, 3)]),
    ("reduce_max", "numpy", {"axis": 1}, [(3, 4)]),
    ("reduce_max", "method", {}, [(3, 4)]),
    ("reduce_max", "numpy", {"axis": (0, 2), "keepdims": True}, [(2, 3, 2)]),
    ("reduce_min", "numpy", {"axis": -1}, [(3, 4)]),
    ("reduce_prod", "numpy", {"axis": 0}, [(3, 4)]),
    ("reduce_prod", "method", {}, [(2, 3)]),
    ("reduce_var", "numpy", {"axis": 1, "ddof": 1}, [(3, 4)]),
    ("reduce_var", "method", {"keepdims": True}, [(3, 4)]),
    ("reduce_std", "numpy", {"axis": (0, 1)}, [(2, 3, 2)]),
    ("reduce_std", "method", {"axis": 0, "ddof": 1, "keepdims": True}, [(3, 2)]),
    ("cumsum", "numpy", {"axis": 1}, [(3, 4)]),
    ("cumsum", "method", {}, [(3, 4)]),
    ("flip", "numpy", {"axis": 0}, [(3, 2)]),
    ("norm", "numpy.linalg", {}, [(3, 4)]),
    ("norm", "numpy.linalg", {"axis": 1, "keepdims": True}, [(3, 4)]),
    ("norm", "numpy.linalg", {"ord": 1, "axis": 0}, [(3, 4)]),
    ("norm", "numpy.linalg", {"ord": "fro", "axis": (0, 2)}, [(2, 3, 2)]),
    ("maximum", "numpy", {}, [(3, 4), (3, 4)]),
    ("minimum", "numpy", {}, [(3, 4), (3, 4)]),
    ("logaddexp", "numpy", {}, [(3, 4), (3, 4)]),
    ("where", "numpy", {}, [(3, 4), (3, 4), (3, 4)]),
    ("clip", "numpy", {"written": ((None, "lo"), (None, "hi"))}, [(5,)] * 3),
    ("clip", "method", {"written": ((None, "none"), ("max", "hi"))}, [(5,)] * 2),
    ("clip", "numpy", {"written": (("a_min", "lo"), ("a_max", "none"))}, [(5,)] * 2),
]


def _case_id(case):
    name, namespace, attributes, _ = case
    options = ",".join(f"{key}={value}" for key, value in attributes.items())
    return f"{name}-{namespace}-{options}"


def _operands(name, shapes):
    values = [distinct(shape, seed) for seed, shape in enumerate(shapes)]
    if name == "reduce_prod":
        values[0].flat[1] = 0.0  # the product of the others, at a zero
    if name == "where":
        values[0] = values[0] > 0
    if name == "clip":  # bounds about 0.1 from x, and often between its items
        values[1:] = [value * 2 + 0.05 for value in values[1:]]
    return values


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_jvp_and_vjp_agree_by_dot_product(case):
    name, namespace, attributes, shapes = case
    primitive = PRIMITIVES[name]
    types = [Array("real", shape) for shape in shapes]
    if name == "where":
        types[0] = Array("bool", shapes[0])
    arity = len(shapes)
    options = {"types": types, "attributes": attributes}
    vjp = rule_function(primitive, namespace, arity, "vjp", **options)
    jvp = rule_function(primitive, namespace, arity, "jvp", **options)
    primal = rule_function(primitive, namespace, arity, "primal", **options)
    rng = np.random.default_rng(5)
    x = _operands(name, shapes)
    (out,) = primal(*x)
    u = [rng.normal(size=shape) for shape in shapes]
    v = rng.normal(size=np.shape(out))
    (tangent,) = jvp(*x, *u)
    cotangents = vjp(*x, v)
    assert np.shape(tangent) == np.shape(out)
    for cotangent, shape in zip(cotangents, shapes, strict=True):
        assert np.broadcast_shapes(np.shape(cotangent), shape) == shape
    forward = float(np.sum(tangent * v))
    reverse = sum(float(np.sum(ui * ci)) for ui, ci in zip(u, cotangents, strict=True))
    assert forward == pytest.approx(reverse, rel=1e-12, abs=1e-12)
