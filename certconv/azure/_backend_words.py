"""What APIM says, and where a backend's problem is fixed, in APIM's and the portal's words (for ``fetch``)."""

from __future__ import annotations

from ..base._enums import Origin
from ..pki._model import Role

__all__ = ["ALERT_WORDS", "APIM_CLIENT_CERTIFICATE", "ORIGIN_WORDS", "refusal_fix", "server_fix"]

APIM_CLIENT_CERTIFICATE = (
    "APIM must present a client certificate the backend trusts: upload it with its private key (PFX) to "
    "APIM → Certificates → Client certificates, then choose it in the backend's settings (APIs → Backends → "
    "the backend → Client certificate) or with the authentication-certificate policy"
)
"""Where a client certificate for a backend is set up in APIM, in the portal's words."""

ALERT_WORDS = {
    "certificate_required": "alert certificate_required",
    "handshake_failure": "alert handshake_failure",
    "unknown_ca": "alert unknown_ca: it does not trust the certificate's issuer",
    "bad_certificate": "alert bad_certificate",
    "certificate_expired": "alert certificate_expired",
    "unsupported_certificate": "alert unsupported_certificate: not a certificate for client authentication",
    "certificate_unknown": "alert certificate_unknown",
    "access_denied": "alert access_denied: the certificate is trusted but not allowed",
    "closed": "it closed the connection without an alert",
}


def refusal_fix(alert: str | None) -> str:
    """What to do when the backend refused the client certificate presented."""
    if alert == "unknown_ca":
        return (
            "the backend must trust the client certificate's issuer (add that CA to the backend's trusted client "
            "CAs), or APIM must present another certificate, from a CA the backend trusts"
        )
    return (
        "the backend refused this certificate: check it is the one the backend expects (issuer, validity, "
        "clientAuth usage, revocation), or APIM must present another certificate the backend trusts"
    )


ORIGIN_WORDS = {
    Origin.INPUT: "sent by the server",
    Origin.CA: "uploaded",
    Origin.STORE: "trust store",
    Origin.AIA: "downloaded over AIA",
}


def server_fix(code: str, top_role: Role, top_origin: Origin) -> str | None:
    """The second way out when an intermediate is missing: the server can send it."""
    if code == "missing-issuer" and top_role is Role.LEAF and top_origin is Origin.INPUT:
        return (
            "or make the server send it: put the intermediate after the leaf in the certificate file the "
            "backend's TLS configuration names (then APIM needs only the root uploaded)"
        )
    return None
