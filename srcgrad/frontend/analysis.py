"""What the lowering needs to know about statements before lowering them.

All of it is read off the AST: which names a piece of code reads (so a
branch merge or a loop keeps only values someone can still read), which it
assigns (so a loop knows what it carries), and whether a statement list
always leaves early (so the code after an ``if`` whose branch returns goes
into the other branch instead of behind a guard).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


#: Leaves no analysis asks about: ``Load``, ``Store``, ``Add``, ``Not``...
_MARKERS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


#: Fields that hold a marker, a name, a number or a string in every node
#: that has them (``ctx``, ``op``, ``id``, ``attr``...): never a child.
#: (Not ``name``: a ``type`` statement's is a ``Name``, from Python 3.12.)
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "module", "level", "kind"}
    | {"type_comment", "is_async", "conversion"}
)

#: The fields of each kind of node that may hold children, as first met.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The children of ``node``, as ``ast.iter_child_nodes`` gives them,
    but for context and operator markers (``Load``, ``Add``); a list, not
    nested generators, as every walk of a long function makes this call at
    each node."""
    found: list[ast.AST] = []
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _CHILD_FIELDS[type(node)] = tuple(
            name for name in node._fields if name not in _LEAF_FIELDS
        )
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, list):
            found += [
                item
                for item in value
                if isinstance(item, ast.AST) and not isinstance(item, _MARKERS)
            ]
        elif isinstance(value, ast.AST) and not isinstance(value, _MARKERS):
            found.append(value)
    return found


