"""``srcgrad cache info`` and ``srcgrad cache clear``: the disk cache."""

from __future__ import annotations

import argparse
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
    if found["problem"] is None:
        status = "on"
    elif not directory.exists():
        status = "on (created when a gradient is first built)"
    else:
        status = f"refused: {found['problem']}; gradients are kept in memory"
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
    removed = DiskCache(directory).clear()
    print(
        f"removed {removed} {'entry' if removed == 1 else 'entries'} from {directory}"
    )
    return 0


def _size(count: int) -> str:
    for unit in ("bytes", "kB", "MB"):
        if count < 1000 or unit == "MB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000  # type: ignore[assignment]
    raise AssertionError("unreachable")
