"""SymPy's partials, recorded: the file says what SymPy derives today, and a
build of scalar code imports no SymPy."""

import subprocess
import sys

import srcgrad.primitives.derived_rules as derived_rules
from srcgrad.ir import (
    Block,
    Builder,
    Function,
    Parameter,
    Region,
    Value,
    print_function,
)
from srcgrad.primitives.emitter import RuleEmitter
from srcgrad.primitives.record_rules import recordable
from srcgrad.primitives.table import PRIMITIVES


def test_the_recordings_are_what_sympy_derives_now():
    # Regenerate with `python -m srcgrad.primitives.record_rules` if not.
    recorded = {
        (primitive.name, arity): tape for primitive, arity, tape in recordable()
    }
    assert recorded == derived_rules.TAPES
    derived = {
        name for name, primitive in PRIMITIVES.items()
        if primitive.sympy_form is not None and primitive.partials is None
    }  # fmt: skip
    assert derived - {name for name, _ in recorded} == {"sign"}  # delta: no IR


def _emit_partials(primitive, arity):
    """The printed IR of ``primitive``'s partials, as a build writes them."""
    args = [Value(f"x{i}") for i in range(arity)]
    block = Block(args)
    builder = Builder(block)
    out = builder.create(primitive, args, {"namespace": "math"}).result
    partials = RuleEmitter(builder, primitive, "math").partials(tuple(args), out)
    builder.ret(list(partials))
    parameters = [Parameter(value.name_hint) for value in args]
    return print_function(Function("partials", parameters, Region([block])))


def test_replaying_builds_the_ir_translating_does(monkeypatch):
    for primitive, arity, _ in recordable():
        texts = []
        for replayed in (True, False):
            if not replayed:
                monkeypatch.setattr("srcgrad.primitives.emitter.TAPES", {})
            texts.append(_emit_partials(primitive, arity))
            monkeypatch.undo()
        assert texts[0] == texts[1], primitive.name


def test_building_scalar_gradients_imports_no_sympy(tmp_path):
    names = sorted(
        name for name, arity in derived_rules.TAPES
        if arity == 1 and name in ("sin", "cos", "tan", "atan", "sinh", "cosh",
                                   "exp", "expm1", "log", "log1p", "log2",
                                   "log10", "sqrt", "erf", "erfc")
    )  # fmt: skip
    body = " + ".join(f"math.{name}(x)" for name in names)
    (tmp_path / "everything.py").write_text(
        f"import math\n\n\ndef f(x, y):\n    return {body} + math.hypot(x, y) / y\n"
    )
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import srcgrad, everything\n"
        "g = srcgrad.grad(everything.f, wrt=('x', 'y'))\n"
        "print(g(0.5, 2.0), 'sympy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"SRCGRAD_CACHE": "0", "PATH": ""},
    )  # fmt: skip
    assert done.stdout.strip().endswith("False"), done.stdout
