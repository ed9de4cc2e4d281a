"""Copying ops into another function (``srcgrad.ir.clone``, where passes
that inline calls use it too)."""

from srcgrad.ir.clone import AfterCopy, clone_into

__all__ = ["AfterCopy", "clone_into"]