def _nodes(roots: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``roots`` (markers aside: ``child_nodes``), not
    descending into nested scopes."""
    pending = list(roots)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, _SCOPES):
            pending += child_nodes(node)


def reads(roots: Iterable[ast.AST]) -> frozenset[str]:
    """The names ``roots`` read (``x += 1`` reads ``x``)."""
    found: set[str] = set()
    for node in _nodes(roots):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return frozenset(found)


def last_reads(
    body: list[ast.stmt], known: Mapping[ast.stmt, frozenset[str]] | None = None
) -> dict[str, int]:
    """For each name ``body`` reads, the index of the last statement reading
    it: one walk of each statement (or what ``known`` says it reads). A
    name is read after statement ``i`` when its last read is after ``i`` (a
    set per statement would make a long body quadratic)."""
    found: dict[str, int] = {}
    for index, statement in enumerate(body):
        names = None if known is None else known.get(statement)
        found.update(
            dict.fromkeys(reads([statement]) if names is None else names, index)
        )
    return found


@dataclass(frozen=True)
class Scan:
    """What one walk of a function's body finds (``scan_body``).

    Attributes:
        bound: the names its own scope binds (``local_names``, parameters
            aside).
        reads: the names each statement of the body reads (``reads``).
        yields: its ``yield`` expressions, which make it a generator (also
            those of an ``async def`` in it).
        tuples_returned: its ``return`` statements that write a tuple out,
            with no starred item (those of an ``async def`` in it too).
    """

    bound: frozenset[str]
    reads: Mapping[ast.stmt, frozenset[str]]
    yields: tuple[ast.expr, ...]
    tuples_returned: tuple[ast.Return, ...]

    @property
    def returned_shape(self) -> int | None:
        """The length of the tuple the last such ``return`` writes out, or
        None for one value."""
        last = max(
            self.tuples_returned,
            key=lambda found: (found.lineno, found.col_offset),
            default=None,
        )
        return None if last is None else len(last.value.elts)  # type: ignore[union-attr]


def scan_body(function: ast.FunctionDef) -> Scan:
    """The names ``function``'s body binds, what each of its statements
    reads, its yields and its tuples returned, in one walk of it (four
    walks of a long function otherwise, each costing as much)."""
    bound: set[str] = set()
    statement_reads: dict[ast.stmt, frozenset[str]] = {}
    yields: list[ast.expr] = []
    returned: list[ast.Return] = []
    for statement in function.body:
        found: set[str] = set()
        for node in _nodes([statement]):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    found.add(node.id)
                elif isinstance(node.ctx, ast.Store):
                    bound.add(node.id)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                found.add(node.target.id)
            elif isinstance(node, _DEFINITIONS):
                bound.add(node.name)
                if isinstance(node, ast.AsyncFunctionDef):
                    _exits_inside(node, yields, returned)
            _exit(node, yields, returned)
        statement_reads[statement] = frozenset(found)
    return Scan(frozenset(bound), statement_reads, tuple(yields), tuple(returned))


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _exit(node: ast.AST, yields: list[ast.expr], returned: list[ast.Return]) -> None:
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        yields.append(node)
    elif (
        isinstance(node, ast.Return)
        and isinstance(node.value, ast.Tuple)
        and not any(isinstance(item, ast.Starred) for item in node.value.elts)
    ):
        returned.append(node)


def _exits_inside(
    definition: ast.AsyncFunctionDef,
    yields: list[ast.expr],
    returned: list[ast.Return],
) -> None:
    """The yields and tuples returned of an ``async def``, and of what it
    holds but functions, lambdas and classes."""
    pending = child_nodes(definition)
    while pending:
        node = pending.pop()
        _exit(node, yields, returned)
        if not isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
            pending += child_nodes(node)


@dataclass(frozen=True)
class LiveNames:
    """The names the code after a point reads, asked one at a time.

    ``names`` are read; so is each name of ``last`` (``last_reads`` of a
    statement list) whose last read is after the statement at ``index``;
    and so is what ``outer``, the code after the list, reads.
    """

    names: frozenset[str] = frozenset()
    last: Mapping[str, int] = field(default_factory=dict)
    index: int = 0
    outer: LiveNames | None = None

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        live: LiveNames | None = self
        while live is not None:
            if name in live.names or live.last.get(name, -1) > live.index:
                return True
            live = live.outer
        return False

    def with_names(self, names: frozenset[str]) -> LiveNames:
        """These names and ``names``."""
        return LiveNames(names, outer=self) if names else self


def stores(roots: Iterable[ast.AST]) -> frozenset[str]:
    """The names ``roots`` assign (loop targets included), and those of the
    arrays they write items of (``y[i] = v`` gives ``y`` a new value)."""
    found: set[str] = set()
    for node in _nodes(roots):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
        ):
            found.add(node.value.id)
        elif appended_to(node) is not None:
            found.add(appended_to(node))  # type: ignore[arg-type]
    return frozenset(found)


def appended_to(node: ast.AST) -> str | None:
    """The name ``xs`` of a statement ``xs.append(v)`` (it gives ``xs`` a
    new value, as an assignment does), else None."""
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return None
    function = node.value.func
    if (
        isinstance(function, ast.Attribute)
        and function.attr == "append"
        and isinstance(function.value, ast.Name)
    ):
        return function.value.id
    return None


def local_names(function: ast.FunctionDef | ast.Lambda) -> set[str]:
    """Names Python treats as local: the parameters and every name bound in
    the function's own scope (a nested ``def`` binds its name; the names
    bound inside it are its own)."""
    names = parameter_names(function)
    for node in _nodes(_body(function)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def parameter_names(function: ast.FunctionDef | ast.Lambda) -> set[str]:
    """The names of ``function``'s parameters."""
    return {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}


def free_names(function: ast.FunctionDef | ast.Lambda) -> set[str]:
    """Names ``function`` (or a function nested in it) reads but does not bind.

    The defaults of a nested ``def`` are read in the scope around it, as
    Python evaluates them when the ``def`` runs.
    """
    found: set[str] = set()
    for node in _nodes(_body(function)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            found |= free_names(node)
            defaults = node.args.defaults + node.args.kw_defaults
            found |= reads(default for default in defaults if default is not None)
    return found - local_names(function)


def _body(function: ast.FunctionDef | ast.Lambda) -> list[ast.AST]:
    if isinstance(function, ast.Lambda):
        return [function.body]
    return list(function.body)


def always_exits(body: list[ast.stmt]) -> bool:
    """``body`` never runs to its end: it returns, breaks or continues.

    Syntactic: a statement that exits, or an ``if`` whose two branches both
    always exit. A loop that always returns is not counted.
    """
    return any(_exits(statement) for statement in body)


def _exits(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Return, ast.Break, ast.Continue)):
        return True
    if isinstance(statement, ast.If):
        return always_exits(statement.body) and always_exits(statement.orelse)
    return False


def is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
