"""``srcgrad show`` prints exactly what the live decorator builds.

Each file below (the test corpus, and realistic modules) is written to disk,
shown with ``srcgrad show FILE::NAME`` (parsed, never run), then imported as
a module and differentiated with ``srcgrad.grad`` (or by its own
``@srcgrad.grad`` decorator). What show printed for a function must be,
character for character, ``srcgrad.source`` of the live gradient; and the
whole-file ``srcgrad show FILE`` must hold each of those definitions.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import CORPUS

import srcgrad
from srcgrad.cli import main

_modules = itertools.count()


@dataclass(frozen=True)
class ShownFile:
    """A module's text and, per function, the ``wrt`` to differentiate."""

    name: str
    text: str
    wrt: dict[str, tuple[str, ...] | str | None]  # None: its own decorator
    encoding: str = "utf-8"


PENDULUM = ShownFile(
    "pendulum",
    '''
    """A pendulum's energy and period."""
    import math
    from math import pi, sqrt

    GRAVITY = 9.81
    LENGTH = 1.5


    def energy(theta, omega, m=1.0):
        kinetic = 0.5 * m * (LENGTH * omega) ** 2
        potential = m * GRAVITY * LENGTH * (1 - math.cos(theta))
        return kinetic + potential


    def period(length):
        return 2 * pi * sqrt(length / GRAVITY)
    ''',
    {"energy": ("theta", "omega", "m"), "period": "length"},
)

BLACK_SCHOLES = ShownFile(
    "black_scholes",
    """
    from math import erf, exp, log, sqrt

    try:
        import srcgrad
    except ImportError:  # the model still runs without srcgrad
        srcgrad = None


    @srcgrad.grad(wrt=("S", "K", "T", "r", "sigma"))
    def call_price(S, K, T, r, sigma):
        d1 = (log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt(T))
        d2 = d1 - sigma * sqrt(T)
        cdf1 = 0.5 * (1 + erf(d1 / sqrt(2)))
        cdf2 = 0.5 * (1 + erf(d2 / sqrt(2)))
        return S * cdf1 - K * exp(-r * T) * cdf2
    """,
    {"call_price": None},
)

TWO_BODY = ShownFile(
    "two_body",
    """
    import numpy as np

    G = 6.674e-11


    def potential(m1, m2, x1, y1, x2, y2):
        r = np.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2)
        return -G * m1 * m2 / r


    def force_law(m1, m2, r):
        return G * m1 * m2 / r**2
    """,
    {"potential": ("x1", "y1", "x2", "y2"), "force_law": ("m1", "m2", "r")},
)

ALIASES = ShownFile(
    "aliases",
    """
    import math
    import math as m
    import numpy as np
    from math import pi as PI
    from numpy import exp

    from srcgrad import grad

    fn = math.sin
    sq = np.sqrt
    cosine = m.cos
    TAU = 2 * math.pi


    def wave(t, *, amplitude=2.0, phase=0.25):
        return amplitude * fn(TAU * t + phase) + sq(t) * cosine(PI * t)


    @grad(wrt="x")
    def decay(x, rate=0.5):
        return exp(-rate * x) * math.pi + np.e
    """,
    {"wave": ("t", "amplitude", "phase"), "decay": None},
)

GUARDED_IMPORTS = ShownFile(
    "guarded",
    """
    from __future__ import annotations

    import typing

    try:
        import numpy as np
    except ImportError:
        np = None

    try:
        from numpy import log1p
    except ImportError:
        from math import log1p

    if typing.TYPE_CHECKING:
        from collections.abc import Sequence


    def softplus(x: float, beta: float = 1.0) -> float:
        return log1p(np.exp(beta * x)) / beta
    """,
    {"softplus": ("x", "beta")},
)

LATIN_1 = ShownFile(
    "latin",
    """
    # -*- coding: latin-1 -*-
    \"\"\"Énergie d'un ressort.\"\"\"
    RAIDEUR = 3.0  # constante de raideur (N/m)


    def énergie(x, à=0.5):
        return à * RAIDEUR * x * x  # ½ k x²
    """,
    {"énergie": ("x", "à")},
    encoding="latin-1",
)

WITH_BOM = ShownFile(
    "bom",
    """
    import math


    def f(x):
        return math.atan(x) * 2  # « deux »
    """,
    {"f": "x"},
    encoding="utf-8-sig",
)

# A decorator builds the gradient when its `def` runs, from the names bound
# above it; the same name may mean another function further down.
REBOUND = ShownFile(
    "rebound",
    """
    import math

    import srcgrad

    fn = math.sin
    SCALE = 2.0


    @srcgrad.grad
    def early(x):
        return SCALE * fn(x)


    fn = math.cos


    @srcgrad.grad
    def late(x):
        return SCALE * fn(x)
    """,
    {"early": None, "late": None},
)

