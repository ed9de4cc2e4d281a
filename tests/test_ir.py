"""The IR machinery itself: printer, verifier, and ops that own regions.

Structured control flow (``if``/``for``/``while`` as ops owning regions
that end in ``yield``) is checked here as IR built by hand: the printer,
the verifier, the passes and cloning.
"""

from __future__ import annotations

import textwrap

import pytest

from srcgrad.ad.clone import clone_into
from srcgrad.ir import (
    IF,
    RETURN,
    YIELD,
    Block,
    Builder,
    Function,
    IRVerificationError,
    Op,
    Parameter,
    Region,
    Value,
    print_function,
    verify,
)
from srcgrad.passes import cse, dce
from srcgrad.primitives import PRIMITIVES


def _apply(builder, name, *operands):
    return builder.create(PRIMITIVES[name], operands, {"namespace": "operator"}).result


def _region(build):
    block = Block()
    builder = Builder(block)
    builder.create(YIELD, [build(builder)], result_count=0)
    return Region([block])


def _function_with_regions():
    x = Value("x")
    entry = Block([x])
    builder = Builder(entry)
    square = _apply(builder, "mul", x, x)
    unused = _apply(builder, "add", x, x)
    assert unused is not None
    first = _region(lambda inner: _apply(inner, "mul", x, x))
    second = _region(lambda inner: _apply(inner, "neg", square))
    select = Op(IF, [x], [Value("s")], {}, [first, second])
    entry.append(select)
    builder.ret([select.result])
    return Function("f", [Parameter("x")], Region([entry]))


def test_printer_shows_regions_nested_and_names_collisions():
    function = verify(_function_with_regions())
    assert print_function(function) == textwrap.dedent("""\
        func f(%x) {
          %0 = mul %x, %x
          %1 = add %x, %x
          %s = if %x {
            %2 = mul %x, %x
            yield %2
          } {
            %3 = neg %0
            yield %3
          }
          return %s
        }
        """)


def test_cse_reuses_outer_values_inside_regions():
    function = _function_with_regions()
    assert cse(function)
    verify(function)
    text = print_function(function)
    assert "%2 = mul" not in text and "yield %0" in text


def test_dce_removes_unused_ops_and_keeps_what_regions_use():
    function = _function_with_regions()
    assert dce(function)
    text = print_function(verify(function))
    assert "add" not in text and "%0 = mul %x, %x" in text


def test_clone_copies_regions_with_fresh_values():
    function = _function_with_regions()
    x = Value("x")
    entry = Block([x])
    clone_into(Builder(entry), function.entry.ops, {function.arguments[0]: x})
    copy = verify(Function("g", [Parameter("x")], Region([entry])))
    assert print_function(copy).replace("func g", "func f") == print_function(function)
    originals = {id(v) for op in function.entry.ops for v in op.results}
    assert not originals & {id(v) for op in copy.entry.ops for v in op.results}


def test_verifier_rejects_a_region_using_a_later_value():
    x = Value("x")
    entry = Block([x])
    builder = Builder(entry)
    later = Value("later")
    region = _region(lambda inner: _apply(inner, "neg", later))
    other = _region(lambda inner: x)
    entry.append(Op(IF, [x], [Value("s")], {}, [region, other]))
    entry.append(Op(PRIMITIVES["neg"], [x], [later], {"namespace": "operator"}))
    builder.ret([later])
    with pytest.raises(IRVerificationError, match="not defined before"):
        verify(Function("f", [Parameter("x")], Region([entry])))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no terminator", "does not end in a terminator"),
        ("twice", "defined twice|wrong owner link"),
        ("arity", "expects 2"),
        ("early return", "middle of a block"),
    ],
)
def test_verifier_rejects_broken_ssa(breakage, message):
    x = Value("x")
    entry = Block([x])
    builder = Builder(entry)
    y = _apply(builder, "mul", x, x)
    if breakage == "twice":
        entry.append(Op(PRIMITIVES["neg"], [x], [y], {"namespace": "operator"}))
    if breakage == "arity":
        builder.create(PRIMITIVES["add"], [x], {"namespace": "operator"})
    if breakage == "early return":
        builder.ret([y])
        _apply(builder, "neg", y)
    if breakage != "no terminator":
        builder.create(RETURN, [y], result_count=0)
    with pytest.raises(IRVerificationError, match=message):
        verify(Function("f", [Parameter("x")], Region([entry])))
