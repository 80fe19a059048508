"""Certificate-only PKCS#12 files that Java reads as trusted entries (and OpenSSL and Windows read too).

Java's PKCS12 keystore counts a certificate bag as a ``trustedCertEntry`` only
when the bag carries Oracle's trusted-key-usage attribute (OID
2.16.840.1.113894.746875.1.1); a plain certificate bag is skipped, and
``keytool -list`` shows 0 entries. ``cryptography``'s
``pkcs12.serialize_java_truststore`` writes that attribute (anyExtendedKeyUsage,
as keytool does), and the file stays an ordinary PKCS#12: ``openssl pkcs12`` and
Windows import it as before. Every certificate-only PFX certconv writes goes
through here.

Aliases are the bags' friendly names; Java looks aliases up without regard to
case, so two certificates with the same name get their short thumbprint added
instead of one hiding the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ..pki._model import Certificate

__all__ = ["aliases", "java_truststore"]


def aliases(certs: Sequence[Certificate]) -> list[str]:
    """One alias per certificate: its friendly name or common name, unique ignoring case."""
    wanted = [(c.friendly_name or c.common_name).strip() or c.sha1[:8] for c in certs]
    folded = [w.casefold() for w in wanted]
    out = []
    for cert, name, key in zip(certs, wanted, folded, strict=True):
        out.append(f"{name} ({cert.sha1[:8]})" if folded.count(key) > 1 else name)
    return out


def java_truststore(
    certs: Sequence[Certificate], encryption: serialization.KeySerializationEncryption
) -> bytes:
    """A PKCS#12 holding ``certs`` as Java trusted-certificate entries, protected by ``encryption``.

    With :class:`~cryptography.hazmat.primitives.serialization.NoEncryption` the
    certificates are in the clear under a SHA-256 MAC over the empty password,
    which ``keytool -storepass ''``, ``openssl pkcs12 -passin pass:`` and Windows
    (empty password) all open.
    """
    bags = [pkcs12.PKCS12Certificate(c.x509, a.encode("utf-8")) for c, a in zip(certs, aliases(certs), strict=True)]
    return pkcs12.serialize_java_truststore(bags, encryption)