# Both sides of a swap are read before either name is rebound.
SWAPPED = ShownFile(
    "swapped",
    """
    import math

    import srcgrad

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        import numpy as math

    fn, gn = math.sin, math.cos
    fn, gn = gn, fn


    @srcgrad.grad
    def f(x):
        return 2 * fn(x) + gn(x)
    """,
    {"f": None},
)

#: Globals named like what the generated code would call its own values, and
#: globals of a helper that parameters of the function differentiated hide.
HIDDEN_NAMES = ShownFile(
    "hidden_names",
    """
    import math

    import srcgrad

    scale = 3.0
    saved = 0.5
    f_grad = 2.0


    def helper(t):
        return t * scale + math.sin(t) * saved


    def smooth(t, u):
        for i in range(20):
            t = math.sin(t) * f_grad + u * saved * 0.1
        return t * scale


    @srcgrad.grad(wrt=("x", "scale"))
    def f(x, scale):
        return helper(x) * scale + smooth(x, scale) * f_grad
    """,
    {"f": None},
)

# A decorator sees the helper defined above it, though the name is bound to
# another function later; and the helper reads its names as they are then.
REBOUND_HELPER = ShownFile(
    "rebound_helper",
    """
    import math

    import srcgrad

    fn = math.sin


    def helper(t):
        return fn(t) * t


    @srcgrad.grad
    def early(x):
        return helper(x)


    def helper(t):
        return t * t * t


    fn = math.cos
    """,
    {"early": None},
)

# Functions bound by assignment: a lambda, and other names for functions.
# `FILE::sq` shows the lambda as grad(module.sq) builds it.
LAMBDAS = ShownFile(
    "lambdas",
    """
    import math

    sq = lambda t, k=2.0: k * t * t
    wave = lambda t: math.sin(t) * sq(t)


    def helper(t):
        return math.exp(t) * t


    alias = helper
    also, twice = sq, lambda t: 2.0 * t


    def f(x):
        return sq(x) + alias(x) + also(x, 3.0) + wave(x) + twice(x)
    """,
    {"f": "x", "sq": ("t", "k"), "wave": "t", "alias": "t", "twice": "t"},
)

#: Every way a name used by a function can be bound: (top level, expression).
BINDINGS = (
    ("import math", "math.pi * x + math.sin(x)"),
    ("import math as m", "m.e * x + m.cos(x)"),
    ("from math import pi", "pi * x"),
    ("from math import pi as PI, sin as s", "PI * s(x)"),
    ("from numpy import pi", "pi * x"),
    ("import numpy as np", "np.pi * x + np.e * np.sin(x)"),
    ("import numpy", "numpy.sin(x) * numpy.pi"),
    ("from numpy import exp as e", "e(x)"),
    ("from math import *", "sin(x) * pi + e * x"),
    ("from numpy import *", "sin(x) * pi + e * x"),
    ("", "abs(x) + pow(x, 2)"),
    ("from math import pow", "pow(x, 2)"),
    ("P = 2.5", "P * x"),
    ("X: float = 2.0", "X * x"),
    ("A, B = 1.0, 2.0", "A * B * x"),
    ("import math\nP = math.pi", "P * x"),
    ("import math\nTAU = 2 * math.pi", "TAU * x"),
    ("import math\nfn = math.sin", "fn(x)"),
    ("import numpy as np\nfn = np.sin", "fn(x)"),
    ("import math as m\nmm = m", "mm.cos(x)"),
    ("import math\nA = B = math.exp", "A(x) + B(x)"),
    ("import math\nK = 3.0\nK *= 2", "K * math.sin(x)"),
)

BINDING_FILES = tuple(
    ShownFile(
        f"binding_{number}",
        f"{top_level}\n\n\ndef f(x):\n    return {expression}\n",
        {"f": "x"},
    )
    for number, (top_level, expression) in enumerate(BINDINGS)
)

CORPUS_FILES = tuple(
    ShownFile(f"corpus_{case.name}", case.source, {"f": case.wrt}) for case in CORPUS
)

FILES = (
    *CORPUS_FILES,
    *BINDING_FILES,
    PENDULUM,
    BLACK_SCHOLES,
    TWO_BODY,
    ALIASES,
    GUARDED_IMPORTS,
    LATIN_1,
    WITH_BOM,
    REBOUND,
    REBOUND_HELPER,
    LAMBDAS,
    SWAPPED,
    HIDDEN_NAMES,
)


