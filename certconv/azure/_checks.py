"""The warnings Azure's limits give about a bundle, added by :func:`certconv.load`.

Chaining (:mod:`certconv.bundle._chain`) knows nothing of Azure; :func:`certconv.load`
passes :data:`BUNDLE_CHECKS` to it, so the warnings stand where they always did:
after chaining's own, before those of AIA downloads.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..base._enums import WarningCode
from ..pki._model import BundleWarning, Certificate, Role
from ._facts import APIM_CA_LIMIT

__all__ = ["BUNDLE_CHECKS", "apim_ca_limit"]


def apim_ca_limit(certificates: Sequence[Certificate]) -> list[BundleWarning]:
    """``apim-ca-limit`` when the bundle holds more CA certificates than APIM accepts."""
    count = sum(1 for c in certificates if c.role is not Role.LEAF)
    if count <= APIM_CA_LIMIT:
        return []
    return [
        BundleWarning(
            WarningCode.APIM_CA_LIMIT,
            f"{count} CA certificates (roots + intermediates): APIM accepts at most "
            f"{APIM_CA_LIMIT}; upload only those your backends' chains need",
        )
    ]


BUNDLE_CHECKS = (apim_ca_limit,)
"""Every Azure check of a bundle, in the order their warnings are listed."""
