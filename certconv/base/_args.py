"""Checks of the arguments every entry point shares: a timeout and a moment.

``load``, ``split``, ``inspect``, ``verify``, ``convert`` and ``fetch`` call these
first, so a script gets the same :class:`UsageError` the command line turns into
exit code 2, whatever it passes (``inf``, ``nan``, a date whose UTC form is
outside what :class:`datetime` holds), never an ``OverflowError`` from deep inside
a socket call or a date comparison.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from ._errors import UsageError
from ._face import publish

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "check_moment", "check_timeout"]

DEFAULT_TIMEOUT = 10.0
"""Seconds per network exchange: one TLS handshake (``fetch``), one AIA download."""

MAX_TIMEOUT = 3600.0
"""The longest timeout accepted: an hour. Larger values help nobody and overflow
what sockets, ``select`` and timers take on some platforms (``1e300`` raised
``OverflowError``)."""


def check_timeout(timeout: float) -> float:
    """``timeout`` as a float, or :class:`UsageError` unless it is a number of seconds in (0, :data:`MAX_TIMEOUT`].

    ``nan``, ``inf``, zero, negative numbers and anything that is not a number are refused.
    """
    # bool is an int: True seconds is a mistake, not a timeout.
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise UsageError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    if math.isnan(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        raise UsageError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout!r}")
    return float(timeout)


def check_moment(at: datetime | None) -> datetime | None:
    """``at`` in UTC (a naive datetime is taken as UTC), ``None`` stays ``None`` (meaning now).

    Raises:
        UsageError: ``at`` is not a datetime, or its UTC form is outside years 1 to 9999
            (``0001-01-01T00:00:00+14:00`` is the last day of year 0 in UTC).
    """
    if at is None:
        return None
    if not isinstance(at, datetime):
        raise UsageError(f"at must be a datetime, not {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        return at.replace(tzinfo=UTC)
    try:
        return at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise UsageError(
            f"at {at.isoformat()} is outside the dates certconv can compare (0001-01-01 to 9999-12-31 in UTC)"
        ) from None


publish(globals())