def _write(file: ShownFile, directory) -> str:
    path = directory / f"{file.name}_{next(_modules)}.py"
    text = textwrap.dedent(file.text).lstrip("\n")
    path.write_bytes(text.encode(file.encoding))
    return str(path)


def _import(path: str, name: str | None = None):
    """Import the file at ``path`` as a module (by default, a fresh name)."""
    name = name or f"shown_{next(_modules)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _show(capsys, *arguments: str) -> str:
    assert main(["show", *arguments]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _options(wrt: tuple[str, ...] | str | None) -> list[str]:
    """``--wrt`` as ``grad(wrt=...)``; none for a function's own decorator."""
    if wrt is None:
        return []
    # `--wrt x,y,` is a tuple, as grad(wrt=("x", "y")); `--wrt x` one name.
    return ["--wrt", wrt if isinstance(wrt, str) else ",".join(wrt) + ","]


@pytest.mark.parametrize("file", FILES, ids=lambda file: file.name)
def test_show_prints_what_the_decorator_builds(file, tmp_path, capsys):
    _assert_show_matches_live(file, tmp_path, capsys)


@pytest.mark.parametrize("dots", ["", "."])
def test_a_number_from_another_module_is_read_when_the_gradient_runs(
    tmp_path, capsys, monkeypatch, dots
):
    package = tmp_path / "physics"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "nature.py").write_text("G = 6.674e-11\n")
    monkeypatch.syspath_prepend(str(tmp_path if dots else package))
    gravity = ShownFile(
        "gravity",
        f"""
        from {dots}nature import G


        def force(m1, m2, r):
            return G * m1 * m2 / r**2
        """,
        {"force": "r"},
    )
    out = _assert_show_matches_live(
        gravity, package, capsys, "physics" if dots else None
    )
    assert "G * m1 * m2" in out


def _assert_show_matches_live(
    file: ShownFile, directory, capsys, package: str | None = None
) -> str:
    """Show each function of ``file`` alone, and the whole file; compare each
    with the live gradient (importing the file into ``package`` if given).
    Returns what show printed for the whole file."""
    path = _write(file, directory)
    module_name = f"{package}.{Path(path).stem}" if package else None
    shown = {
        name: _show(capsys, f"{path}::{name}", *_options(wrt))
        for name, wrt in file.wrt.items()
    }
    module = _import(path, module_name)
    for name, wrt in file.wrt.items():
        function = getattr(module, name)
        gradient = function if wrt is None else srcgrad.grad(function, wrt=wrt)
        assert shown[name] == srcgrad.source(gradient), name
    if len(set(file.wrt.values())) != 1:
        return ""
    whole = _show(capsys, path, *_options(next(iter(file.wrt.values()))))
    _assert_holds_each(whole, shown.values())
    return whole


def test_the_whole_file_holds_each_function_as_shown_alone(tmp_path, capsys):
    path = _write(TWO_BODY, tmp_path)
    whole = _show(capsys, path, "--wrt", "m1,m2")
    alone = [
        _show(capsys, f"{path}::{name}", "--wrt", "m1,m2")
        for name in ("potential", "force_law")
    ]
    _assert_holds_each(whole, alone)
    assert whole.startswith(
        "import numpy as np\nfrom srcgrad.runtime import has_arrays\n\n\n"
        "def potential_grad("
    )


def _assert_holds_each(whole: str, alone) -> None:
    """The module show prints holds each function's definition, in order."""
    definitions = [text[text.index("def ") :].rstrip("\n") for text in alone]
    position = 0
    for definition in definitions:
        position = whole.index(definition, position) + len(definition)


def test_module_constants_keep_their_names(tmp_path, capsys):
    path = _write(TWO_BODY, tmp_path)
    out = _show(capsys, f"{path}::force_law", "--wrt", "r")
    assert "G * m1 * m2" in out and "6.674e-11" not in out
    module = _import(path)
    gradient = srcgrad.grad(module.force_law, wrt="r")
    # Read when the gradient runs: rebinding G changes the gradient.
    before = gradient(2.0, 3.0, 4.0)
    module.G = 1.0
    assert gradient(2.0, 3.0, 4.0) == pytest.approx(before / 6.674e-11)
    assert before == pytest.approx(-2 * 6.674e-11 * 2.0 * 3.0 / 4.0**3)


def _assert_same_error(file: ShownFile, name: str, directory, capsys) -> str:
    """``srcgrad show FILE::NAME`` fails with the very error (message, place,
    caret) that ``srcgrad.grad`` raises for the imported function; returns it."""
    path = _write(file, directory)
    assert main(["show", f"{path}::{name}"]) == 1
    shown = capsys.readouterr()
    assert shown.out == ""
    with pytest.raises(srcgrad.SrcgradError) as raised:
        srcgrad.grad(getattr(_import(path), name))
    assert shown.err == f"srcgrad: {raised.value}\n"
    return shown.err


