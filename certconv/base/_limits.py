"""Limits shared by several stages, defined once."""

from __future__ import annotations

__all__ = ["MAX_CERTIFICATES", "SEARCH_BUDGET", "TOTAL_SEARCH_BUDGET"]

MAX_CERTIFICATES = 100_000
"""More certificates than this in one input is refused (the largest public trust stores hold a few hundred)."""

SEARCH_BUDGET = 10_000
"""Path-search steps one certificate may take (classifying a bundle, verifying a chain)."""

TOTAL_SEARCH_BUDGET = 200_000
"""Path-search steps a whole input may take: many small meshes each used the per-certificate budget."""
