"""Defaults shared by several modules, defined once."""

from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed per network exchange: a TLS handshake (connect included), or one AIA
download from connecting to the last byte of the response."""
