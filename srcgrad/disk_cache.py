"""The disk cache: generated code kept between processes.

A new process that differentiates a function it differentiated before
reads the code back instead of building it: no parsing, no SymPy, no
black. An entry is one file, ``<key>.py``, holding the generated module as
it is compiled (Python source: read it, diff it), under a header of
comments: what it is the derivative of, its key, a checksum, and what its
code takes from outside (``Entry``); beside it, ``<key>.code`` keeps its
compiled code (``srcgrad.marshalled`` says when it is read). The key
(``srcgrad.cache_key``) hashes everything the code depends on, so an entry
is never out of date: editing a function or a helper makes a new key, and
an old entry is simply not read again (``srcgrad cache clear`` removes
them all).

Loading an entry executes it, so the directory is trusted only if it is
the user's own and nobody else can write to it: it is created with mode
0700, and one owned by another user or writable by group or others is
refused with a warning, and srcgrad keeps gradients in memory only. An
entry is written to a temporary file and renamed into place, so a reader
sees a whole entry or none, whatever other processes do at the same time.
An entry whose checksum (over its key, header and code) does not match is
truncated, garbled or edited: it is removed and built again, never run.
The checksum finds damage, not an attacker: the directory's permissions
are what keeps others out.

Where: ``$SRCGRAD_CACHE_DIR``, else the platform's user cache directory
(``$XDG_CACHE_HOME/srcgrad``, ``~/.cache/srcgrad``; ``~/Library/Caches``
on macOS, ``%LOCALAPPDATA%`` on Windows). ``SRCGRAD_CACHE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import warnings
from pathlib import Path
from typing import Any

from srcgrad.cache_entry import Entry, parse, render

#: The most entries kept: past it, a process that writes one removes the
#: least recently used down to 80% of it (checked at a process's first
#: write, then every ``_PRUNE_EVERY`` writes).
MAX_ENTRIES = 10_000
_PRUNE_EVERY = 100
_SUFFIX = ".py"
#: Beside an entry, its compiled code (``srcgrad.marshalled``).
_CODE_SUFFIX = ".code"
#: The files srcgrad writes: entries, their code, and either being written.
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.py")
_CODE_NAME = re.compile(r"[0-9a-f]{64}(\.opt-[12])?\.code")
_TEMPORARY_PREFIX = ".srcgrad-"
_TEMPORARY_NAME = re.compile(r"\.srcgrad-[0-9a-f]{16}-[a-z0-9_]{8}\.(py|code)")


class CacheWarning(UserWarning):
    """The disk cache can't be used; srcgrad keeps gradients in memory."""


def location() -> Path | None:
    """Where entries live, or None where the cache is off."""
    if os.environ.get("SRCGRAD_CACHE", "1").strip().lower() in (
        "0",
        "false",
        "no",
        "off",
    ):
        return None
    given = os.environ.get("SRCGRAD_CACHE_DIR")
    if given:  # absolute now: a later os.chdir must not move it
        return Path(os.path.abspath(os.path.expanduser(given)))
    return _user_cache_home() / "srcgrad"


def _user_cache_home() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) if base else Path.home() / "AppData" / "Local"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    base = os.environ.get("XDG_CACHE_HOME")
    # The XDG rule: a relative path is invalid and ignored.
    return Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"


