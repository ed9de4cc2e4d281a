"""Compiled code kept beside a disk-cache entry, so that a hit need not
compile the entry's module again.

Compiling an entry (``codegen.load.compile_module``: parsing the module,
nesting its ``def``s in a factory, compiling that) took half of a hit in a
fresh process. CPython keeps a module's compiled code in ``__pycache__``;
srcgrad keeps an entry's beside it, in ``<key>.code``: the code objects,
marshalled, under a header. The entry stays the readable module, what is
run and what is shown; this is a cache of its compilation, read only with
the entry, and only if

- it was written by this very Python: the same ``sys.version``, bytecode
  magic number and ``-O`` level (marshal's format and bytecode both
  change between versions; the entry's key holds the version too);
- it was compiled from the entry's text as it is now (its SHA-256 is in
  the header, and the entry's own checksum was checked when it was read);
- it is whole: a SHA-256 over the header and the code.

Anything else (a missing, stale, damaged or foreign file) and the text is
compiled as before, and the file written again (``srcgrad.disk_cache``
gives it the entry's protections: the user's own, not written by others).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import sys
import types

Code = tuple[types.CodeType, dict[str, types.CodeType], str]

#: The first line; its format changes when the layout does.
_MAGIC = b"# srcgrad compiled code (format 1)"


def _python() -> bytes:
    """This Python, as a header line says it: its version, its bytecode's
    magic number, and its level of optimisation (``-O`` compiles code
    differently: ``assert`` statements go)."""
    magic = importlib.util.MAGIC_NUMBER.hex()
    return f"# python {sys.version!r} {magic} -O{sys.flags.optimize}".encode()


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()


def dump(text: str, code: Code) -> bytes:
    """The file for ``code`` (entry code, the functions it calls by name,
    file name), compiled from the entry's ``text``."""
    entry, others, filename = code
    payload = marshal.dumps((entry, tuple(sorted(others.items())), filename))
    head = b"\n".join((_MAGIC, _python(), b"# text " + _digest(text.encode())))
    return head + b"\n# sha256 " + _digest(head + payload) + b"\n" + payload


def load(data: bytes | None, text: str) -> Code | None:
    """The code ``data`` holds if it is whole, this Python's, and compiled
    from ``text``; else None."""
    if data is None:
        return None
    lines = data.split(b"\n", 4)
    if len(lines) != 5:
        return None
    magic, python, source, checksum, payload = lines
    if (magic, python, source) != (
        _MAGIC,
        _python(),
        b"# text " + _digest(text.encode()),
    ):
        return None
    head = b"\n".join((magic, python, source))
    if checksum != b"# sha256 " + _digest(head + payload):
        return None
    try:
        entry, others, filename = marshal.loads(payload)
        named = dict(others)
    except (EOFError, ValueError, TypeError):
        return None
    codes = [entry, *named.values()]
    if not isinstance(filename, str) or not all(
        isinstance(each, types.CodeType) for each in codes
    ):
        return None
    return entry, named, filename
