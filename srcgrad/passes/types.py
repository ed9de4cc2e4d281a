"""Type inference: what each value of a program is, from its inputs' types.

A build is for one ``Signature``: the type of each parameter of the entry
function and of each global or closure variable it reads. From those,
every value's type follows op by op (``Primitive.result_types``); a loop's
carried values are iterated to a fixed point, a branch's results join
what the branches yield, and a function of the program takes the join of
what its calls pass it. Given a ``ChooseCallee`` (``passes.specialise``),
each call is first pointed at the copy of its callee made for the types it
passes, so that join is over calls that pass alike.

Where nothing is known, a value's type is the signature's ``fallback``:
``REAL`` for a program of numbers (no array anywhere in its signature),
None (unknown: possibly an array) otherwise. Every stage after this one
treats None as "may be an array of any shape" and so stays correct,
only less direct.
"""

from __future__ import annotations

from collections.abc import Callable

from srcgrad.errors import ArraySizeError, ValueTypeError
from srcgrad.ir import (
    APPEND,
    CONST,
    FOR,
    GLOBAL,
    IF,
    UNDEF,
    WHILE,
    Block,
    Function,
    Op,
    Program,
    Value,
    callee_of,
    is_call,
    loop_parts,
    target_pattern,
    walk,
)
from srcgrad.ir.types import (
    BOOL,
    INT,
    NUMBERS,
    Array,
    ListOf,
    Other,
    Scalar,
    Signature,
    SizeRuleError,
    Type,
    TypeRuleError,
    VariableKey,
    join,
)
from srcgrad.primitives.list_sums import LISTS


def variable_key(op: Op) -> VariableKey:
    """The variable a ``global`` op reads: its name and whose it is."""
    attributes = op.attributes
    return (
        str(attributes["name"]),
        bool(attributes.get("closure")),
        attributes.get("module"),
        attributes.get("owner"),
    )


#: Which function of the program a call runs, given the types it passes
#: (none PENDING): a symbol, the one it names or a copy of that callee.
ChooseCallee = Callable[[Op, list[Type | None]], str]

#: Rounds of inference over the program: joins reach unknown dimensions in
#: a round or two; choosing callees may take a round per level of calls.
_ROUNDS = 8
_ROUNDS_CHOOSING = 32


def infer_types(
    program: Program,
    signature: Signature = NUMBERS,
    choose_callee: ChooseCallee | None = None,
) -> None:
    """Set the ``type`` of every value of ``program`` (see the module);
    with ``choose_callee``, also the callee of every call."""
    _Inference(program, signature, choose_callee).run()


