"""Certificate-only PKCS#12 files that Java reads as trusted entries (and OpenSSL and Windows read too).

Java's PKCS12 keystore counts a certificate bag as a ``trustedCertEntry`` only
when the bag carries Oracle's trusted-key-usage attribute (OID
2.16.840.1.113894.746875.1.1); a plain certificate bag is skipped, and
``keytool -list`` shows 0 entries. ``cryptography``'s
``pkcs12.serialize_java_truststore`` writes that attribute (anyExtendedKeyUsage,
as keytool does), and the file stays an ordinary PKCS#12: ``openssl pkcs12`` and
Windows import it as before. Every certificate-only PFX certconv writes goes
through here.

Aliases are the bags' friendly names. Java's PKCS12 keystore keys its entries by
the alias in lower case, so two certificates whose names differ only in case
would be one entry: a clashing name gets the certificate's short thumbprint,
then longer ones, until no alias equals another ignoring case (a crafted name
can equal another name plus a thumbprint). Names are chosen by whoever made the
certificate, and ``keytool -list`` prints aliases as they are: a control
character, bidi override or line break in one could clear the admin's screen or
forge a line, so aliases hold visible characters only.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ..base._console import printable
from ..pki._model import Certificate
from ..pki._names import label

__all__ = ["alias_note", "aliases", "java_truststore", "visible"]


def visible(name: str) -> str:
    """``name`` as certconv shows names (controls, bidi and line breaks as escapes such as ``\\x1b``), one line.

    Whatever :func:`certconv._text.printable` leaves that Python does not call printable
    (private-use or unassigned characters) becomes ``_``; runs of white space become one space.
    """
    shown = "".join(ch if ch.isprintable() else "_" for ch in printable(name))
    return " ".join(shown.split())


def _key(alias: str) -> str:
    # Java lower-cases aliases (Locale.ENGLISH); casefold on top merges at least what Java merges.
    return alias.lower().casefold()


def aliases(certs: Sequence[Certificate]) -> list[str]:
    """One alias per certificate: its friendly name or common name in visible characters, unique ignoring case."""
    wanted = [visible(_name(c)) or c.sha1[:8] for c in certs]
    counts = Counter(_key(w) for w in wanted)
    out = [w if counts[_key(w)] == 1 else "" for w in wanted]
    taken = {_key(a) for a in out if a}
    for index, (cert, name) in enumerate(zip(certs, wanted, strict=True)):
        if out[index]:
            continue
        # Longer thumbprints, then numbers: a crafted name may already be any one of them.
        suffixes = itertools.chain([cert.sha1[:8], cert.sha1, cert.sha256], (f"{n}" for n in itertools.count(2)))
        alias = next(a for a in (f"{name} ({s})" for s in suffixes) if _key(a) not in taken)
        taken.add(_key(alias))
        out[index] = alias
    return out


def alias_note(certs: Sequence[Certificate], chosen: Sequence[str]) -> str | None:
    """The note that says which certificates' aliases are not their names, and why; ``None`` when none."""
    changed = [(_name(c), a) for c, a in zip(certs, chosen, strict=True) if a != _name(c)]
    if not changed:
        return None
    shown = ", ".join(f"`{printable(name)}` → `{alias}`" for name, alias in changed[:_SHOWN])
    more = f" and {len(changed) - _SHOWN:,} more" if len(changed) > _SHOWN else ""
    return (
        f"{len(changed):,} alias{'es' if len(changed) != 1 else ''} differ from the certificate's name, so that "
        f"keytool lists each certificate once (it compares aliases ignoring case) in visible characters: {shown}{more}"
    )


_SHOWN = 10


def _name(cert: Certificate) -> str:
    """The name an alias is made from, as it is in the certificate: friendly name, else CN (or the best other)."""
    return cert.friendly_name or label(cert.x509.subject)


def java_truststore(certs: Sequence[Certificate], encryption: serialization.KeySerializationEncryption) -> bytes:
    """A PKCS#12 holding ``certs`` as Java trusted-certificate entries, protected by ``encryption``.

    With :class:`~cryptography.hazmat.primitives.serialization.NoEncryption` the
    certificates are in the clear under a SHA-256 MAC over the empty password,
    which ``keytool -storepass ''``, ``openssl pkcs12 -passin pass:`` and Windows
    (empty password) all open.
    """
    for cert in certs:
        cert.refuse_rewrite("PKCS#12")
    bags = [pkcs12.PKCS12Certificate(c.x509, a.encode("utf-8")) for c, a in zip(certs, aliases(certs), strict=True)]
    return pkcs12.serialize_java_truststore(bags, encryption)
