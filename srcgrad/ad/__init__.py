"""Automatic differentiation as IR-to-IR transforms."""

from srcgrad.ad.reverse import reverse

__all__ = ["reverse"]
