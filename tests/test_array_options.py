"""How NumPy calls with options are read: by keyword, or by position in
NumPy's order (``np.var(x, 0, None, None, 1)``: axis, dtype, out, ddof),
other names of the same function (``np.amax``), and ``np.linalg``'s
functions however they are imported.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define

import srcgrad
from srcgrad.cli import main


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("np.sum(x, 1, None, None, True)", "np.sum(x, axis=1, keepdims=True)"),
        ("x.mean(0, None, None, True)", "x.mean(axis=0, keepdims=True)"),
        ("np.mean(x, -1, None)", "np.mean(x, axis=-1)"),
        ("np.var(x, 0, None, None, 1)", "np.var(x, axis=0, ddof=1)"),
        ("x.std(1, None, None, 1, True)", "x.std(axis=1, ddof=1, keepdims=True)"),
        ("x.max(0, None, True)", "x.max(axis=0, keepdims=True)"),
        ("np.amin(x, -1, None, True)", "np.min(x, axis=-1, keepdims=True)"),
        ("np.prod(x, 1, None)", "np.prod(x, axis=1)"),
        ("np.cumsum(x, 1, None, None)", "np.cumsum(x, axis=1)"),
        (
            "np.linalg.norm(x, 1, 0, True)",
            "np.linalg.norm(x, ord=1, axis=0, keepdims=True)",
        ),
    ],
)
def test_options_by_position_in_numpys_order(written, meant):
    f = define(f"def f(x):\n    return np.sum(np.sin({written}))\n")
    x = distinct((3, 4), 2)
    check_gradient(f, (x,), (0,))
    assert meant in srcgrad.source(srcgrad.grad(f), x)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # NumPy reads the third argument as a dtype, and raises for True.
        ("np.sum(x, 0, True)", "argument 'dtype' of np.sum is not supported"),
        ("np.mean(x, 0, None, x)", "argument 'out' of np.mean is not supported"),
        (
            "np.sum(x, 0, None, None, True, 1)",
            "np.sum got too many positional arguments",
        ),
        ("np.sum(x, initial=0.0)", "argument 'initial' of np.sum is not supported"),
        ("np.var(x, 0, None, x)", "argument 'out' of np.var is not supported"),
        ("np.max(x, 0, None, True, 1)", "np.max got too many positional arguments"),
        ("np.max(x, where=x > 0)", "argument 'where' of np.max is not supported"),
        ("np.var(x, correction=1)", "argument 'correction' of np.var"),
        ("np.var(x, ddof=True)", "ddof must be a number, not True"),
        ("np.cumsum(x, axis=(0, 1))", "np.cumsum takes one axis"),
        ("np.max(x, axis=2)", "axis 2 is out of bounds for an array of 2 axes"),
    ],
)
def test_options_srcgrad_or_numpy_refuses(call, message):
    f = define(f"def f(x):\n    return np.sum({call})\n")
    with pytest.raises(srcgrad.SrcgradError, match=message) as caught:
        srcgrad.grad(f)(np.ones((2, 3)))
    assert ":2:" in str(caught.value)  # at the call, on its line


LINALG_IMPORTS = {
    "np.linalg.norm(x)": {},
    "la.norm(x)": {"la": np.linalg},
    "norm(x)": {"norm": np.linalg.norm},
    "linalg.norm(x)": {"linalg": np.linalg},
}


@pytest.mark.parametrize("call", LINALG_IMPORTS)
def test_linalg_norm_however_imported_is_written_np_linalg_norm(call):
    f = define(f"def f(x):\n    return {call} ** 3\n", **LINALG_IMPORTS[call])
    x = distinct((2, 3), 4)
    check_gradient(f, (x,), (0,))
    assert "np.linalg.norm(x)" in srcgrad.source(srcgrad.grad(f), x)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        ("np.linalg.cond(a)", {}),
        ("la.cond(a)", {"la": np.linalg}),
        ("cond(a)", {"cond": np.linalg.cond}),
        ("linalg.cond(a)", {"linalg": np.linalg}),
    ],
)
def test_a_linalg_function_without_a_rule_is_computed_off_the_path_from_wrt(
    call, names
):
    f = define(f"def f(x, a):\n    return np.sum(x) * {call}\n", **names)
    x, a = np.array([0.5, 1.0, 2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])
    expected = np.full(3, np.linalg.cond(a))
    np.testing.assert_allclose(srcgrad.grad(f)(x, a), expected)
    assert "np.linalg.cond(a)" in srcgrad.source(srcgrad.grad(f), x, a)
    with pytest.raises(srcgrad.DifferentiationError, match="no derivative rule for"):
        srcgrad.grad(f, wrt=1)(x, a)


def test_show_reads_linalg_imports_without_running_the_file(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        "import numpy as np\n"
        "import numpy.linalg as la\n"
        "from numpy.linalg import cond\n\n\n"
        "def f(x, a):\n"
        "    return x * la.cond(a) + x * cond(a) + la.norm(x)\n"
    )
    assert main(["show", f"{path}::f"]) == 0
    out = capsys.readouterr().out
    assert "np.linalg.cond(a)" in out and "np.linalg.norm(x)" in out
