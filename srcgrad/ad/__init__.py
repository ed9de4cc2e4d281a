"""Automatic differentiation as IR-to-IR transforms."""

from srcgrad.ad.program import reverse_program
from srcgrad.ad.reverse import reverse

__all__ = ["reverse", "reverse_program"]
