"""One disk-cache entry's file: the generated module under four comment
lines (what it is of, its key, a checksum, and its facts as JSON), and
the checks that read it back only whole, for its key and unaltered."""

from __future__ import annotations

import dataclasses
from typing import Any

#: Changes when the layout of an entry does.
ENTRY_FORMAT = 1
_MAGIC = "# srcgrad cache entry"


@dataclasses.dataclass(frozen=True)
class Entry:
    """What an entry holds: the module's text, and its header's facts.

    Attributes:
        text: the generated module, as compiled.
        meta: what the code takes from outside and what it is the
            derivative of (``srcgrad.compiled`` writes and reads it), as
            JSON values.
    """

    text: str
    meta: dict[str, Any]


def checksum(key: str, meta: str, text: str) -> str:
    import hashlib  # imported with the first entry read or written

    return hashlib.sha256("\0".join((key, meta, text)).encode()).hexdigest()


def render(key: str, entry: Entry) -> str:
    """An entry file: four comment lines, then the module."""
    import json

    meta = json.dumps(entry.meta, sort_keys=True, separators=(",", ":"))
    label = entry.meta.get("label", "?")
    return (
        f"{_MAGIC} (format {ENTRY_FORMAT}) for {label}; srcgrad reads it back\n"
        f"# key: {key}\n"
        f"# sha256: {checksum(key, meta, entry.text)}\n"
        f"# meta: {meta}\n"
        f"{entry.text}"
    )


def parse(raw: str, key: str) -> Entry | None:
    """The entry ``raw`` holds if it is whole, for ``key`` and unaltered."""
    lines = raw.split("\n", 4)
    if len(lines) != 5 or not lines[0].startswith(f"{_MAGIC} (format {ENTRY_FORMAT})"):
        return None
    key_line, sum_line, meta_line, text = lines[1:]
    if key_line != f"# key: {key}" or not meta_line.startswith("# meta: "):
        return None
    meta = meta_line.removeprefix("# meta: ")
    if sum_line != f"# sha256: {checksum(key, meta, text)}":
        return None
    import json

    try:
        decoded = json.loads(meta)
    except ValueError:
        return None
    return Entry(text, decoded) if isinstance(decoded, dict) else None
