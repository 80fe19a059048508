"""Defaults shared by several modules, defined once."""

from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT", "MAX_CERTIFICATES"]

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed per network exchange: a TLS handshake (connect included), or one AIA
download from connecting to the last byte of the response."""

MAX_CERTIFICATES = 100_000
"""More certificates than this in one input is refused (the largest public trust stores hold a few hundred)."""