class _Inference:
    def __init__(
        self,
        program: Program,
        signature: Signature,
        choose_callee: ChooseCallee | None = None,
    ) -> None:
        self.program = program
        self.signature = signature
        self.choose_callee = choose_callee
        self.fallback = signature.fallback
        self.variables = dict(signature.variables)
        #: Each callee's parameter types so far (the join over its calls).
        self.arguments: dict[str, list[Type | None]] = {}
        self.returns: dict[str, list[Type | None]] = {}
        #: What reverse mode's tapes hold: the join of what is pushed.
        self.tapes: dict[Value, Type | None] = {}
        #: The callee each call runs, as chosen this round.
        self.callees: dict[Op, str] = {}
        self.joined = False  # the round met a call or a push (see ``run``)

    def run(self) -> None:
        entry = self.program.entry_function
        parameters = dict(self.signature.parameters)
        for parameter, argument in zip(entry.parameters, entry.arguments, strict=True):
            argument.type = parameters.get(parameter.name, self.fallback)
        # Each round joins the types the calls of this round pass; a call
        # whose callee has no result types yet gives PENDING, which joins as
        # nothing, so no early guess sticks; it is done when neither the types
        # nor (if chosen) the callees change, or it joined nothing (no call,
        # no push: a round more finds the same types).
        rounds = _ROUNDS if self.choose_callee is None else _ROUNDS_CHOOSING
        for _ in range(rounds):
            before = (self.arguments, dict(self.returns), self.callees)
            self.arguments, self.callees = {}, {}
            self.joined = False
            for symbol in self.program.reachable():
                self._function(self.program.functions[symbol])
            if (self.arguments, self.returns, self.callees) == before:
                break
            if not self.joined:
                break
        self.pending_to_fallback()

    def pending_to_fallback(self) -> None:
        """What is still PENDING (a recursion with no way out) is unknown."""
        for function in self.program.functions.values():
            values = list(function.arguments)
            for op in walk(function.entry):
                values += op.results
                values += [a for r in op.regions for b in r.blocks for a in b.arguments]
            for value in values:
                if value.type is PENDING:
                    value.type = self.fallback

    def _function(self, function: Function) -> None:
        if function.name != self.program.entry:
            passed = self.arguments.get(function.name)
            for index, argument in enumerate(function.arguments):
                argument.type = passed[index] if passed else self.fallback
        self._block(function.entry)
        terminator = function.entry.terminator
        assert terminator is not None
        self.returns[function.name] = [operand.type for operand in terminator.operands]

    def _block(self, block: Block) -> None:
        for op in block.ops:
            self._op(op)

    def _op(self, op: Op) -> None:
        if op.definition is IF:
            for region in op.regions:
                self._block(region.block)
            self._set(op.results, _joined_yields(op))
        elif op.definition in (FOR, WHILE):
            self._loop(op)
        elif is_call(op):
            self._call(op)
        elif op.definition is APPEND:  # a push on a tape
            self.joined = True
            tape, pushed = op.operands
            held = self.tapes.get(tape, PENDING)
            self.tapes[tape] = _join(held, _pushed_type(pushed))
        elif op.definition is GLOBAL:
            key = variable_key(op)
            self._set(op.results, [self.variables.get(key, self.fallback)])
        else:
            infer = getattr(op.definition, "result_types", None)
            types: list[Type | None] | None = None
            if any(operand.type is PENDING for operand in op.operands):
                types = [PENDING] * len(op.results)
            elif infer is not None:
                try:
                    types = infer(
                        [operand.type for operand in op.operands], op.attributes
                    )
                except TypeRuleError as error:
                    kind = (
                        ArraySizeError
                        if isinstance(error, SizeRuleError)
                        else ValueTypeError
                    )
                    raise kind(_explained(op, str(error)), op.loc) from None
            if types is None or len(types) != len(op.results):
                types = [self.fallback] * len(op.results)
            self._set(op.results, types)

    def _set(self, values: list[Value], types: list[Type | None]) -> None:
        for value, type_ in zip(values, types, strict=True):
            value.type = type_ if type_ is not None else self.fallback

    def _call(self, op: Op) -> None:
        self.joined = True
        passed = [operand.type for operand in op.operands]
        if self.choose_callee is not None and not any(
            type_ is PENDING for type_ in passed
        ):
            op.attributes["callee"] = self.choose_callee(op, passed)
        callee = self.callees[op] = callee_of(op)
        known = self.arguments.get(callee)
        self.arguments[callee] = (
            passed
            if known is None
            else [_join(a, b) for a, b in zip(known, passed, strict=True)]
        )
        returned = self.returns.get(callee, [PENDING] * len(op.results))
        self._set(op.results, list(returned[: len(op.results)]))

    def _loop(self, op: Op) -> None:
        parts = loop_parts(op)
        if parts.iterable is not None:
            targets = _target_types(op, self.tapes, self.fallback)
            self._set(parts.targets, targets)
        # A name first assigned in the loop starts as undef: it is what the
        # body makes of it (as a branch's undef is what the other yields).
        carried = [_pushed_type(init) for init in parts.inits]
        for _ in range(8):
            self._set(parts.carried, carried)
            if parts.condition is not None:
                self._set(parts.condition.arguments, carried)
                self._block(parts.condition)
            self._block(parts.body)
            widened = [
                _join(before, after.type)
                for before, after in zip(carried, parts.yields, strict=True)
            ]
            if widened == carried:
                break
            carried = widened
        else:  # pragma: no cover - joins reach unknown dims in a round or two
            carried = [None] * len(carried)
            self._set(parts.carried, carried)
        results = list(carried)
        if parts.broke is not None:
            results.append(BOOL)
        self._set(op.results, results)


