"""Dates for people and for JSON: the one way certconv writes a moment.

Every date certconv shows or writes (tables, trees, warnings, ``UPLOAD.md``,
every JSON document) comes from these two functions, so a year is never
written two ways: ``strftime("%Y")`` writes year 5 as ``5`` on glibc, and a
table that used it once disagreed with the JSON beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_day", "iso_utc"]


def iso_utc(moment: datetime) -> str:
    """``moment`` as ISO 8601 in UTC to the second: ``2030-01-31T12:00:00Z``; a naive moment is UTC.

    The year always has four digits (``0005-01-02T…``): ``strftime("%Y")`` writes year 5
    as ``5`` on glibc, which no ISO 8601 reader accepts.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def iso_day(moment: datetime) -> str:
    """The UTC day of ``moment`` as ``2030-01-31``, the year in four digits like :func:`iso_utc`."""
    return iso_utc(moment)[:10]
