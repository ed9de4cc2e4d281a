"""Specialisation: a helper typed for what each of its calls passes it.

A helper called with an array at one place and a number at another
(``sq(x)`` and ``sq(x[0])``), or with arrays of other ranks or with size
1 along other axes (``act(X)`` and ``act(b)``, ``b`` a row), is not one
function to its derivative: whether ``z.shape`` exists, and which axes an
adjoint is summed over, differ between the calls. Joining the types the
calls pass would type it for neither (an array on some paths and a number
on others), and an inlined copy would keep that type. So, as JAX and
Julia compile a function once per kind of arguments, each call runs a copy
of its callee made for its arguments' *key* (``key_of``: number, or
array of which rank and which axes are 1, ...), and only calls of one key
share a copy, whose parameters join what they pass (sizes and kinds).

The copies are made during type inference (``infer_types`` asks
``choose`` for each call's callee), so a helper's own calls are keyed with
the types of the copy they are in. A helper called alike everywhere keeps
its one function and its name; the others are named like it
(``sq_1``). Each helper has at most ``LIMIT`` copies, and every source
call site runs one function, so code stays linear in the source; only a
recursion that changes an argument's rank at each step could want more,
and it is refused at its call.
"""

from __future__ import annotations

from srcgrad.errors import CallError
from srcgrad.ir import Op, Program, callee_of
from srcgrad.ir.clone import copy_function
from srcgrad.ir.types import Array, ListOf, Scalar, Shape, Type, may_be_one
from srcgrad.passes.types import Signature, infer_types

#: The most copies of one helper, one per key of the calls to it.
LIMIT = 8

#: What a copy of a helper is made for: one key per parameter.
Key = tuple[object, ...]


def type_per_call(program: Program, signature: Signature) -> None:
    """Infer ``program``'s types with each call running a copy of its callee
    made for the types it passes (see the module).

    Raises:
        CallError: a helper is called with more than ``LIMIT`` keys.
    """
    copies = _Copies(program)
    infer_types(program, signature, copies.choose)
    program.drop_unreachable()
    copies.check()
    copies.rename()


def key_of(type_: Type | None) -> object:
    """What a copy must know of an argument of ``type_`` to be typed for it:
    a number, or an array (or shape) of which rank and which axes are 1, not
    1 (``"n"``) or either; lists and other values join as they are."""
    if isinstance(type_, Scalar):
        return "number"
    if isinstance(type_, (Array, Shape)):
        axes = tuple(
            "1" if dim == 1 else "?" if may_be_one(dim) else "n" for dim in type_.dims
        )
        return ("array" if isinstance(type_, Array) else "shape", axes)
    if isinstance(type_, ListOf):
        return "list"
    return "unknown" if type_ is None else "other"


class _Copies:
    """The copies of each helper, by key, as the calls ask for them."""

    def __init__(self, program: Program) -> None:
        self.program = program
        #: The helper each function is a copy of (itself for the helpers).
        self.origin = {symbol: symbol for symbol in program.functions}
        #: The copy of each helper for each key, in the order they were made.
        self.copies: dict[str, dict[Key, str]] = {}
        #: A call that asked for each copy, whose place an error shows.
        self.asked_by: dict[str, Op] = {}

    def choose(self, op: Op, passed: list[Type | None]) -> str:
        """The copy of ``op``'s callee for the types it passes, made if new."""
        origin = self.origin[callee_of(op)]
        copies = self.copies.setdefault(origin, {})
        if not copies and origin == self.program.entry:
            # a recursive call: the entry is typed for the signature's key
            entry = self.program.entry_function
            copies[tuple(key_of(value.type) for value in entry.arguments)] = origin
        key = tuple(key_of(type_) for type_ in passed)
        if key not in copies:
            if len(copies) >= 4 * LIMIT:  # a rank that keeps changing
                _refuse(origin, op)
            copies[key] = origin if not copies else self._copy(origin)
            self.asked_by[copies[key]] = op
        return copies[key]

    def _copy(self, origin: str) -> str:
        symbol = self._fresh(origin)
        self.program.functions[symbol] = copy_function(
            self.program.functions[origin], symbol
        )
        self.origin[symbol] = origin
        return symbol

    def _fresh(self, origin: str) -> str:
        symbol, suffix = origin, 0
        while symbol in self.program.functions:
            suffix += 1
            symbol = f"{origin}_{suffix}"
        return symbol

    def check(self) -> None:
        """Refuse a helper called with more than ``LIMIT`` keys.

        Raises:
            CallError: at the call that asked for one copy too many.
        """
        for origin, copies in self.copies.items():
            made = [s for s in copies.values() if s in self.program.functions]
            if len(made) > LIMIT:
                _refuse(origin, self.asked_by[made[LIMIT]])

    def rename(self) -> None:
        """Name the copies left of each helper after it, the first as it."""
        renamed: dict[str, str] = {}
        for origin, copies in self.copies.items():
            made = [s for s in copies.values() if s in self.program.functions]
            if made and made[0] != origin and origin not in self.program.functions:
                renamed[made[0]] = origin
        if not renamed:
            return
        functions = self.program.functions
        self.program.functions = {
            renamed.get(symbol, symbol): function
            for symbol, function in functions.items()
        }
        for symbol, function in self.program.functions.items():
            function.name = symbol
            for op in self.program.calls(symbol):
                op.attributes["callee"] = renamed.get(callee_of(op), callee_of(op))


def _refuse(origin: str, call: Op) -> None:
    """Raise the error of a helper called with too many keys, at ``call``."""
    raise CallError(
        f"{origin} is called with arguments of more than {LIMIT} kinds "
        "(numbers, or arrays of other ranks or with size 1 along other axes), "
        "and srcgrad types a helper once per kind; a recursion that changes "
        "an argument's rank at each step cannot be typed: keep its rank",
        call.loc,
    )
