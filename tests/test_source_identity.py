"""The code differentiated is the code that runs.

Several lambdas on one line, a file edited after import, and equal code
objects in different places must each give the gradient of the function
passed, or a clear error: never the gradient of some other text.
"""

from __future__ import annotations

import ast
import importlib
import math
import sys

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad.codegen.load import register_source
from srcgrad.frontend import source as source_module

LINE_OF_LAMBDAS = """
import math

f, g = lambda x: x * 2.0, lambda x: x * 3.0
h, k = lambda x, y: x * y, lambda x, y: x + y
def d(x, k=lambda y: y * 5.0): return x * x
outer = lambda x: lambda y: x * y * y
twins = (lambda x: math.sin(x), lambda x: math.cos(x))
"""


@pytest.fixture(params=["positions", "compiled code only"])
def python_version_path(request, monkeypatch):
    """Run each lambda test as 3.11+ does it and as 3.10 (no co_positions) does."""
    if request.param == "compiled code only":
        monkeypatch.setattr(source_module, "_instruction_positions", lambda code: [])
    return request.param


def test_each_lambda_on_a_line_is_its_own(python_version_path):
    scope = _scope(LINE_OF_LAMBDAS)
    assert srcgrad.grad(scope["f"])(1.0) == 2.0
    assert srcgrad.grad(scope["g"])(1.0) == 3.0
    assert srcgrad.grad(scope["h"], wrt=1)(2.0, 5.0) == 2.0
    assert srcgrad.grad(scope["k"], wrt=1)(2.0, 5.0) == 1.0
    sin, cos = scope["twins"]
    assert srcgrad.grad(sin)(0.5) == math.cos(0.5)
    assert srcgrad.grad(cos)(0.5) == -math.sin(0.5)


def test_a_lambda_in_a_default_and_the_def_on_its_line(python_version_path):
    scope = _scope(LINE_OF_LAMBDAS)
    d = scope["d"]
    assert srcgrad.grad(d.__defaults__[0])(1.0) == 5.0
    assert srcgrad.grad(d)(3.0) == 6.0


def test_a_lambda_nested_in_a_lambda(python_version_path):
    scope = _scope(LINE_OF_LAMBDAS)
    inner = scope["outer"](3.0)
    assert srcgrad.grad(inner)(2.0) == 12.0  # d(3 y^2)/dy at y = 2


def _scope(text: str) -> dict:
    function = define(text + "\ndef anchor(x):\n    return x\n", "anchor")
    return function.__globals__


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name.startswith("edited_")]:
        del sys.modules[name]


def test_a_file_edited_after_import_is_refused(module_dir):
    path = module_dir / "edited_model.py"
    path.write_text("def energy(x):\n    return x * x\n")
    module = importlib.import_module("edited_model")
    path.write_text("def energy(x):\n    return x * x * x\n")  # saved, not reloaded
    with pytest.raises(srcgrad.SourceUnavailableError) as raised:
        srcgrad.grad(module.energy)
    message = str(raised.value)
    assert str(path) in message
    assert "changed since energy was defined" in message
    assert "reload" in message
    importlib.reload(module)
    assert srcgrad.grad(module.energy)(2.0) == 12.0


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        # Lines inserted above: linecache now holds other text at the old line.
        (
            "edited_shift",
            "def energy(x):\n    return x * 2.0\n",
            "def other(x):\n    return x * 7.0\n\n\n"
            "def energy(x):\n    return x * 2.0\n",
        ),
        (
            "edited_lambda",
            "energy = lambda x: x * 2.0\n",
            "energy = lambda x: x * 5.0\n",
        ),
        # Lines inserted above put a statement where the code says its
        # `def` starts: an edit, not a function defined some other way.
        (
            "edited_statements",
            "def energy(x):\n    return x * 2.0\n",
            "K = 1.0\nL = 2.0\ndef energy(x):\n    return x * 2.0\n",
        ),
        # ... or the middle of an expression, which does not parse alone.
        (
            "edited_expression",
            "import math\n\n\ndef energy(x):\n    return x * 2.0\n",
            "import math\nK = (\n    1.0,\n    2.0,\n)\n\n\n"
            "def energy(x):\n    return x * 2.0\n",
        ),
    ],
)
def test_other_edits_are_refused(module_dir, name, before, after):
    path = module_dir / f"{name}.py"
    path.write_text(before)
    module = importlib.import_module(name)
    path.write_text(after)
    with pytest.raises(srcgrad.SourceUnavailableError) as raised:
        srcgrad.grad(module.energy)
    assert f"{name}.py changed since " in raised.value.message
    assert "reload the module" in raised.value.message


def test_a_lambda_renamed_is_still_read_as_a_lambda():
    scope = _scope("scale = lambda x: x * 4.0\nscale.__name__ = 'scale'\n")
    assert srcgrad.grad(scope["scale"])(1.0) == 4.0


