"""What APIM's backend side offers in a TLS handshake, as Microsoft documents it: one table.

Every fact certconv uses to compare a backend's TLS versions and cipher suites
with API Management lives in :data:`APIM_BACKEND_TLS`, with the pages it comes
from and the day they were read. Change the table (and its ``checked`` date)
when Microsoft changes the pages; nothing else repeats these facts.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APIM_BACKEND_TLS", "ApimBackendTls", "ApimProtocol", "CipherSuite"]


@dataclass(frozen=True, slots=True)
class ApimProtocol:
    """One TLS version on APIM's backend side (APIM → backend).

    Attributes:
        version: ``TLS 1.2`` etc.
        default_on: Used by default.
        classic: What the classic tiers (Developer, Basic, Standard, Premium) allow.
        v2: What the v2 tiers allow.
    """

    version: str
    default_on: bool
    classic: str
    v2: str


@dataclass(frozen=True, slots=True)
class CipherSuite:
    """A cipher suite by its IANA name (what Microsoft lists) and OpenSSL's name (what a probe offers)."""

    iana: str
    openssl: str


@dataclass(frozen=True, slots=True)
class ApimBackendTls:
    """APIM's backend TLS facts, with their sources.

    Attributes:
        protocols: TLS 1.0 to 1.3 as APIM's backend side uses them.
        tls12_ciphers: The cipher suites APIM offers over TLS 1.2 by default.
        tls13_ciphers: The TLS 1.3 suites (used once backend TLS 1.3 is enabled).
        docs: The pages the facts come from.
        checked: The day certconv's authors last compared the table with them.
    """

    protocols: tuple[ApimProtocol, ...]
    tls12_ciphers: tuple[CipherSuite, ...]
    tls13_ciphers: tuple[CipherSuite, ...]
    docs: tuple[str, ...]
    checked: str

    def protocol(self, version: str) -> ApimProtocol:
        """The row of ``version`` (``TLS 1.2``)."""
        return next(p for p in self.protocols if p.version == version)

    def cipher_name(self, openssl: str) -> str:
        """The IANA name of a suite OpenSSL calls ``openssl``; ``openssl`` itself when the table has none."""
        for suite in (*self.tls12_ciphers, *self.tls13_ciphers):
            if suite.openssl == openssl:
                return suite.iana
        return openssl

    def offers(self, openssl: str) -> bool:
        """Whether APIM offers the suite OpenSSL calls ``openssl`` by default."""
        return any(s.openssl == openssl for s in (*self.tls12_ciphers, *self.tls13_ciphers))


def _suites(pairs: str) -> tuple[CipherSuite, ...]:
    return tuple(CipherSuite(*line.split()) for line in pairs.strip().splitlines())


APIM_BACKEND_TLS = ApimBackendTls(
    protocols=(
        ApimProtocol(
            "TLS 1.0",
            default_on=False,
            classic="off by default (customProperties Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
            "Backend.Protocols.Tls10 turns it on)",
            v2="off",
        ),
        ApimProtocol(
            "TLS 1.1",
            default_on=False,
            classic="off by default (customProperties …Gateway.Security.Backend.Protocols.Tls11 turns it on)",
            v2="off",
        ),
        ApimProtocol("TLS 1.2", default_on=True, classic="on by default", v2="on by default"),
        ApimProtocol(
            "TLS 1.3",
            default_on=False,
            classic="optional: Protocols + ciphers → Backend protocol → TLS 1.3",
            v2="not available",
        ),
    ),
    # The suites of customProperties: the ten that "can't be disabled since they are required by
    # internal platform components", then the nine that can be and are on by default. TLS 1.2 ones
    # only; 3DES (TripleDes168) is off by default for instances created after April 2018.
    tls12_ciphers=_suites(
        """
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 ECDHE-ECDSA-AES256-SHA384
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 ECDHE-ECDSA-AES128-SHA256
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 ECDHE-RSA-AES256-SHA384
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 ECDHE-RSA-AES128-SHA256
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA ECDHE-ECDSA-AES256-SHA
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ECDHE-ECDSA-AES128-SHA
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA ECDHE-RSA-AES256-SHA
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ECDHE-RSA-AES128-SHA
        TLS_RSA_WITH_AES_128_GCM_SHA256 AES128-GCM-SHA256
        TLS_RSA_WITH_AES_256_CBC_SHA256 AES256-SHA256
        TLS_RSA_WITH_AES_128_CBC_SHA256 AES128-SHA256
        TLS_RSA_WITH_AES_256_CBC_SHA AES256-SHA
        TLS_RSA_WITH_AES_128_CBC_SHA AES128-SHA
        """
    ),
    tls13_ciphers=_suites(
        """
        TLS_AES_256_GCM_SHA384 TLS_AES_256_GCM_SHA384
        TLS_AES_128_GCM_SHA256 TLS_AES_128_GCM_SHA256
        """
    ),
    docs=(
        "https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers",
        "https://learn.microsoft.com/rest/api/apimanagement/api-management-service/create-or-update"
        " (properties.customProperties)",
    ),
    checked="2026-12-01",
)
"""APIM's backend side: TLS 1.2 on by default; TLS 1.3 optional in the classic tiers and not
available in the v2 tiers; TLS 1.0/1.1 off by default; the default cipher suites."""
