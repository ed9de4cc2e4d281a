"""Hypothesis strategies of products and linear algebra (see ``array_cases``).

Matrices to invert are kept well away from singular (``2 I`` plus numbers
under 1 in size), and sometimes have a negative determinant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from array_cases import Case, namespace_of, seeds, shapes, values, written
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

sides = st.integers(1, 3)


@st.composite
def matmul(draw):
    n, k, m = draw(st.tuples(sides, sides, sides))
    stacks = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2))
    a_stack, b_stack = stacks.input_shapes
    a_shape = (k,) if draw(st.booleans()) else (*a_stack, n, k)
    b_shape = (k,) if draw(st.booleans()) else (*b_stack, k, m)
    namespace = namespace_of(draw, "operator", "numpy")
    return Case("matmul", namespace, {}, tuple(values([a_shape, b_shape], draw(seeds))))


@st.composite
def dot(draw):
    # Of numbers np.dot is refused ("use * for numbers"), and beyond two
    # axes too (its rules there are not matmul's).
    n, k, m = draw(st.tuples(sides, sides, sides))
    a_shape = draw(st.sampled_from([(k,), (n, k)]))
    b_shape = draw(st.sampled_from([(k,), (k, m)]))
    namespace = namespace_of(draw, "numpy", "method")
    return Case("dot", namespace, {}, tuple(values([a_shape, b_shape], draw(seeds))))


@st.composite
def outer(draw):
    # Of two vectors: np.outer of arrays of more axes is refused.
    a, b = values([draw(shapes(max_dims=1)), draw(shapes(max_dims=1))], draw(seeds))
    return Case("outer", "numpy", {}, (a, b))


@st.composite
def inner(draw):
    last = draw(sides)
    a_shape = (*draw(shapes(min_dims=0, max_dims=2)), last)
    b_shape = (*draw(shapes(min_dims=0, max_dims=2)), last)
    return Case("inner", "numpy", {}, tuple(values([a_shape, b_shape], draw(seeds))))


@st.composite
def trace(draw):
    shape = draw(shapes(min_dims=2, max_dims=3))
    rank = len(shape)
    axis1, axis2 = draw(
        st.tuples(*[st.integers(-rank, rank - 1)] * 2).filter(
            lambda pair: pair[0] % rank != pair[1] % rank
        )
    )
    offset = draw(st.integers(-2, 2))
    namespace = namespace_of(draw, "numpy", "method")
    (x,) = values([shape], draw(seeds))
    attributes = written(offset=offset, axis1=axis1, axis2=axis2)
    return Case("trace", namespace, attributes, (x,))


@st.composite
def einsum(draw):
    """Random subscripts: one to three operands of up to three letters,
    repeats (diagonals) included, the output implicit or written out."""
    letters = "ijkl"
    count = draw(st.integers(1, 3))
    terms = [
        "".join(draw(st.lists(st.sampled_from(letters), max_size=3)))
        for _ in range(count)
    ]
    used = sorted(set("".join(terms)))
    text = ",".join(terms)
    if draw(st.booleans()):
        output = draw(st.permutations(used))
        kept = draw(st.integers(0, len(used)))
        text += "->" + "".join(output[:kept])
    sizes = {letter: draw(sides) for letter in letters}
    shapes_ = [tuple(sizes[letter] for letter in term) for term in terms]
    operands = [np.asarray(x) for x in values(shapes_, draw(seeds))]
    return Case("einsum", "numpy", {"subscripts": text}, tuple(operands))


def _square(draw: Callable[..., Any], stack: tuple, n: int, seed: int) -> Any:
    """Matrices ``2 I + M`` of ``stack + (n, n)``, ``|M|`` under 1 item by
    item: far from singular. One row is negated at times (a negative
    determinant)."""
    (small,) = values([(*stack, n, n)], seed, (-0.9 / n, 0.9 / n))
    matrices = 2 * np.eye(n) + small
    if draw(st.booleans()):
        matrices[..., 0, :] *= -1
    return matrices


@st.composite
def solve(draw):
    # b of one axis less than a stack of matrices is refused: NumPy 1 and
    # 2 read it differently.
    n = draw(sides)
    stacks = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2))
    a_stack, b_stack = stacks.input_shapes
    if draw(st.booleans()):
        a_stack, b_shape = (), (n,)
    else:
        b_shape = (*b_stack, n, draw(sides))
        if len(b_shape) == len(a_stack) + 1:
            b_shape = (1, *b_shape)
    seed = draw(seeds)
    a = _square(draw, a_stack, n, seed)
    (b,) = values([b_shape], seed + 1)
    return Case("solve", "numpy.linalg", {}, (a, b))


def _of_square(name: str) -> Any:
    @st.composite
    def strategy(draw):
        stack = draw(shapes(min_dims=0, max_dims=2))
        a = _square(draw, stack, draw(sides), draw(seeds))
        return Case(name, "numpy.linalg", {}, (a,))

    return strategy()


PRODUCTS = {
    "matmul": matmul(),
    "dot": dot(),
    "outer": outer(),
    "inner": inner(),
    "trace": trace(),
    "einsum": einsum(),
    "solve": solve(),
    "inv": _of_square("inv"),
    "det": _of_square("det"),
    "log_abs_det": _of_square("log_abs_det"),
}