def test_closures_methods_and_imports_still_match_their_source(module_dir):
    # The recompiled text must see the same free variables, class mangling
    # and module imports as the original, or every such function would be
    # refused as edited.
    path = module_dir / "edited_none.py"
    path.write_text(
        "from __future__ import annotations\n\n"
        "import math\n"
        "from math import cos\n\n"
        "def make(k):\n"
        "    def f(x):\n"
        "        return k * math.sin(x) + cos(x)\n"
        "    return f\n\n"
        "class Model:\n"
        "    __scale = 3.0\n\n"
        "    @staticmethod\n"
        "    def energy(x: float) -> float:\n"
        "        return x * x\n\n"
        "    def private(self, x):\n"
        "        return x * self.__scale\n"
    )
    module = importlib.import_module("edited_none")
    f = module.make(2.0)
    assert srcgrad.grad(f)(0.3) == pytest.approx(2.0 * math.cos(0.3) - math.sin(0.3))
    assert srcgrad.grad(module.Model.energy)(3.0) == 6.0
    # Attribute access is outside the language, but the text must match.
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="attribute access"):
        srcgrad.grad(module.Model.private, wrt="x")


def test_a_method_naming_its_own_class_matches_its_source(module_dir):
    # Recompiled inside a wrapper function, `class Model:` made Model a
    # local there, and the method's read of it a closure: every such method
    # was refused as if its file had changed.
    path = module_dir / "edited_own_class.py"
    path.write_text(
        "import math\n\n"
        "class Model:\n"
        "    @staticmethod\n"
        "    def square(x):\n"
        "        return x * x\n\n"
        "    @staticmethod\n"
        "    def loss(x):\n"
        "        return Model.square(x) + math.sin(x)\n\n"
        "def make():\n"
        "    class Local:\n"
        "        @staticmethod\n"
        "        def loss(x):\n"
        "            return Local.__name__ * x\n"
        "    return Local\n"
    )
    module = importlib.import_module("edited_own_class")
    for method in (module.Model.loss, module.make().loss):
        with pytest.raises(srcgrad.UnsupportedSyntaxError, match="attribute access"):
            srcgrad.grad(method)


def test_a_deleted_file_is_named(module_dir):
    path = module_dir / "edited_gone.py"
    path.write_text("def energy(x):\n    return x * x\n")
    module = importlib.import_module("edited_gone")
    path.unlink()
    with pytest.raises(srcgrad.SourceUnavailableError) as raised:
        srcgrad.grad(module.energy)
    assert f"{path} no longer exists" in str(raised.value)


TWIN = """
SCALE = {scale}
A = {a}


def f(x, a=A):
    return a * x * x + SCALE * x
"""


def test_the_same_def_in_two_modules_keeps_its_own_signature_and_globals(module_dir):
    (module_dir / "edited_twin_one.py").write_text(TWIN.format(scale=1.0, a=2.0))
    (module_dir / "edited_twin_two.py").write_text(TWIN.format(scale=10.0, a=3.0))
    one = importlib.import_module("edited_twin_one").f
    two = importlib.import_module("edited_twin_two").f
    assert one.__code__ == two.__code__  # Python's code equality ignores the file
    g_one, g_two = srcgrad.grad(one), srcgrad.grad(two)
    assert g_one(1.0) == 2.0 * 2.0 + 1.0
    assert g_two(1.0) == 2.0 * 3.0 + 10.0
    assert "def f_grad(x, a=2.0):" in srcgrad.source(g_one)
    assert "def f_grad(x, a=3.0):" in srcgrad.source(g_two)
    assert "edited_twin_one" in g_one.__code__.co_filename
    assert "edited_twin_two" in g_two.__code__.co_filename


def test_functions_a_factory_makes_show_their_own_defaults():
    make = define("""
        def make(k, *, flag=None):
            def f(x, a=k, *, b=k, c=flag, d="text"):
                return a * b * x * x
            return f
        """)
    two, three = make(2.0), make(3, flag=True)
    g_two, g_three = srcgrad.grad(two), srcgrad.grad(three)
    assert g_two(1.0) == 8.0
    assert g_three(1.0) == 18.0
    assert 'def f_grad(x, a=2.0, *, b=2.0, c=None, d="text"):' in srcgrad.source(g_two)
    assert 'def f_grad(x, a=3, *, b=3, c=True, d="text"):' in srcgrad.source(g_three)
    # Defaults that are not plain literals keep their source text.
    array_default = make(np.float64(2.0))
    assert "def f_grad(x, a=k, *, b=k," in srcgrad.source(srcgrad.grad(array_default))


def test_a_notebook_cell_compiled_statement_by_statement_matches():
    # IPython compiles each statement of a cell on its own, so `import math`
    # in the cell does not change how `math.sin(x)` in the def compiles.
    text = "import math\n\ndef f(x):\n    return math.sin(x) * x\n"
    filename = "<ipython-input-1-srcgrad>"
    register_source(filename, text)
    namespace: dict = {"__name__": "__main__"}
    for statement in ast.parse(text).body:
        module = ast.Module([statement], type_ignores=[])
        exec(compile(module, filename, "exec"), namespace)
    g = srcgrad.grad(namespace["f"])
    assert g(1.0) == math.sin(1.0) + math.cos(1.0)