class DiskCache:
    """Entries in one directory (see the module), by key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._usable: bool | None = None
        self._stored = 0

    def usable(self) -> bool:
        """The directory exists (made if need be) and is the user's alone;
        else warn, once, and say no."""
        if self._usable is None:
            problem = _problem_with(self.directory)
            if problem is not None:
                warnings.warn(
                    f"srcgrad's disk cache is off: {problem}; gradients are kept "
                    "in memory only (set SRCGRAD_CACHE_DIR to a directory of "
                    "your own, or SRCGRAD_CACHE=0 to silence this)",
                    CacheWarning,
                    stacklevel=_callers_level(),
                )
            self._usable = problem is None
        return self._usable

    def path(self, key: str) -> Path:
        return self.directory / f"{key}{_SUFFIX}"

    def code_path(self, key: str) -> Path:
        """Where the entry's code compiled at this ``-O`` level is kept
        (``<key>.code``, ``<key>.opt-1.code``: as ``__pycache__`` names
        them, so switching levels rewrites neither)."""
        level = sys.flags.optimize
        return self.directory / f"{key}{f'.opt-{level}' if level else ''}{_CODE_SUFFIX}"

    def load(self, key: str) -> Entry | None:
        """The entry for ``key``, if there is a sound one; a damaged one
        is removed."""
        if not self.usable():
            return None
        path = self.path(key)
        try:
            raw = _read_own_file(path).decode(errors="replace")
        except OSError:  # none, unreadable, or not ours: build, and replace it
            return None
        entry = parse(raw, key)
        with contextlib.suppress(OSError):
            if entry is None:
                path.unlink()
            else:
                os.utime(path)  # used now: pruning keeps the recently used
        return entry

    def load_code(self, key: str) -> bytes | None:
        """What the file of the entry's compiled code holds, if it is the
        user's own (``srcgrad.marshalled`` checks the rest)."""
        try:
            return _read_own_file(self.code_path(key))
        except OSError:
            return None

    def store_code(self, key: str, data: bytes) -> None:
        """Write the entry's compiled code, atomically, if the cache can be
        written."""
        if self.usable():
            _write_atomically(self.directory, self.code_path(key), data)

    def store(self, key: str, entry: Entry) -> None:
        """Write ``entry`` under ``key``, atomically; a failure to write
        (a full disk, a read-only directory) leaves the cache as it was."""
        if not self.usable():
            return
        if not _write_atomically(
            self.directory, self.path(key), render(key, entry).encode()
        ):
            return
        self._stored += 1
        if self._stored % _PRUNE_EVERY == 1:  # the first write, then every 100th
            self.prune(MAX_ENTRIES)

    def prune(self, most: int) -> int:
        """If there are more than ``most`` entries, remove the least
        recently used down to 80% of ``most``; the number removed."""
        entries = self.entries()
        if len(entries) <= most:
            return 0
        used = []
        for path in entries:
            with contextlib.suppress(OSError):
                used.append((path.stat().st_mtime_ns, path))
        used.sort()
        removed = 0
        for _, path in used[: len(used) - most * 8 // 10]:
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
            for code in _codes_of(path):
                with contextlib.suppress(OSError):
                    code.unlink()
        return removed

    def entries(self) -> list[Path]:
        """The entry files (not temporary files being written)."""
        try:
            found = list(self.directory.iterdir())
        except OSError:
            return []
        return sorted(path for path in found if _ENTRY_NAME.fullmatch(path.name))

    def info(self) -> dict[str, Any]:
        """Its location, whether it is on and usable, its entries and size."""
        entries = self.entries()
        size = 0
        for path in entries:
            with contextlib.suppress(OSError):
                size += path.stat().st_size
            for code in _codes_of(path):
                with contextlib.suppress(OSError):
                    size += code.stat().st_size
        problem = _problem_with(self.directory, create=False)
        return {
            "location": str(self.directory),
            "usable": problem is None,
            "problem": problem,
            "entries": len(entries),
            "bytes": size,
        }

    def clear(self) -> tuple[int, int]:
        """Remove every entry (and temporary files left by a crash): how
        many entries were removed, and how many could not be."""
        removed = failed = 0
        try:
            found = list(self.directory.iterdir())
        except FileNotFoundError:
            return 0, 0
        for path in found:
            entry = _ENTRY_NAME.fullmatch(path.name)
            ours = _CODE_NAME.fullmatch(path.name) or _TEMPORARY_NAME.fullmatch(
                path.name
            )
            if not (entry or ours):
                continue  # only what srcgrad writes, wherever the directory is
            try:
                path.unlink()
            except FileNotFoundError:
                continue  # another process removed it
            except OSError:
                failed += bool(entry)
                continue
            removed += bool(entry)
        return removed, failed


def _callers_level() -> int:
    """The ``stacklevel`` of the first frame outside srcgrad: the user's
    line that asked for a gradient."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _problem_with(directory: Path, create: bool = True) -> str | None:
    """Why ``directory`` can't hold code srcgrad will run, or None; with
    ``create``, it is made (mode 0700) if it does not exist."""
    try:
        return _problem_in(directory, create)
    except OSError as error:  # a parent we may not look into
        return f"{directory} can't be read ({error.strerror or error})"


def _problem_in(directory: Path, create: bool) -> str | None:
    if not directory.exists():
        if not create:
            return _cannot_create(directory)
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            return f"{directory} can't be created ({error.strerror or error})"
    try:
        found = os.stat(directory)
    except OSError as error:
        return f"{directory} can't be read ({error.strerror or error})"
    if not stat.S_ISDIR(found.st_mode):
        return f"{directory} is not a directory"
    if hasattr(os, "getuid"):  # POSIX: ownership and permissions mean something
        if found.st_uid != os.getuid():
            return f"{directory} belongs to another user"
        if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            mode = stat.S_IMODE(found.st_mode)
            return f"{directory} can be written by others (mode {mode:o}; chmod 700 it)"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} can't be written (read-only)"
    return None


def _cannot_create(directory: Path) -> str | None:
    """Why ``directory``, which does not exist, could not be made, or None."""
    parent = directory.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{directory} can't be created ({parent} is not a directory)"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{directory} can't be created ({parent} can't be written)"
    return None


def _codes_of(entry: Path) -> list[Path]:
    """The files of an entry's compiled code, at each ``-O`` level."""
    key = entry.name[: -len(_SUFFIX)]
    return [
        entry.with_name(f"{key}{level}{_CODE_SUFFIX}")
        for level in ("", ".opt-1", ".opt-2")
    ]


def _write_atomically(directory: Path, path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file renamed into
    place (readers see all of it or none); False where that failed."""
    import tempfile  # only a miss writes

    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f"{_TEMPORARY_PREFIX}{path.name[:16]}-", suffix=path.suffix,
            dir=directory,
        )  # fmt: skip
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def _read_own_file(path: Path) -> bytes:
    """What ``path`` holds, a regular file of the user's that others can't
    write (not followed if it is a link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)  # a FIFO put there must not block
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as file:
        found = os.fstat(file.fileno())
        if not stat.S_ISREG(found.st_mode):
            raise OSError(f"{path} is not a regular file")
        if hasattr(os, "getuid") and (
            found.st_uid != os.getuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            raise OSError(f"{path} is not the user's own")
        return file.read()


#: The cache of this process, made on first use (the environment is read then).
_CACHE: list[DiskCache | None] = []


def disk_cache() -> DiskCache | None:
    """The disk cache, or None where it is off (``SRCGRAD_CACHE=0``)."""
    if not _CACHE:
        directory = location()
        _CACHE.append(None if directory is None else DiskCache(directory))
    return _CACHE[0]


def reset() -> None:
    """Read the environment again on next use (tests change it)."""
    _CACHE.clear()
