"""A gradient is a plain function: it pickles, runs in worker processes,
and shows its own lines in tracebacks, ``pdb`` and ``inspect``."""

from __future__ import annotations

import importlib
import inspect
import linecache
import math
import multiprocessing
import pickle
import sys
import traceback

import pytest
from hypothesis import given
from hypothesis import strategies as st

import srcgrad
from srcgrad.reference import Reference

MODEL = """
import math

import srcgrad

GRAVITY = 9.81


def energy(x, k=2.0):
    return k * math.sin(x) * x + GRAVITY * x


@srcgrad.grad(wrt=("x", "y"))
def decorated(x, y):
    return x * x * y


def make(scale):
    def scaled(x):
        return scale * x * x

    return scaled
"""


@pytest.fixture
def model(tmp_path, monkeypatch):
    """A module in a file, importable by name (also in a spawned worker)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "plain_model.py").write_text(MODEL)
    yield importlib.import_module("plain_model")
    sys.modules.pop("plain_model", None)


def _energy_grad(x: float) -> float:
    return 2.0 * (math.cos(x) * x + math.sin(x)) + 9.81


def test_a_gradient_pickles_to_itself(model):
    g = srcgrad.grad(model.energy)
    again = srcgrad.grad(model.energy)  # a second live gradient of the same
    assert pickle.loads(pickle.dumps(g)) is g
    assert pickle.loads(pickle.dumps(again)) is again
    assert pickle.loads(pickle.dumps(model.decorated)) is model.decorated


def test_a_pickled_gradient_is_rebuilt_where_it_is_not_alive(model):
    g = srcgrad.grad(model.energy)
    data = pickle.dumps(g)
    decorated = pickle.dumps(model.decorated)
    del g
    rebuilt = pickle.loads(data)
    assert rebuilt(0.7) == pytest.approx(_energy_grad(0.7), rel=1e-15)
    assert pickle.loads(decorated) is model.decorated


def test_a_gradient_of_a_local_function_says_why_it_cannot_be_rebuilt(model):
    name = srcgrad.grad(model.make(3.0)).__qualname__  # dropped at once
    from srcgrad import gradients

    with pytest.raises(AttributeError, match="defined inside functions"):
        getattr(gradients, name)


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_gradients_run_in_a_multiprocessing_pool(model, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")  # fork: not on Windows
    g = srcgrad.grad(model.energy)
    points = [0.1, 0.5, 2.0]
    with multiprocessing.get_context(method).Pool(2) as pool:
        assert pool.map(g, points) == [g(x) for x in points]
        assert pool.starmap(model.decorated, [(1.5, 2.0)]) == [(6.0, 2.25)]


def test_tracebacks_and_pdb_show_the_printed_lines_at_their_numbers(model):
    g = srcgrad.grad(model.energy)
    printed = srcgrad.source(g).splitlines()
    with pytest.raises(ValueError) as raised:  # math.cos(inf), in the gradient
        g(math.inf)
    frame = traceback.extract_tb(raised.value.__traceback__)[-1]
    assert frame.filename == g.__code__.co_filename
    assert frame.line == printed[frame.lineno - 1].strip()
    # pdb reads lines through linecache, by the code's line numbers.
    first = g.__code__.co_firstlineno
    assert printed[first - 1].startswith("def energy_grad(x, k=2.0):")
    assert linecache.getline(g.__code__.co_filename, first) == printed[first - 1] + "\n"


def test_inspect_getsource_gives_the_gradients_own_code(model):
    g = srcgrad.grad(model.energy)
    source = srcgrad.source(g)
    own = inspect.getsource(g)
    assert own.startswith("def energy_grad(")
    assert source.endswith(own)


def test_the_printed_source_runs_given_the_globals_it_names(model):
    g = srcgrad.grad(model.energy)
    assert g.__srcgrad__.reads == ("GRAVITY",)
    namespace = {name: getattr(model, name) for name in g.__srcgrad__.reads}
    exec(srcgrad.source(g), namespace)
    assert namespace["energy_grad"](0.3) == g(0.3)
    closure_grad = srcgrad.grad(model.make(3.0))
    assert closure_grad.__srcgrad__.reads == ("scale",)


NAMES = st.text(
    st.characters(blacklist_characters="\0"), min_size=1
)  # NUL: never in a name


@given(
    NAMES,
    NAMES,
    st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]*", fullmatch=True), min_size=1),
    st.booleans(),
    st.none() | st.integers(2, 10**6),
    st.booleans(),
    st.booleans(),
)
def test_a_gradients_name_decodes_to_what_it_is_the_gradient_of(
    module, qualname, wrt, as_tuple, instance, with_value, has_aux
):
    reference = Reference(module, qualname, tuple(wrt), as_tuple, with_value, has_aux)
    name = reference.encode(instance)
    # Pickle splits a qualified name at dots; none may be left in it. What
    # precedes "@" is what messages show: the primal's name and "_grad".
    assert "." not in name and "\n" not in name
    readable, _, _ = name.partition("@")
    assert readable.isidentifier() and readable.endswith("_grad")
    assert Reference.decode(name) == reference


def test_a_gradient_of_a_function_its_module_no_longer_holds_does_not_pickle(model):
    # Another process would import the module and differentiate whatever
    # `energy` is there now: refuse, as pickle refuses a stale function.
    g = srcgrad.grad(model.energy)
    assert pickle.loads(pickle.dumps(g)) is g
    model.energy = lambda x, k=2.0: x  # rebound (a reload does the same)
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(g)
    from srcgrad import gradients

    with pytest.raises(AttributeError, match="no longer holds"):
        getattr(gradients, g.__qualname__)


def test_a_gradient_reads_well_in_messages_and_pickles_with_every_protocol(model):
    g = srcgrad.grad(model.energy)
    assert repr(g).startswith("<function energy_grad@")
    with pytest.raises(TypeError, match=r"^energy_grad@\S+\(\) missing"):
        g()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(g, protocol=protocol)) is g