def _pushed_type(value: Value) -> Type | None:
    """What a push on a tape, or a loop's start, adds to the type: None (or
    undef) stands where the value is never read back (a path that did not
    compute it, a step before the first), and joins as nothing."""
    op = value.defining_op
    if _is_undef(value) or (
        op is not None and op.definition is CONST and op.attributes["value"] is None
    ):
        return PENDING
    return value.type


def _explained(op: Op, message: str) -> str:
    """A type rule's message, or, where the op was given a list the
    function makes and takes none, what a list can be used for."""
    if (
        op.definition in LISTS
        or "list" in message
        or not any(isinstance(operand.type, ListOf) for operand in op.operands)
    ):
        return message
    return (
        "a list the function makes is used here where srcgrad needs a number "
        "or an array; a list can be indexed (`xs[i]`), measured (`len`), "
        "summed (`sum`), looped over, and made an array (`np.array(xs)`, "
        "`np.stack(xs)`): make it an array first"
    )


class _Pending(Other):
    """The type of a value computed from a call whose callee's result types
    are not known yet: it joins with any type as that type."""

    def __str__(self) -> str:
        return "pending"


PENDING = _Pending()


def _join(first: Type | None, second: Type | None) -> Type | None:
    if first is PENDING:
        return second
    if second is PENDING:
        return first
    return join(first, second)


def _joined_yields(op: Op) -> list[Type | None]:
    """What an ``if`` op's results are: the join of what each branch yields,
    where the branch defines it (``undef`` on a path that never reads it)."""
    yields = [
        region.block.terminator.operands  # type: ignore[union-attr]
        for region in op.regions
    ]
    types: list[Type | None] = []
    for values in zip(*yields, strict=True):
        defined = [value for value in values if not _is_undef(value)]
        joined: Type | None = defined[0].type if defined else None
        for value in defined[1:]:
            joined = _join(joined, value.type)
        types.append(joined)
    return types


def _is_undef(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is UNDEF


def _target_types(
    op: Op, tapes: dict[Value, Type | None], fallback: Type | None
) -> list[Type | None]:
    """The types a ``for`` loop's targets take from the items it walks."""
    count = int(op.attributes.get("targets", 1))  # type: ignore[call-overload]
    pattern = target_pattern(op)
    iterable = op.operands[0]
    if isinstance(pattern, int):
        return [_item_type(iterable, tapes, fallback)]
    types: list[Type | None] = [fallback] * count
    source = iterable.defining_op
    if source is not None and source.name == "enumerate" and pattern:
        first = pattern[0]
        if isinstance(first, int):
            types[first] = INT
        if len(pattern) == 2 and isinstance(pattern[1], int):
            types[pattern[1]] = _item_type(source.operands[0], tapes, fallback)
    if source is not None and source.name == "zip":
        for operand, target in zip(source.operands, pattern, strict=False):
            if isinstance(target, int):
                types[target] = _item_type(operand, tapes, fallback)
    return types


def _item_type(
    iterable: Value, tapes: dict[Value, Type | None], fallback: Type | None
) -> Type | None:
    """The type of one item of ``iterable``: a row of an array, an item of
    a list or of a tape, an integer of a ``range``, else what nothing is
    known about."""
    type_ = iterable.type
    if isinstance(type_, ListOf):
        return fallback if type_.empty or type_.item is None else type_.item
    if isinstance(type_, Array):
        rows = type_.dims[1:]
        return Array(type_.kind, rows) if rows else Scalar(type_.kind)
    source = iterable.defining_op
    if source is not None and source.name == "reversed":
        return _item_type(source.operands[0], tapes, fallback)
    if source is not None and source.definition in (FOR, WHILE):
        parts = loop_parts(source)  # a range a loop hands out: its last
        if iterable in parts.results:
            yielded = parts.yields[parts.results.index(iterable)]
            return _item_type(yielded, tapes, fallback)
    if source is not None and source.name == "range":
        return INT
    held = tapes.get(iterable)
    if held is not None and held is not PENDING:
        return held
    return fallback
