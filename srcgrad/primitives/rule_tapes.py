"""SymPy's partials, recorded, so that a build needs no SymPy.

Each elementwise primitive's partial derivatives are derived by SymPy
(``derive.py``) and written as IR by ``sympy_to_ir.py``, which builds them
through a ``RuleBuilder``: ``const``, ``add``, ``call(COS, x)``... Those
calls, recorded once for each primitive (``record``), are all a build
needs: ``replay`` makes them again on the real builder, with the same
result as translating SymPy's expressions, without importing SymPy (about
0.7 s, most of the first build in a process).

The recordings live in ``derived_rules.py``, written by::

    python -m srcgrad.primitives.record_rules

and ``tests/test_rule_tapes.py`` records every primitive again and checks
the file says exactly that, so it cannot fall behind a change to a
primitive or to the translation. A primitive or arity the file lacks is
derived by SymPy as before. Recording is ``record_rules.py``.
"""

from __future__ import annotations

from srcgrad.ir import Value
from srcgrad.primitives.primitive import RuleBuilder

#: One builder call: its method's name, then its arguments (for ``call``,
#: the primitive's name first); a value is the index of an input (the
#: operands, then the primitive's output) or of an earlier call's result.
Step = tuple[object, ...]
#: The calls, and the value each partial is.
Tape = tuple[tuple[Step, ...], tuple[int, ...]]


def replay(
    e: RuleBuilder, tape: Tape, args: tuple[Value, ...], out: Value
) -> tuple[Value, ...]:
    """The partials ``tape`` records, built through ``e`` at ``args``."""
    from srcgrad.primitives.table import PRIMITIVES

    steps, partials = tape
    values: list[Value] = [*args, out]
    for method, *arguments in steps:
        if method == "const":
            made = e.const(arguments[0])  # type: ignore[arg-type]
        elif method == "symbolic_constant":
            made = e.symbolic_constant(*arguments)  # type: ignore[arg-type]
        elif method == "call":
            name, *operands = arguments
            made = e.call(PRIMITIVES[str(name)], *_values(values, operands))
        else:
            made = getattr(e, str(method))(*_values(values, arguments))
        values.append(made)
    return tuple(values[index] for index in partials)


def _values(values: list[Value], indices: list[object]) -> list[Value]:
    return [values[int(index)] for index in indices]  # type: ignore[call-overload]
