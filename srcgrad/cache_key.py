"""The disk cache's key: a hash of everything generated code depends on.

In memory, a gradient is kept by the identity of the function's code (see
``srcgrad.api``); between processes identities mean nothing, so the disk
cache's key hashes what the code is made from:

- for the function and every function of the user's it reaches through
  calls: its module, qualified name, file and first line (comments in the
  generated code quote lines by number), its source lines, its compiled
  code (so a file edited since it was imported never passes for the code
  that runs), what each name it reads resolves to (``math``, ``np.sin``,
  a helper, a global read when the code runs), and its defaults;
- the options: ``wrt``, the derivative asked for, the types of an array
  build, and the compiler's settings (``srcgrad.settings``);
- the environment: srcgrad's own files (its version and primitive table
  with them) and the Python version, as one digest made once per process.

The libraries srcgrad uses, NumPy (rules for arrays are written for it) and
SymPy (which derives the rare rule no recording holds), are not in the
key: most code owes them nothing (a gradient for numbers, one built
without SymPy), and finding where one is installed without importing it is
a search of ``sys.path`` that took a tenth of a disk-cache hit. A build
records the installation of each of them loaded in its process in the
entry (``libraries_loaded``: a build that never loaded one did not use
it), and the entry is read back only where each is installed where and as
it was (``same_libraries``).

Where any of that can't be written down the same way in another process
(a default that is an object rather than a literal number), there is no
key, and the gradient is kept in memory only.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import linecache
import os
import sys
import types
from collections.abc import Hashable

import srcgrad.settings as settings
from srcgrad.reach import Identity, Meanings, meanings, reached


class _NoKey(Exception):
    """Something the code depends on has no description that holds in
    another process."""


def disk_key(
    function: types.FunctionType,
    meant: Meanings,
    calls_others: bool,
    options: Hashable,
) -> str | None:
    """The key of the code built from ``function`` (whose ``meanings`` are
    ``meant``; ``calls_others`` if it reaches functions of the user's) with
    ``options``, or None if it can't have one."""
    functions = reached(function, meant) if calls_others else [function]
    # A function of the user's a name is bound to is said by its place here:
    # two may have one module and name (lambdas, a factory's functions).
    places = {id(each): index for index, each in enumerate(functions)}
    try:
        described = [
            _function(each, meant if index == 0 else meanings(each), places)
            for index, each in enumerate(functions)
        ]
    except _NoKey:
        return None
    text = repr((environment(), settings.snapshot(), described, options))
    return hashlib.sha256(text.encode()).hexdigest()


def _function(
    function: types.FunctionType, meant: Meanings, places: dict[int, int]
) -> tuple[object, ...]:
    code = function.__code__
    return (
        function.__module__,
        function.__qualname__,
        code.co_filename,
        code.co_firstlineno,
        _source(function),
        _code(code),
        tuple((name, _meaning(meaning, places)) for name, meaning in meant),
        tuple(_value(value) for value in function.__defaults__ or ()),
        tuple(
            (name, _value(value))
            for name, value in sorted((function.__kwdefaults__ or {}).items())
        ),
    )


def _source(function: types.FunctionType) -> str:
    """The lines ``function``'s code comes from, as the frontend reads them."""
    code = function.__code__
    lines = linecache.getlines(code.co_filename, function.__globals__)
    if not lines:
        raise _NoKey  # no source: the build fails, and says why
    return "".join(lines[code.co_firstlineno - 1 : _last_line(code)])


def _last_line(code: types.CodeType) -> int:
    """The last line any of ``code`` (nested code too) spans: where its
    instructions start and, on Python 3.11+, where they end (without debug
    ranges, ``-X no_debug_ranges``, only the starts are known)."""
    lines = [line for _, _, line in code.co_lines() if line is not None]
    if hasattr(code, "co_positions"):
        lines += [end for _, end, _, _ in code.co_positions() if end is not None]
    last = max(lines, default=code.co_firstlineno)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            last = max(last, _last_line(constant))
    return last


def _code(code: types.CodeType) -> tuple[object, ...]:
    """What ``code`` does, without where its lines are."""
    return (
        code.co_name,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        code.co_code,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        tuple(_constant(constant) for constant in code.co_consts),
    )


def _constant(value: object) -> object:
    if isinstance(value, types.CodeType):
        return _code(value)
    if isinstance(value, tuple):
        return ("tuple", tuple(_constant(item) for item in value))
    if isinstance(value, frozenset):  # iteration order varies between processes
        return ("frozenset", tuple(sorted(repr(_constant(item)) for item in value)))
    return (type(value).__name__, repr(value))


def _value(value: object) -> object:
    """A default, if it is a literal that means the same in any process."""
    if value is None or type(value) in (bool, int, float, complex, str):
        return (type(value).__name__, repr(value))
    raise _NoKey


def _meaning(meaning: Hashable, places: dict[int, int]) -> object:
    """A name's meaning (``srcgrad.reach``), each object in it written as
    what it is rather than which it is (``_object``)."""
    if isinstance(meaning, Identity):
        return _object(meaning.held, places)
    if isinstance(meaning, tuple):
        return tuple(_meaning(part, places) for part in meaning)
    return meaning  # a kind, a name, or None


def _object(value: object, places: dict[int, int]) -> object:
    """A function of the user's by its place among those reached (each
    described in full); a module by its name; any other callable by its
    type and its own module and name."""
    if id(value) in places:
        return ("reached", places[id(value)])
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", None)
    if not isinstance(name, str) or not isinstance(module, (str, type(None))):
        raise _NoKey  # a callable object: nothing to know it by elsewhere
    kind = type(value)
    return (kind.__module__, kind.__qualname__, module, name)


@functools.cache
def environment() -> str:
    """A digest of what the code depends on beyond the user's and the
    libraries (``libraries_loaded``): srcgrad's files and Python."""
    digest = hashlib.sha256(f"{sys.version}\n{sys.implementation.cache_tag}".encode())
    for line in _package_files():
        digest.update(line.encode())
    return digest.hexdigest()


#: Libraries a build may use that the key leaves out (see the module).
_RECORDED_LIBRARIES = ("numpy", "sympy")


def libraries_loaded() -> dict[str, list[object]]:
    """Where each library the key leaves out is installed, for those loaded
    in this process: what an entry built now may owe them."""
    return {
        name: list(_installed(name))
        for name in _RECORDED_LIBRARIES
        if name in sys.modules
    }


def same_libraries(recorded: object) -> bool:
    """The libraries an entry recorded (``libraries_loaded``) are installed
    where and as they were; an entry that recorded none owes them nothing."""
    if not isinstance(recorded, dict) or set(recorded) - set(_RECORDED_LIBRARIES):
        return False
    return all(list(_installed(name)) == were for name, were in recorded.items())


def _package_files() -> list[str]:
    """Each of srcgrad's source files, its size and modification time, a
    line each, in order. One stat a file, and little else: this is most of
    a disk-cache hit in a fresh process (a directory's time would not do,
    an edit in place does not change it)."""
    found: list[str] = []
    pending = [os.path.dirname(os.path.abspath(__file__))]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".py"):
                    status = entry.stat()
                    found.append(
                        f"\n{entry.path} {status.st_size} {status.st_mtime_ns}"
                    )
                elif name != "__pycache__" and entry.is_dir():
                    pending.append(entry.path)
    found.sort()
    return found


def _installed(module: str) -> tuple[object, ...]:
    """Where ``module`` is installed, and its size and time there."""
    loaded = sys.modules.get(module)
    spec = getattr(loaded, "__spec__", None) or importlib.util.find_spec(module)
    origin = getattr(spec, "origin", None)
    if not origin:
        return (module, None)
    status = os.stat(origin)
    return (module, origin, status.st_size, status.st_mtime_ns)
