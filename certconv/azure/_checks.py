"""The warnings Azure's limits give about a bundle, added by :func:`certconv.load`.

Chaining (:mod:`certconv.bundle._chain`) knows nothing of Azure; :func:`certconv.load`
passes :data:`BUNDLE_CHECKS` to it, so the warnings stand where they always did:
after chaining's own, before those of AIA downloads.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509

from ..base._enums import WarningCode
from ..pki._model import BundleWarning, Certificate, Role
from ._facts import APIM_CA_LIMIT

__all__ = ["BUNDLE_CHECKS", "apim_ca_limit", "apim_not_a_ca"]


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


def apim_not_a_ca(certificates: Sequence[Certificate]) -> list[BundleWarning]:
    """``apim-not-a-ca`` for each certificate planned into store ``CertificateAuthority`` that cannot act as a CA.

    It is an intermediate because it issued another certificate of the input, but it is
    marked CA:FALSE, or is X.509 v1 without basicConstraints (only a trusted v1 root may act as a CA).
    """
    out = []
    for cert in certificates:
        if cert.role is not Role.INTERMEDIATE or cert.ca:
            continue
        why = (
            "it is X.509 v1, without basicConstraints"
            if cert.x509.version is x509.Version.v1
            else "its basicConstraints say CA:FALSE or it has none"
        )
        out.append(
            BundleWarning(
                WarningCode.APIM_NOT_A_CA,
                f"'{cert.common_name}' is planned into APIM store CertificateAuthority but cannot act as a CA ({why}): "
                "uploading it does not make it one; Windows (CA:FALSE), OpenSSL and certconv verify reject a chain "
                "through it, so APIM's backend calls through it fail ('The remote certificate is invalid according "
                "to the validation procedure'); reissue it from a real CA",
                cert.sha1,
            )
        )
    return out


BUNDLE_CHECKS = (apim_ca_limit, apim_not_a_ca)
"""Every Azure check of a bundle, in the order their warnings are listed."""
