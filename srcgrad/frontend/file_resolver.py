"""What a free name means in a file that ``srcgrad show`` reads but never runs.

The file's top-level statements are read in order, the way an import runs
them, tracking what each name is bound to. Where the object is known without
running the file (``math`` and ``numpy``, their attributes, aliases of those
such as ``fn = math.sin``, the builtins) it is classified with
``classify_variable``, exactly as ``LiveResolver`` classifies the object it
finds in a live function's globals; so ``from math import pi`` is a global
read at run time in both, and ``fn = math.sin`` is ``math.sin`` in both.

Where the object is not known (an assignment from a call, a name bound
conditionally or in several places, a name from another module), the name
is never guessed: it becomes a global read when the gradient runs if every
binding of it is a value, and otherwise an ``OtherBinding`` whose use is a
clear error saying why.

Which statements run when the module is imported:

- top-level statements, and the body, ``else`` and ``finally`` of a ``try``
  whose body cannot fail here (it imports what is importable and assigns
  literals), so that its ``except ImportError`` handlers do not run;
- not the body of ``if TYPE_CHECKING:`` (nor ``if typing.TYPE_CHECKING:``),
  which only type checkers read; its ``else`` does run;
- anything else (``if``, loops, ``with``, ``match``, other ``try``
  statements, names a function rebinds with ``global``) may or may not run.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, replace
from types import ModuleType

from srcgrad.frontend.file_bindings import (
    attribute_binding,
    module_or_why,
    unread_binding,
    value_binding,
)
from srcgrad.frontend.file_functions import FileFunction, FileFunctions
from srcgrad.frontend.file_lookup import Definition, StarImport, When, lookup
from srcgrad.frontend.files import ParsedFile
from srcgrad.frontend.module_scope import (
    DEFINITIONS,
    assigns_a_literal,
    bound_names,
    is_type_checking_flag,
    rebound_by_functions,
    walrus_targets,
)
from srcgrad.frontend.resolve import (
    RULE_MODULES,
    Binding,
    FunctionBinding,
    GlobalBinding,
    OtherBinding,
    Resolver,
    classify_variable,
)

#: Modules whose ``TYPE_CHECKING`` is False when the code runs.
_TYPING_MODULES = ("typing", "typing_extensions")


class FileResolver:
    """Resolves names from a file's own imports and definitions, unrun.

    Only ``math`` and ``numpy`` (what srcgrad has rules for) are imported; an
    import of anything else resolves to an ``OtherBinding``. A ``def`` is a
    ``FunctionBinding`` (see ``file_functions``): calls to it are lowered
    from its source, or refused as ``srcgrad.grad`` refuses what it holds.
    """

    def __init__(self, parsed: ParsedFile) -> None:
        module = parsed.module
        self._functions = FileFunctions(parsed, self)
        self._definitions: dict[str, list[Definition]] = {}
        self._stars: list[StarImport] = []  # `from elsewhere import *`
        # Names whose object is known at the statement being read.
        self._objects: dict[str, object] = {}
        # Names bound to the typing module, and to its TYPE_CHECKING flag.
        self._typing_modules: set[str] = set()
        self._type_checking_flags: set[str] = set()
        self._order = 0
        for order, statement in enumerate(module.body):
            self._order = order
            self._record(statement, When.ALWAYS)
        for order, name, line in rebound_by_functions(module):
            self._order = order
            self._bind(name, value_binding(name), line, When.MAYBE)

    def resolve(self, name: str) -> Binding | None:
        """What ``name`` refers to once the whole file has run (see
        ``file_lookup.lookup``)."""
        return self._resolve(name, None)

    def before(self, statement: int) -> Resolver:
        """A resolver for what names are bound to when top-level statement
        number ``statement`` runs: what a decorator on a ``def`` sees."""
        return _ResolverBefore(self, statement)

    def _resolve(self, name: str, before: int | None) -> Binding | None:
        return lookup(name, self._definitions.get(name, []), self._stars, before)

    # -- statements --------------------------------------------------------
    def _record(self, statement: ast.stmt, when: When) -> None:
        for name in walrus_targets(statement):
            self._bind(name, value_binding(name), statement.lineno, When.MAYBE)
        if isinstance(statement, ast.Import):
            self._import(statement, when)
        elif isinstance(statement, ast.ImportFrom):
            self._import_from(statement, when)
        elif isinstance(statement, DEFINITIONS):
            defined = self._functions.definition(statement)
            self._bind_found(statement.name, defined, statement.lineno, when)
        elif isinstance(statement, ast.Assign):
            found = self._evaluate(statement.value)
            for target in statement.targets:
                self._assign(target, found, statement.lineno, when)
                if is_type_checking_flag(target, statement.value):
                    self._type_checking_flags.add("TYPE_CHECKING")
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:  # `x: float` alone binds nothing
                found = self._evaluate(statement.value)
                self._assign(statement.target, found, statement.lineno, when)
        elif isinstance(statement, ast.AugAssign):
            self._assign(statement.target, _UNKNOWN, statement.lineno, when)
        elif isinstance(statement, ast.If) and self._is_type_checking(statement.test):
            self._record_all(statement.body, When.NEVER)
            self._record_all(statement.orelse, when)
        elif isinstance(statement, ast.Try) and self._cannot_fail(statement.body):
            # The body cannot raise ImportError here: its handlers never run.
            self._record_all(statement.body, when)
            self._record_all(statement.orelse, when)
            self._record_all(statement.finalbody, when)
        else:
            self._record_maybe(statement)

    def _record_all(self, statements: list[ast.stmt], when: When) -> None:
        for statement in statements:
            self._record(statement, when)

    def _record_maybe(self, statement: ast.stmt) -> None:
        """A statement that may or may not bind what it binds (``if``, loops)."""
        for field in ast.iter_child_nodes(statement):
            if isinstance(field, ast.stmt):
                self._record(field, When.MAYBE)
            elif isinstance(field, (ast.ExceptHandler, ast.match_case)):
                for name in bound_names(field):
                    self._bind(name, value_binding(name), statement.lineno, When.MAYBE)
                self._record_all(field.body, When.MAYBE)
            else:  # targets: `for i in`, `with ... as f`, `del x`
                for name in bound_names(field):
                    self._bind(name, value_binding(name), statement.lineno, When.MAYBE)

    def _import(self, statement: ast.Import, when: When) -> None:
        for alias in statement.names:
            # `import a.b` binds `a`; `import a.b as c` binds the module a.b.
            dotted = alias.name if alias.asname else alias.name.split(".")[0]
            bound = alias.asname or dotted
            found = module_or_why(dotted, statement.lineno)
            self._bind_found(bound, found, statement.lineno, when)
            if dotted in _TYPING_MODULES:
                self._typing_modules.add(bound)

    def _import_from(self, statement: ast.ImportFrom, when: When) -> None:
        line = statement.lineno
        dotted = "." * statement.level + (statement.module or "")
        source = module_or_why(dotted, line) if statement.level == 0 else None
        for alias in statement.names:
            bound = alias.asname or alias.name
            if dotted in _TYPING_MODULES and alias.name == "TYPE_CHECKING":
                self._type_checking_flags.add(bound)
            if alias.name == "*":
                self._import_all(source, dotted, line, when)
            elif isinstance(source, ModuleType):
                self._bind_found(
                    bound, attribute_binding(source, alias.name, line), line, when
                )
            elif source is None or dotted.split(".")[0] not in RULE_MODULES:
                self._bind(bound, unread_binding(alias.name, dotted, line), line, when)
            else:  # a module with rules that does not import: Python fails too
                self._bind(bound, source, line, when)

    def _import_all(
        self,
        source: ModuleType | OtherBinding | None,
        dotted: str,
        line: int,
        when: When,
    ) -> None:
        """``from math import *``: every public name of a module with rules."""
        if not isinstance(source, ModuleType):
            if when is not When.NEVER:
                # Any name may come from it: one bound before it is unknowable.
                self._stars.append(StarImport(dotted, line, self._order))
                self._objects.clear()
            return
        public = getattr(source, "__all__", None) or [
            name for name in dir(source) if not name.startswith("_")
        ]
        for name in public:
            if hasattr(source, name):
                self._bind_found(name, getattr(source, name), line, when)

    def _assign(self, target: ast.expr, found: object, line: int, when: When) -> None:
        """``target = value``, where ``found`` is what ``_evaluate`` made of
        the value (``_UNKNOWN`` for ``target += ...``)."""
        if isinstance(target, ast.Name):
            if found is _UNKNOWN or isinstance(found, _Parts):
                self._bind(target.id, value_binding(target.id), line, when)
            else:
                self._bind_found(target.id, found, line, when)
        elif (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(found, _Parts)
            and len(target.elts) == len(found.parts)
            and not any(isinstance(node, ast.Starred) for node in target.elts)
        ):
            for part, part_found in zip(target.elts, found.parts, strict=True):
                self._assign(part, part_found, line, when)
        else:  # `a, b = pair()`, `obj.attr = 1`: names bound to unknown objects
            for name in bound_names(target):
                self._bind(name, value_binding(name), line, when)

    def _evaluate(self, node: ast.expr | None) -> object:
        """The object ``node`` holds, or for a tuple display its parts'
        objects, all evaluated before any is assigned (as in ``a, b = b, a``)."""
        if isinstance(node, (ast.Tuple, ast.List)) and not any(
            isinstance(element, ast.Starred) for element in node.elts
        ):
            return _Parts(tuple(self._evaluate(element) for element in node.elts))
        return self._static_object(node)

    # -- bindings ----------------------------------------------------------
    def _bind_found(self, name: str, found: object, line: int, when: When) -> None:
        """Bind ``name`` to a known object (a function of the file too), or
        to a binding that says what it is instead."""
        if isinstance(found, (OtherBinding, GlobalBinding)):
            self._bind(name, found, line, when)
            return
        if isinstance(found, FileFunction):
            self._bind(name, found.named(name), line, when)
        else:
            self._bind(name, classify_variable(name, found), line, when)
        if when is When.ALWAYS:
            self._objects[name] = found

    def _bind(self, name: str, binding: Binding, line: int, when: When) -> None:
        self._definitions.setdefault(name, []).append(
            Definition(binding, line, self._order, when)
        )
        if when is not When.NEVER:
            self._objects.pop(name, None)

    def _static_object(self, node: ast.expr | None) -> object:
        """The object a name or ``module.attribute`` chain holds right now,
        or the function a ``lambda`` makes."""
        if isinstance(node, ast.Lambda):
            return self._functions.lambda_function(node)
        if isinstance(node, ast.Name):
            if node.id in self._objects:
                return self._objects[node.id]
            if node.id not in self._definitions and not self._stars:
                return getattr(builtins, node.id, _UNKNOWN)
            return _UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self._static_object(node.value)
            if isinstance(base, ModuleType):
                return getattr(base, node.attr, _UNKNOWN)
        return _UNKNOWN

    def _cannot_fail(self, statements: list[ast.stmt]) -> bool:
        """Whether ``statements`` cannot raise here: imports of what imports,
        and assignments of literals (``HAVE_NUMPY = True``)."""
        return bool(statements) and all(
            assigns_a_literal(statement) or self._imports(statement)
            for statement in statements
        )

    @staticmethod
    def _imports(statement: ast.stmt) -> bool:
        """Whether ``statement`` is an import that succeeds here."""
        if isinstance(statement, ast.Import):
            found: list[object] = [
                module_or_why(alias.name, 0) for alias in statement.names
            ]
        elif isinstance(statement, ast.ImportFrom) and statement.level == 0:
            source = module_or_why(statement.module or "", 0)
            found = [
                (
                    attribute_binding(source, alias.name, 0)
                    if isinstance(source, ModuleType) and alias.name != "*"
                    else source
                )
                for alias in statement.names
            ]
        else:
            return False
        return not any(isinstance(each, OtherBinding) for each in found)

    def _is_type_checking(self, test: ast.expr) -> bool:
        """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``, under any alias."""
        if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
            return isinstance(test.value, ast.Name) and (
                test.value.id in self._typing_modules
            )
        return isinstance(test, ast.Name) and test.id in self._type_checking_flags


class _ResolverBefore:
    """A ``FileResolver`` seen from one top-level statement."""

    def __init__(self, resolver: FileResolver, statement: int) -> None:
        self.resolver = resolver
        self.statement = statement

    def resolve(self, name: str) -> Binding | None:
        """What ``name`` refers to when the statement runs; a function of the
        file reads its own names as they are then, too."""
        binding = self.resolver._resolve(name, self.statement)
        if isinstance(binding, FunctionBinding) and binding.source is not None:
            return replace(binding, resolver=self)
        return binding


class _Unknown:
    """The object of a name show cannot know without running the file."""


_UNKNOWN = _Unknown()


@dataclass(frozen=True)
class _Parts:
    """The objects of a tuple display's elements, before any is assigned."""

    parts: tuple[object, ...]
