"""Which certificates expire within a number of days: the check behind ``--fail-within``.

Monitoring jobs watch what is uploaded to APIM and what backends serve; they
want an exit code and one line per certificate, not a tree to read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..base._args import check_moment
from ..base._dates import iso_utc
from ..base._errors import UsageError
from ..base._face import publish
from ..pki._model import Certificate

__all__ = ["MAX_DAYS", "Expiry", "check_days", "expiring"]

MAX_DAYS = 36_500
"""The largest number of days accepted (a hundred years)."""


@dataclass(frozen=True, slots=True)
class Expiry:
    """A certificate that expires within the days asked, or already has.

    Attributes:
        certificate: The certificate.
        within_days: The number of days asked about.
        at: The moment it was judged at (UTC).
    """

    certificate: Certificate
    within_days: float
    at: datetime

    @property
    def expired(self) -> bool:
        """It is no longer valid at :attr:`at`."""
        return self.certificate.not_after < self.at

    @property
    def days_left(self) -> int:
        """Whole days from :attr:`at` to notAfter (negative once expired)."""
        return math.floor((self.certificate.not_after - self.at) / timedelta(days=1))

    @property
    def message(self) -> str:
        """One line: which certificate, when, and how far off."""
        cert = self.certificate
        what = f"{cert.role.value} '{cert.common_name}' (SHA-1 {cert.sha1})"
        # isoformat, not strftime: glibc writes year 5 as "5".
        when = cert.not_after.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes") + " UTC"
        if self.expired:
            ago = math.floor((self.at - cert.not_after) / timedelta(days=1))
            return f"expired: {what} expired on {when}, {ago} day{'s' if ago != 1 else ''} ago"
        left = self.days_left
        return (
            f"expires-soon: {what} expires on {when}, in {left} day{'s' if left != 1 else ''} "
            f"(within {self.within_days:g})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``--json`` documents show it."""
        return {
            "sha1": self.certificate.sha1,
            "subject": self.certificate.subject,
            "not_after": iso_utc(self.certificate.not_after),
            "days_left": self.days_left,
            "expired": self.expired,
            "message": self.message,
        }


def check_days(days: float) -> float:
    """``days`` as a float, or :class:`UsageError` unless it is a number from 0 to :data:`MAX_DAYS`."""
    if isinstance(days, bool) or not isinstance(days, int | float):
        raise UsageError(f"days must be a number, not {type(days).__name__}")
    if math.isnan(days) or not 0 <= days <= MAX_DAYS:
        raise UsageError(f"days must be from 0 to {MAX_DAYS:,}, not {days!r}")
    return float(days)


def expiring(
    certificates: Iterable[Certificate], *, within_days: float, at: datetime | None = None
) -> tuple[Expiry, ...]:
    """The certificates that expire within ``within_days`` of ``at`` (default now), or already have.

    Soonest first; each certificate once.

    Raises:
        UsageError: ``within_days`` is not a number from 0 to :data:`MAX_DAYS`, or
            ``at`` is outside the dates certconv can compare.
    """
    days = check_days(within_days)
    moment = check_moment(at) or datetime.now(UTC)
    try:
        limit = moment + timedelta(days=days)
    except OverflowError:  # a moment near the year 9999
        limit = datetime.max.replace(tzinfo=UTC)
    unique = {c.sha256: c for c in certificates}
    found = [Expiry(c, days, moment) for c in unique.values() if c.not_after <= limit]
    return tuple(sorted(found, key=lambda e: e.certificate.not_after))


publish(globals())
