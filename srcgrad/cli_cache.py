"""``srcgrad cache info`` and ``srcgrad cache clear``: the disk cache."""

from __future__ import annotations

import argparse
import os
from typing import Any

from srcgrad.disk_cache import DiskCache, location


def add_cache_command(commands: Any) -> None:
    """The ``cache`` command, under ``commands`` (argparse subparsers)."""
    cache = commands.add_parser(
        "cache",
        help="show or clear the disk cache of generated code",
        description="The disk cache keeps generated code between processes "
        "($SRCGRAD_CACHE_DIR, else the user cache directory; SRCGRAD_CACHE=0 "
        "turns it off).",
    )
    actions = cache.add_subparsers(required=True, metavar="action")
    info = actions.add_parser("info", help="where it is, its entries and size")
    info.set_defaults(run=_info)
    clear = actions.add_parser("clear", help="remove every entry")
    clear.set_defaults(run=_clear)


def _info(arguments: argparse.Namespace) -> int:
    directory = location()
    if directory is None:
        print("disk cache: off (SRCGRAD_CACHE=0)")
        return 0
    found = DiskCache(directory).info()
    if found["problem"] is not None:
        status = f"refused: {found['problem']}; gradients are kept in memory"
    elif not os.path.isdir(directory):
        status = "on (created when a gradient is first built)"
    else:
        status = "on"
    print(f"location: {found['location']}")
    print(f"status:   {status}")
    print(f"entries:  {found['entries']}")
    print(f"size:     {_size(found['bytes'])}")
    return 0


def _clear(arguments: argparse.Namespace) -> int:
    directory = location()
    if directory is None:
        print("disk cache: off (SRCGRAD_CACHE=0); nothing to clear")
        return 0
    try:
        removed, failed = DiskCache(directory).clear()
    except OSError as error:
        print(f"srcgrad: can't read {directory} ({error.strerror or error})")
        return 1
    entries = "entry" if removed == 1 else "entries"
    print(f"removed {removed} {entries} from {directory}")
    if failed:
        print(f"srcgrad: {failed} could not be removed (is {directory} read-only?)")
        return 1
    return 0


def _size(count: int) -> str:
    for unit in ("bytes", "kB", "MB"):
        if count < 1000 or unit == "MB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000  # type: ignore[assignment]
    raise AssertionError("unreachable")
