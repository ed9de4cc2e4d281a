"""Formatting generated source with black (on a cache miss only)."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _mode() -> Any:
    import black  # imported on first use: a warm call never formats

    return black.Mode(line_length=88)


def format_source(text: str) -> str:
    """``text`` as black formats it."""
    import black

    return black.format_str(text, mode=_mode())
