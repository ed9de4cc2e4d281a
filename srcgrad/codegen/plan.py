"""What the generated code looks like before it is written: the plan.

The plan settles, for a function's IR, which ops are written inline
(``inline``), the points of the code and where values are live (``layout``),
which values share a variable and what each variable is called
(``naming``), and the bindings of the modules and builtins the code calls.
It then writes values as expressions; ``statements`` writes the code.
"""

from __future__ import annotations

import ast

from srcgrad.codegen.bindings import BindingRequests, BoundContext
from srcgrad.codegen.checks import request_check
from srcgrad.codegen.format import verbatim
from srcgrad.codegen.inline import Inlining
from srcgrad.codegen.layout import Layout
from srcgrad.codegen.naming import Coalescer, Namer
from srcgrad.codegen.scope import (
    globals_read,
    hidden_global_expression,
    hidden_globals,
    is_global_by_name,
    parameter_names,
)
from srcgrad.ir import (
    CHECK_REAL,
    CHECK_SHAPES,
    CONST,
    GLOBAL,
    IF,
    UNDEF,
    Block,
    Function,
    Op,
    Value,
    branch_yields,
    is_control_flow,
    loop_parts,
    walk,
)
from srcgrad.ir.location import SourceLocation


class Plan:
    """Inlining, layout, variables and names for one function's code.

    Args:
        function: the IR.
        context: the bindings of the module it is written in (by default,
            its own, chosen here).
        reserved: names its variables must not take (the other functions of
            its module).
        module_names: the names the other functions of its module use, which
            its temporaries are not named like (``t`` in a backward sweep of
            a function of ``t``).
        entry: it is the function the module is for, whose parameters are
            the user's; any other's are named by ``scope.parameter_names``.
    """

    def __init__(
        self,
        function: Function,
        context: BoundContext | None = None,
        reserved: frozenset[str] = frozenset(),
        module_names: frozenset[str] = frozenset(),
        entry: bool = True,
    ) -> None:
        self.function = function
        self.entry = entry
        self.hints = _hints(function)
        #: The names its ``def`` gives its parameters (see ``scope``).
        self.parameter_names = parameter_names(function, entry)
        self.hidden = hidden_globals(function, self.parameter_names)
        parameters = set(self.parameter_names)
        taken = parameters | globals_read(function) | {function.name} | reserved
        source_names = taken | {hint for hint in self.hints.values() if hint}
        source_names |= module_names
        #: The name of a loop target nothing reads.
        self.unused = "_" if "_" not in source_names else None
        self.inlining, self.layout = _settle(
            function, self.hints, name_every_target=self.unused is None
        )
        for snapshot in self.layout.snapshots.values():
            self.hints[snapshot] = "stop"
        # Aliases avoid local variable names too, so those keep their names.
        if context is None:
            context = BoundContext(requests(function, entry=entry).bind(source_names))
        self.context = context
        aliases = {binding.alias for binding in self.context.bindings.values()}
        fixed = dict(zip(function.arguments, self.parameter_names, strict=True))
        self.variables = Coalescer(self.layout, self.hints, fixed)
        self.names = self._name(Namer(taken | aliases, source_names))

    def _name(self, namer: Namer) -> dict[Value, str]:
        names: dict[Value, str] = {}
        variables = self.variables.variables()
        order = {root: index for index, root in enumerate(variables)}
        for root in sorted(
            variables, key=lambda root: (variables[root].first, order[root])
        ):
            name = namer.name(variables[root])
            for member in variables[root].members:
                names[member] = name
        return names

    # -- expressions --------------------------------------------------------
    def expression(self, value: Value) -> ast.expr:
        """``value`` as Python: its name, or the expression written inline."""
        op = value.defining_op
        if op is not None and self.inlining.inlined(op):
            return self.op_expression(op)
        if op is not None and op.definition is UNDEF:
            raise AssertionError("an undef value is read")
        return ast.Name(self.names[value], ast.Load())

    def op_expression(self, op: Op) -> ast.expr:
        """The expression computing ``op``'s one result."""
        if op.definition is IF:
            return self._if_expression(op)
        if is_global_by_name(op) and op.attributes["name"] in self.hidden:
            return hidden_global_expression(str(op.attributes["name"]), self.context)
        args = [self.expression(operand) for operand in op.operands]
        return op.definition.emit(args, op.attributes, self.context)

    def _if_expression(self, op: Op) -> ast.expr:
        """``a if c else b``; ``a and b``, ``a or b`` where the shape allows."""
        kind = op.attributes.get("expression")
        (then,), (otherwise,) = branch_yields(op)
        condition = op.operands[0]
        test = self.expression(condition)
        if kind == "and" and otherwise is condition:
            return _bool_op(ast.And(), test, self.expression(then))
        if kind == "or" and then is condition:
            return _bool_op(ast.Or(), test, self.expression(otherwise))
        return ast.IfExp(test, self.expression(then), self.expression(otherwise))

    # -- comments -----------------------------------------------------------
    def location(self, op: Op) -> SourceLocation | None:
        """The source line most of ``op``'s statement comes from.

        A statement is its op and the ops written inline into it, which may
        come from other source lines (a term of an adjoint from the line
        that used the value); the comment heading it names the line that
        contributes the most ops, the statement's own op breaking ties.
        """
        return _most_common([op.loc, *self._header_locations(op)], op.loc)

    def copy_location(self, values: list[Value]) -> SourceLocation | None:
        """The source line of a copy of ``values``: where they are computed."""
        locations: list[SourceLocation | None] = []
        for value in values:
            op = value.defining_op
            if (
                op is not None
                and op.definition not in (CONST, GLOBAL)
                and self.inlining.inlined(op)
            ):
                locations += self._inlined_locations(op)
            elif _is_parameter(value):
                # A parameter: its `def` line says nothing about the copy.
                locations.append(None)
            else:
                locations.append(value.loc)
        first = next((loc for loc in locations if loc is not None), None)
        return _most_common(locations, first)

    def _header_locations(self, op: Op) -> list[SourceLocation | None]:
        if not is_control_flow(op):
            return self._inlined_locations(op)[1:]
        if op.definition is IF:
            return self._operand_locations([op.operands[0]])
        parts = loop_parts(op)
        if parts.iterable is not None:
            return self._operand_locations([parts.iterable])
        assert parts.condition is not None and parts.condition.terminator is not None
        if not self.layout.condition_inline(op):
            return []
        return self._operand_locations(parts.condition.terminator.operands)

    def _inlined_locations(self, op: Op) -> list[SourceLocation | None]:
        found = [op.loc] + self._operand_locations(op.operands)
        if op.definition is IF and self.inlining.expression_if(op):
            for values in branch_yields(op):
                found += self._operand_locations(values)
        return found

    def _operand_locations(self, operands: list[Value]) -> list[SourceLocation | None]:
        found: list[SourceLocation | None] = []
        for operand in operands:
            inner = operand.defining_op
            # Constants and global reads are names, not work done on a line.
            if inner is None or inner.definition in (CONST, GLOBAL):
                continue
            if self.inlining.inlined(inner):
                found += self._inlined_locations(inner)
        return found


