"""Control flow lowers to structured IR that computes what Python computes.

Each function of the corpus is lowered, verified, and run by the reference
interpreter (``interpret.py``) at inputs chosen to take every branch, to
run loops zero, one and many times, and to leave them early; the result
must equal the Python function's own, exactly. Gradients of these
functions need the reverse transform and codegen for control flow, which
are built elsewhere; this file checks the frontend alone.
"""

from __future__ import annotations

import math
import sys
import textwrap

import pytest
from control_flow_corpus import CASES, PAIRS, WEIGHTS
from helpers import define
from interpret import interpret

from srcgrad.frontend import lower_file, lower_live
from srcgrad.ir import FOR, IF, UNDEF, WHILE, print_function, verify, walk


def _same(expected, actual):
    if isinstance(expected, tuple):
        return (
            isinstance(actual, tuple)
            and len(actual) == len(expected)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return type(actual) is type(expected) and (
        actual == expected and math.copysign(1, actual) == math.copysign(1, expected)
    )


def _namespace():
    return {"WEIGHTS": WEIGHTS, "PAIRS": PAIRS}


@pytest.mark.parametrize(
    ("name", "source", "inputs"), CASES, ids=[case[0] for case in CASES]
)
def test_lowered_function_computes_what_python_computes(name, source, inputs):
    f = define(source, **_namespace())
    ir = verify(lower_live(f))
    for args in inputs:
        expected = f(*args)
        actual = interpret(ir, *args, namespace=f.__globals__)
        assert _same(expected, actual), (args, expected, actual)


def test_corpus_is_large_and_covers_every_construct():
    assert len(CASES) >= 40
    text = "\n".join(case[1] for case in CASES)
    for construct in [
        "elif", "while", "break", "continue", "else:", "return", "range(",
        "reversed(", "enumerate(", "zip(", " and ", " or ", "not ", " if ",
        "max(", "min(", "abs(", "sum(", "round(", "len(", "pass",
    ]:  # fmt: skip
        assert construct in text, construct


def test_a_python_error_is_raised_where_python_raises_it():
    f = define("""
        def f(x):
            if x > 0:
                return 1.0 / (x - 1.0)
            return x
        """)
    ir = verify(lower_live(f))
    with pytest.raises(ZeroDivisionError):
        f(1.0)
    with pytest.raises(ZeroDivisionError):
        interpret(ir, 1.0)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="sum is compensated")
def test_sum_of_a_tuple_adds_left_to_right_from_zero():
    f = define("def f(x, y, z):\n    return sum((x, y, z))\n")
    ir = verify(lower_live(f))
    for args in [(0.1, 0.2, 0.3), (1e16, 1.0, -1e16), (3.0, 1e-17, -3.0)]:
        assert interpret(ir, *args) == f(*args)


def _ops(ir, definition):
    return [op for op in walk(ir.entry) if op.definition is definition]