ASYNC = ShownFile(
    "asynchronous",
    """
    async def helper(t):
        return t * t


    def f(x):
        return helper(x)


    async def g(x):  # a coroutine function
        return x
    """,
    {},
)


@pytest.mark.parametrize("name", ["f", "g"])
def test_an_async_def_is_refused_as_grad_refuses_it(tmp_path, capsys, name):
    err = _assert_same_error(ASYNC, name, tmp_path, capsys)
    assert "is an `async def`; srcgrad differentiates plain functions" in err


@pytest.mark.parametrize("wrt", ['"y"', "1", '("x", "y")'])
def test_wrt_where_the_function_goes_is_the_error_grad_gives(tmp_path, capsys, wrt):
    file = ShownFile(
        "positional",
        f"""
        import srcgrad


        @srcgrad.grad({wrt})
        def f(x, y):
            return x * y
        """,
        {},
    )
    path = _write(file, tmp_path)
    assert main(["show", path]) == 1
    shown = capsys.readouterr()
    with pytest.raises(srcgrad.CallError) as raised:
        _import(path)  # the decorator raises as the module is imported
    assert shown.out == ""
    assert f"{path}:4:15: bad call: {raised.value.message}\n" in shown.err
    assert f"@srcgrad.grad(wrt={wrt.replace(chr(34), chr(39))})" in shown.err


def test_show_refuses_any_positional_argument_of_the_decorator(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        "import srcgrad\n\nWRT = 'x'\n\n\n@srcgrad.grad(WRT)\n"
        "def f(x):\n    return x\n"
    )
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:6:15: bad call: srcgrad.grad's positional argument is" in err


# What a call finds under each name, which grad refuses, and so must show.
REFUSED = ShownFile(
    "refused",
    """
    import srcgrad


    @srcgrad.grad
    def gradient(t):
        return t * t * t


    class Model:
        pass


    def helper(t):
        return t * t


    def calls_a_gradient(x):
        return gradient(x)


    def calls_a_class(x):
        return Model(x)


    def uses_a_function_as_a_number(x):
        return helper * x
    """,
    {},
)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "calls_a_gradient",
            "cannot call gradient: gradient is a derivative srcgrad generated",
        ),
        ("calls_a_class", "call to Model (a class) is not supported"),
        ("uses_a_function_as_a_number", "function helper is a function: srcgrad"),
    ],
)
def test_what_grad_refuses_to_call_show_refuses_alike(tmp_path, capsys, name, message):
    assert message in _assert_same_error(REFUSED, name, tmp_path, capsys)


DECORATED = ShownFile(
    "decorated",
    """
    import functools


    def doubled(function):
        def twice(t):
            return 2 * function(t)

        return twice


    def logged(function):
        @functools.wraps(function)
        def wrapper(t):
            print(t)
            return function(t)

        return wrapper


    @doubled
    def helper(t):
        return t * t


    @logged
    def kept(t):
        return t * t


    def f(x):
        return helper(x)


    def g(x):
        return kept(x)


    @doubled
    def h(x):
        return x * x
    """,
    {},
)


@pytest.mark.parametrize(
    ("name", "place", "column"),
    [("f", "return helper(x)", 12), ("g", "return kept(x)", 12), ("h", "def h(x)", 2)],
)
def test_a_function_under_a_decorator_is_never_read_from_its_def(
    tmp_path, capsys, name, place, column
):
    # The name holds what the decorator returned: twice live, not x * x.
    # Show cannot know that without running the file, so it refuses, where
    # it used to differentiate the undecorated body: a wrong gradient.
    path = _write(DECORATED, tmp_path)
    assert main(["show", f"{path}::{name}"]) == 1
    shown = capsys.readouterr()
    assert shown.out == ""
    lines = textwrap.dedent(DECORATED.text).lstrip("\n").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if place in text)
    line -= place == "def h(x)"  # the error points at the decorator above it
    assert shown.err.startswith(f"srcgrad: {path}:{line}:{column}: ")
    assert "is decorated with @doubled" in shown.err or "@logged" in shown.err
    assert "which srcgrad show cannot know without running the file" in shown.err
    module = _import(path)
    if name == "f":  # live reads the function the decorator returned
        assert srcgrad.grad(module.f)(3.0) == 12.0
    elif name == "g":  # ... and refuses one that says it wraps another
        with pytest.raises(srcgrad.SourceUnavailableError, match="wrapped"):
            srcgrad.grad(module.g)