def _most_common(
    locations: list[SourceLocation | None], preferred: SourceLocation | None
) -> SourceLocation | None:
    """The location on the line most ``locations`` share; ``preferred`` on ties."""
    known = [loc for loc in locations if loc is not None]
    if preferred is None or not known:
        return preferred
    line = preferred.line
    if all(loc.line == line for loc in known):  # most statements: one line
        return preferred
    counts: dict[int, int] = {}
    for loc in known:
        counts[loc.line] = counts.get(loc.line, 0) + 1
    best = max(counts.values())
    if counts[preferred.line] == best:
        return preferred
    return next(loc for loc in known if counts[loc.line] == best)


def _bool_op(operator: ast.boolop, left: ast.expr, right: ast.expr) -> ast.expr:
    """``left and right``, flattened: ``a and b and c``, not ``a and (b and c)``.

    ``ast.unparse`` parenthesises the second and later operands of a
    boolean operator by mistake (``a and (not b)``, ``a and b and (c < d)``):
    they are written as text, parenthesised only where the operator needs it.
    """
    values: list[ast.expr] = []
    for side in (left, right):
        if isinstance(side, ast.BoolOp) and type(side.op) is type(operator):
            values += side.values
        else:
            values.append(side)
    return ast.BoolOp(
        operator, values[:1] + [_operand(operator, v) for v in values[1:]]
    )


def _operand(operator: ast.boolop, value: ast.expr) -> ast.expr:
    text = ast.unparse(value)
    looser = isinstance(value, (ast.IfExp, ast.Lambda, ast.NamedExpr)) or (
        isinstance(value, ast.BoolOp) and isinstance(operator, ast.And)
    )
    return verbatim(f"({text})" if looser else text)


def _settle(
    function: Function, hints: dict[Value, str | None], *, name_every_target: bool
) -> tuple[Inlining, Layout]:
    """Inlining and layout, with the values a loop's end copy computes inline.

    A value a loop body yields, computed from the carried values it
    replaces while one of them is still needed (``b = a + b`` when ``a =
    b`` follows), cannot take the carried value's name; rather than a copy
    of a name made up for it, the copy computes it: ``a, b = b, a + b``.
    """
    into: set[Op] = set()
    while True:
        inlining = Inlining(function, hints, into)
        layout = Layout(function, inlining, name_every_target)
        more = _computed_by_copies(function, inlining, layout, hints) - into
        if not more:
            return inlining, layout
        into |= more