#: name -> (what it pins, source, IR text)
GOLDEN = {
    "absolute": (
        "A tail return: one `if` yielding the value returned, no guard.",
        """
        def absolute(x):
            if x > 0:
                return x
            return -x
        """,
        """\
func absolute(%x) {
  %0 = const 0
  %1 = gt %x, %0
  %result = if %1 {
    yield %x
  } {
    %2 = neg %x
    yield %2
  }
  return %result
}
""",
    ),
    "continue_as_else": (
        "`if c: continue` then the rest: the rest is the else branch.",
        """
        def continue_as_else(x, n):
            s = 0.0
            for i in range(n):
                if i == 2:
                    continue
                s = s + x * i
            return s
        """,
        """\
func continue_as_else(%x, %n) {
  %s = const 0.0
  %0 = builtins.range %n
  %s_1 = for %0, %s {targets = 1} (%i, %s_2) {
    %1 = const 2
    %2 = eq %i, %1
    %s_3 = if %2 {
      yield %s_2
    } {
      %3 = mul %x, %i
      %s_4 = add %s_2, %3
      yield %s_4
    }
    yield %s_3
  }
  return %s_1
}
""",
    ),
    "first_sum_above": (
        "`if c: break`: the stop flag is `c` itself, the rest its else branch.",
        """
        def first_sum_above(x, n):
            s = 0.0
            for i in range(n):
                if s > x:
                    break
                s = s + i
            return s
        """,
        """\
func first_sum_above(%x, %n) {
  %s = const 0.0
  %0 = builtins.range %n
  %s_1, %broke = for %0, %s {exit = True, targets = 1} (%i, %s_2) {
    %1 = gt %s_2, %x
    %s_3 = if %1 {
      yield %s_2
    } {
      %s_4 = add %s_2, %i
      yield %s_4
    }
    yield %s_3, %1
  }
  return %s_1
}
""",
    ),
    "search": (
        "A return in a loop: it exits, carries the value out; the rest is guarded.",
        """
        def search(x, n):
            for i in range(n):
                if x * i > 10.0:
                    return i
            return -1
        """,
        """\
func search(%x, %n) {
  %0 = builtins.range %n
  %result = undef
  %result_1, %broke = for %0, %result {exit = True, targets = 1} (%i, %result_2) {
    %1 = mul %x, %i
    %2 = const 10.0
    %3 = gt %1, %2
    yield %i, %3
  }
  %result_3 = if %broke {
    yield %result_1
  } {
    %4 = const 1
    %5 = neg %4
    yield %5
  }
  return %result_3
}
""",
    ),
    "non_tail": (
        "A return that is not at the tail of its list: the rest is guarded by `skip`.",
        """
        def non_tail(x, y):
            if x > 0:
                if y > 0:
                    return y
                x = x - 1.0
            return x * 2.0
        """,
        """\
func non_tail(%x, %y) {
  %0 = const 0
  %1 = gt %x, %0
  %x_1, %skip = if %1 {
    %2 = const 0
    %3 = gt %y, %2
    %x_2 = if %3 {
      %4 = undef
      yield %4
    } {
      %5 = const 1.0
      %x_3 = sub %x, %5
      yield %x_3
    }
    yield %x_2, %3
  } {
    %6 = const False
    yield %x, %6
  }
  %result = if %skip {
    yield %y
  } {
    %7 = const 2.0
    %8 = mul %x_1, %7
    yield %8
  }
  return %result
}
""",
    ),
    "halvings": (
        "`while`: the condition reads the carried values; `and` short-circuits.",
        """
        def halvings(x):
            n = 0
            while x > 1.0 and n < 60:
                x = x / 2.0
                n = n + 1
            return n
        """,
        """\
func halvings(%x) {
  %n = const 0
  %x_1, %n_1 = while %x, %n (%x_2, %n_2) {
    %0 = const 1.0
    %1 = gt %x_2, %0
    %2 = if %1 {expression = 'and'} {
      %3 = const 60
      %4 = lt %n_2, %3
      yield %4
    } {
      yield %1
    }
    condition %2
  } (%x_3, %n_3) {
    %5 = const 2.0
    %x_4 = div %x_3, %5
    %6 = const 1
    %n_4 = add %n_3, %6
    yield %x_4, %n_4
  }
  return %n_1
}
""",
    ),
    "selections": (
        "Chained comparisons, `max`/`min` as selections, `and`/`or` as values.",
        """
        def selections(x, y):
            return max(x, y, 1.0) if 0.0 < x < y else (x and y) or min(x, y)
        """,
        """\
func selections(%x, %y) {
  %0 = const 0.0
  %1 = lt %0, %x
  %2 = if %1 {expression = 'and'} {
    %3 = lt %x, %y
    yield %3
  } {
    yield %1
  }
  %4 = if %2 {expression = 'ternary'} {
    %5 = const 1.0
    %6 = gt %y, %x
    %7 = if %6 {expression = 'max'} {
      yield %y
    } {
      yield %x
    }
    %8 = gt %5, %7
    %9 = if %8 {expression = 'max'} {
      yield %5
    } {
      yield %7
    }
    yield %9
  } {
    %10 = if %x {expression = 'and'} {
      yield %y
    } {
      yield %x
    }
    %11 = if %10 {expression = 'or'} {
      yield %10
    } {
      %12 = lt %y, %x
      %13 = if %12 {expression = 'min'} {
        yield %y
      } {
        yield %x
      }
      yield %13
    }
    yield %11
  }
  return %4
}
""",
    ),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_lowering_has_the_structure_pinned_here(name):
    _, source, expected = GOLDEN[name]
    ir = verify(lower_live(define(source)))
    assert print_function(ir) == expected, name


def test_a_tail_return_makes_one_if_and_no_undef():
    ir = verify(lower_live(define(GOLDEN["absolute"][1])))
    assert len(_ops(ir, IF)) == 1 and not _ops(ir, UNDEF)


def test_loops_without_early_exits_have_no_exit_flag():
    for name in ["continue_as_else", "halvings"]:
        ir = verify(lower_live(define(GOLDEN[name][1])))
        loops = _ops(ir, FOR) + _ops(ir, WHILE)
        assert loops and not any(op.attributes.get("exit") for op in loops)


def test_a_file_lowers_as_the_live_function_does(tmp_path):
    # `srcgrad show` reads files without running them: its IR must be the
    # decorator's, control flow and builtins included.
    header = f"import math\n\nWEIGHTS = {WEIGHTS!r}\nPAIRS = {PAIRS!r}\n\n"
    for index, (name, source, _) in enumerate(CASES):
        path = tmp_path / f"case_{index}.py"
        path.write_text(header + textwrap.dedent(source).lstrip("\n"))
        (from_file,) = lower_file(str(path))
        live = lower_live(define(source, **_namespace()))
        assert print_function(from_file) == print_function(live), name


def test_a_loop_over_a_closure_variable_reads_it_when_it_runs():
    make = define(
        """
        def make(weights):
            def f(x):
                s = 0.0
                for w in weights:
                    s = s * x + w
                return s
            return f
        """,
        "make",
    )
    f = make(WEIGHTS)
    ir = verify(lower_live(f))
    assert interpret(ir, 1.5, namespace={"weights": WEIGHTS}) == f(1.5)
