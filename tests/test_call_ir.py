"""Programs and calls in the IR: printer, verifier, purity, CSE and DCE,
inlining, and activity across calls."""

from __future__ import annotations

import textwrap

import pytest
from helpers import define

from srcgrad.frontend import lower_live_program
from srcgrad.ir import (
    CALL,
    CHECK_REAL,
    PURE_CALL,
    Builder,
    IRVerificationError,
    print_program,
    verify,
)
from srcgrad.passes import cse, dce
from srcgrad.passes.inline import inline_calls
from srcgrad.passes.interprocedural import program_activity, summaries
from srcgrad.passes.program import mark_pure_calls, pure_functions

TWICE = """
def helper(a, b):
    return a * 2.0 + b * 0.0, b

def f(x, y):
    p, q = helper(x, y)
    r, s = helper(x, y)
    return p * r + q
"""


def _program(source: str):
    return verify(lower_live_program(define(source, "f")))


def test_a_program_prints_each_function_and_its_calls():
    text = print_program(_program(TWICE))
    assert text == textwrap.dedent("""\
        func f(%x, %y) {
          %p, %q = call @helper %x, %y
          %r, %s = call @helper %x, %y
          %0 = mul %p, %r
          %1 = add %0, %q
          return %1
        }

        func helper(%a, %b) {
          %0 = const 2.0
          %1 = mul %a, %0
          %2 = const 0.0
          %3 = mul %b, %2
          %4 = add %1, %3
          return %4, %b {tuple = True}
        }
        """)


def test_the_verifier_checks_calls_against_their_callee():
    program = _program(TWICE)
    call = next(program.calls("f"))
    call.operands.pop()
    with pytest.raises(IRVerificationError, match="binds each"):
        verify(program)
    call.attributes["callee"] = "nowhere"
    with pytest.raises(IRVerificationError, match="unknown function"):
        verify(program)


def test_calls_to_a_pure_callee_merge_and_an_unused_one_goes():
    program = _program(TWICE)
    assert all(op.definition is CALL for op in program.calls("f"))
    assert not cse(program.functions["f"])  # not proven pure: never merged
    mark_pure_calls(program)
    assert all(op.definition is PURE_CALL for op in program.calls("f"))
    assert cse(program.functions["f"])
    assert len(list(program.calls("f"))) == 1
    verify(program)


def test_a_callee_with_an_effect_is_not_pure():
    program = _program(TWICE)
    helper = program.functions["helper"]
    Builder(helper.entry).create(CHECK_REAL, [], {"names": (), "kinds": ()})
    helper.entry.ops.insert(0, helper.entry.ops.pop())  # before the return
    assert pure_functions(program) == set()  # f calls it
    mark_pure_calls(program)
    function = program.functions["f"]
    assert not cse(function)
    terminator = function.entry.terminator
    terminator.operands = [terminator.operands[0].defining_op.operands[1]]  # q
    dce(function)
    assert len(list(program.calls("f"))) == 2  # unused, but kept


def test_an_unused_pure_call_is_dropped():
    program = _program(
        "def h(t):\n    return t * t\n\ndef f(x):\n    y = h(x)\n    return x\n"
    )
    mark_pure_calls(program)
    assert dce(program.functions["f"])
    assert not list(program.calls("f"))


def test_inlining_writes_out_small_helpers_but_never_recursion():
    program = _program("""
        def small(t):
            return t * t

        def power(x, n):
            return 1.0 if n == 0 else x * power(x, n - 1)

        def f(x):
            return small(x) + power(small(x), 3)
        """)
    assert inline_calls(program)
    verify(program)
    assert set(program.functions) == {"f", "power"}
    assert [op.attributes["callee"] for op in program.calls("f")] == ["power"]


def test_activity_through_a_call_is_as_precise_as_the_callee_written_out():
    program = _program(TWICE)
    found = summaries(program)
    # p depends on a (b's term is multiplied by zero, but still a term);
    # the second result is b itself.
    assert found.varies["helper"] == [frozenset({0}), frozenset({0, 1})]
    assert found.reaches["helper"] == [frozenset({0, 1}), frozenset({1})]
    activity = program_activity(program, [0], found)["helper"]
    assert activity.varied == {0}
    assert activity.parameters == [0] and activity.results == [0]


def test_a_callees_activity_is_the_union_over_its_call_sites():
    program = _program("""
        def mix(a, b):
            return a * b

        def f(x, y):
            return mix(x, 2.0) + mix(3.0, y)
        """)
    both = program_activity(program, [0, 1])["mix"]
    assert both.varied == {0, 1} and both.parameters == [0, 1]
    only_x = program_activity(program, [0])["mix"]
    assert only_x.varied == {0} and only_x.parameters == [0]
