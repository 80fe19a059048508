"""Limits shared by several readers, defined once."""

from __future__ import annotations

__all__ = ["MAX_CERTIFICATES"]

MAX_CERTIFICATES = 100_000
"""More certificates than this in one input is refused (the largest public trust stores hold a few hundred)."""