def _computed_by_copies(
    function: Function,
    inlining: Inlining,
    layout: Layout,
    hints: dict[Value, str | None],
) -> set[Op]:
    found: set[Op] = set()
    for loop in layout.loops:
        parts = loop_parts(loop)
        for value, carried in zip(parts.yields, parts.carried, strict=True):
            op = value.defining_op
            if op is None or op not in layout.positions or op.parent is not parts.body:
                continue
            if op.regions or not op.definition.pure or len(op.results) != 1:
                continue
            if hints.get(value) != hints.get(carried) or value is parts.stop:
                continue
            if inlining.effective_users(value) != [parts.body.terminator]:
                continue
            point = layout.positions[op]
            if any(low <= point < high for low, high in layout.intervals(carried)):
                found.add(op)
    return found


def source_names(function: Function, parameters: list[str]) -> set[str]:
    """The names ``function``'s code uses of its own: its parameters (as
    ``parameters`` names them, and as the IR does), the globals it reads by
    name, the hints of its values."""
    names = {parameter.name for parameter in function.parameters}
    names |= set(parameters) | globals_read(function) | {function.name}
    # A global read is written as what it reads, never as a name of its own.
    hints = {
        hint
        for value, hint in _hints(function).items()
        if hint and not _reads_a_global(value)
    }
    return names | hints


def _reads_a_global(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is GLOBAL


def requests(
    function: Function, found: BindingRequests | None = None, entry: bool = True
) -> BindingRequests:
    """The bindings ``function``'s code needs (added to ``found``): every op
    written once, dry; ``entry`` says whether it is the module's entry."""
    requests = BindingRequests() if found is None else found
    if hidden_globals(function, parameter_names(function, entry)):
        requests.builtins.add("globals")  # see ``hidden_global_expression``
    written: set[tuple[object, ...]] = set()
    for op in walk(function.entry):
        if op.definition is CHECK_REAL:
            request_check(op, requests)
        elif op.definition is CHECK_SHAPES:
            requests.helpers.add("shapes_differ")
        elif not op.definition.is_terminator and not op.regions:
            if op.definition is UNDEF:
                continue
            kind = _request_kind(op)
            if kind is not None:
                if kind in written:  # asks for what the first such op asked
                    continue
                written.add(kind)
            placeholders = [ast.Name("_", ast.Load()) for _ in op.operands]
            statements = getattr(op.definition, "statements", None)
            if statements is not None:
                statements(ast.Name("_"), placeholders, op.attributes, requests)
            else:
                op.definition.emit(placeholders, op.attributes, requests)
    return requests


def _request_kind(op: Op) -> tuple[object, ...] | None:
    """What an op is written from, if its attributes are plain constants:
    its definition, how many operands it has and its attributes (each with
    its type, and a float with every bit). Two ops of one kind ask for the
    same bindings; None if an attribute is anything else."""
    kind: list[object] = [id(op.definition), len(op.operands)]
    for name, value in op.attributes.items():
        if type(value) is float:
            kind.append((name, float, value.hex()))
        elif value is None or type(value) in (str, int, bool):
            kind.append((name, type(value), value))
        else:
            return None
    return tuple(kind)


def _hints(function: Function) -> dict[Value, str | None]:
    """Each value's name hint; a returned temporary takes the return's hint.

    Reverse mode names what it returns (``z_bar``); where that is a value
    with no name of its own (``x * y``), it gets a statement of that name
    instead of being written inline into the ``return``.
    """
    hints: dict[Value, str | None] = {}
    for op in walk(function.entry):
        for region in op.regions:
            for block in region.blocks:
                hints.update((value, value.name_hint) for value in block.arguments)
        hints.update((result, result.name_hint) for result in op.results)
    terminator = function.entry.terminator
    if terminator is None:
        return hints
    names = terminator.attributes.get("hints", ())
    for value, name in zip(terminator.operands, names, strict=False):  # type: ignore[call-overload]
        op = value.defining_op
        structural = op is None or op.definition in (CONST, GLOBAL)
        if not structural and hints.get(value) is None:
            hints[value] = name
    return hints


def _is_parameter(value: Value) -> bool:
    """``value`` is an argument of the function's own block."""
    owner = value.owner
    return (
        isinstance(owner, Block)
        and owner.parent is not None
        and owner.parent.parent is None
    )
