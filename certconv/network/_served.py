"""What the chain a server sends means for a client such as Azure API Management.

:func:`diagnose` looks at the order and the content of the served certificates
(leaf only, leaf and intermediates, the root too, wrong order, extras, self-signed)
and says it in one sentence; :func:`certconv.fetch` gives it with every result,
a :class:`FetchResult`, with what became of a client certificate (:class:`ClientCertificateCheck`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..base._enums import FetchVerdict, WarningCode
from ..base._face import publish
from ..output._manifest import Manifest, certificate_json
from ..pki._model import Bundle, Certificate, Chain
from ..pki._x509 import ca_issuers_urls, issued_by
from ..readers._tolerant import signed_part

__all__ = ["ClientCertificateCheck", "FetchResult", "diagnose", "fetch_notes"]


def diagnose(served: Sequence[Certificate], bundle: Bundle) -> tuple[FetchVerdict, str]:
    """A verdict code and a sentence about the chain a server sends, in its order.

    ``bundle`` is the bundle built from ``served`` (and possibly completed over
    AIA); it tells which certificates belong to the leaf's chain.
    """
    if not served:
        raise ValueError("a TLS server always sends at least one certificate")
    unique = list(dict.fromkeys(served))
    first = unique[0]
    if len(unique) == 1:
        if first.self_signed:
            return (
                FetchVerdict.SELF_SIGNED,
                "the server sends a single self-signed certificate: APIM needs that certificate itself "
                "uploaded to store Root (or the server given a certificate from a CA)",
            )
        chain = _chain_of(first, bundle)
        if chain is not None and len(chain) == 2 and chain.complete:
            return (
                FetchVerdict.LEAF_ONLY,
                f"the server sends only its leaf, issued directly by the root '{chain.top.common_name}': "
                "APIM needs that root uploaded to store Root",
            )
        found = [c for c in chain.certificates[1:] if not c.self_signed] if chain is not None else []
        which = "the intermediate" + (" " + ", ".join(f"'{c.common_name}'" for c in found) if found else "")
        return (
            FetchVerdict.LEAF_ONLY,
            f"the server sends only its leaf: APIM needs {which} uploaded or the server fixed to send it",
        )
    chain = _chain_of(first, bundle)
    if chain is None:
        why = f"it starts with the CA certificate '{first.common_name}'"
        if not any(_chain_of(c, bundle) for c in unique):
            why += " and none of them is a server (leaf) certificate"
        return FetchVerdict.WRONG_ORDER, _wrong_order(unique, why)
    extra = [c for c in unique if c not in chain.certificates]
    if extra:
        names = ", ".join(f"'{c.common_name}'" for c in extra)
        return (
            FetchVerdict.EXTRA_CERTIFICATES,
            f"the server sends {len(unique)} certificates, {len(extra)} of them not part of its chain ({names}): "
            "fix the server's certificate file to hold only the leaf and its intermediates",
        )
    in_order = all(
        issued_by(unique[i - 1].x509, unique[i].x509, tbs=signed_part(unique[i - 1])) for i in range(1, len(unique))
    )
    if not in_order:
        return FetchVerdict.WRONG_ORDER, _wrong_order(unique, "each certificate should be followed by its issuer")
    words = _role_words(unique)
    top = unique[-1]
    if top.self_signed:
        return (
            FetchVerdict.FULL_CHAIN,
            f"the server sends {len(unique)} certificates: {words}; sending the root is unnecessary but harmless",
        )
    unsent = [c for c in chain.certificates[len(unique) :] if not c.self_signed]
    if unsent:
        names = ", ".join(f"'{c.common_name}'" for c in unsent)
        return (
            FetchVerdict.MISSING_INTERMEDIATE,
            f"the server sends {len(unique)} certificates: {words}, but not the intermediate {names}: "
            "APIM needs it uploaded or the server fixed to send it",
        )
    return (
        FetchVerdict.LEAF_AND_INTERMEDIATES,
        f"the server sends {len(unique)} certificates: {words}; root not sent (normal)",
    )


def _chain_of(cert: Certificate, bundle: Bundle) -> Chain | None:
    for chain in bundle.chains:
        if chain.leaf == cert:
            return chain
    return None


def _role_words(certs: Sequence[Certificate]) -> str:
    words = [c.role.value for c in certs]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _wrong_order(certs: Sequence[Certificate], why: str) -> str:
    return (
        f"the server sends its chain in the wrong order ({', '.join(c.role.value for c in certs)}): {why}; "
        "many clients cope, but fix the server's certificate file to list the leaf first, then each issuer"
    )


@dataclass(frozen=True, slots=True)
class ClientCertificateCheck:
    """Whether the server asked for a client certificate, and what became of the one presented.

    A server asks with a CertificateRequest in the handshake (TLS 1.2 and 1.3).
    APIM's call to a backend that requires one fails unless APIM presents a
    client certificate the backend trusts.

    Attributes:
        requested: The server sent a CertificateRequest during the handshake.
        required: The server ended the handshake because no client certificate
            came (``True``), completed it without one (``False``), or one was
            presented so this was not tried (``None``).
        given: The client certificate certconv was given to present; ``None``: none.
        presented: ``given`` was sent (the server asked for it).
        accepted: The server completed the handshake with the certificate presented
            (``True``) or ended it with an alert (``False``); ``None`` when none was presented.
        acceptable_cas: The CA names the server listed as acceptable issuers
            (its certificate_authorities, RFC 4514), in its order; often empty.
        alert: The TLS alert the server ended the handshake with after asking
            (``certificate_required``, ``unknown_ca``, ``bad_certificate``,
            ``handshake_failure``…); ``closed`` when it hung up without one.
        post_handshake_unseen: TLS 1.3 was agreed and nothing was asked during the
            handshake: a server that asks only after it (for some paths) cannot be seen.
    """

    requested: bool
    required: bool | None
    given: Certificate | None = None
    presented: bool = False
    accepted: bool | None = None
    acceptable_cas: tuple[str, ...] = ()
    alert: str | None = None
    post_handshake_unseen: bool = False

    @property
    def problem(self) -> bool:
        """APIM's call would fail here: a client certificate is required and none came, or it was refused."""
        return (self.required is True and not self.presented) or self.accepted is False

    def to_dict(self) -> dict[str, Any]:
        """The ``client_certificate`` object of ``certconv fetch --json``."""
        given = self.given
        return {
            "requested": self.requested,
            "required": self.required,
            "presented": self.presented,
            "accepted": self.accepted,
            "acceptable_cas": list(self.acceptable_cas),
            "alert": self.alert,
            "certificate": {"subject": given.subject, "sha1": given.sha1} if given is not None else None,
            "post_handshake_unseen": self.post_handshake_unseen,
        }


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a TLS server presented (:func:`certconv.fetch`), and what that means for APIM.

    Attributes:
        target: ``tls://host:port`` (IPv6 hosts in brackets); also the name of
            the input in ``bundle.inputs`` and each served certificate's ``source``.
        sni: The server name sent in the handshake; ``None`` when none was sent.
        served: The certificates exactly as the server sent them, in its order
            (a certificate sent twice appears twice).
        bundle: The served certificates classified and chained as ``split`` would,
            plus any issuers fetched with ``complete=True``.
        verdict: Stable code for the server's chain (a :class:`FetchVerdict`): ``leaf-and-intermediates``,
            ``full-chain``, ``leaf-only``, ``self-signed``, ``wrong-order``,
            ``extra-certificates`` or ``missing-intermediate``.
        message: One sentence for people, e.g. "the server sends 2 certificates:
            leaf and intermediate; root not sent (normal)".
        protocol: The TLS version agreed (``TLSv1.2``, ``TLSv1.3``…) with certconv,
            which offers TLS 1.0 to 1.3 and every cipher suite; ``None`` when the
            server ended the handshake before saying.
        cipher: OpenSSL's name of the cipher suite agreed (``ECDHE-RSA-AES128-GCM-SHA256``).
        client_certificate: Whether the server asked for a client certificate, and
            what became of the one presented (:class:`ClientCertificateCheck`).
    """

    target: str
    sni: str | None
    served: tuple[Certificate, ...]
    bundle: Bundle
    verdict: FetchVerdict
    message: str
    protocol: str | None = None
    cipher: str | None = None
    client_certificate: ClientCertificateCheck | None = None

    @property
    def aia_could_help(self) -> bool:
        """Some missing issuer names an http(s) caIssuers URL: ``complete=True`` may fetch it."""
        missing = {w.sha1 for w in self.bundle.warnings if w.code == WarningCode.MISSING_ISSUER}
        return any(
            url.startswith(("http://", "https://"))
            for cert in self.bundle.certificates
            if cert.sha1 in missing
            for url in ca_issuers_urls(cert.x509)
        )

    def to_dict(self, manifest: Manifest | None = None) -> dict[str, Any]:
        """The result as ``certconv fetch --json`` prints it.

        Args:
            manifest: What :func:`certconv.write_split` wrote for ``bundle``;
                each certificate is then its manifest entry (with ``file``) and ``out`` is added.
        """
        extra = {"out": manifest.out} if manifest is not None else {}
        return {
            "target": self.target,
            "sni": self.sni,
            "served": [c.sha1 for c in self.served],
            "verdict": self.verdict,
            "message": self.message,
            "protocol": self.protocol,
            "cipher": self.cipher,
            "client_certificate": self.client_certificate.to_dict() if self.client_certificate is not None else None,
            **extra,
            "certificates": (
                [e.to_dict() for e in manifest.entries]
                if manifest is not None
                else [certificate_json(c) for c in self.bundle.certificates]
            ),
            "chains": [list(chain.sha1s) for chain in self.bundle.chains],
            "warnings": [w.to_dict() for w in self.bundle.warnings],
        }


def fetch_notes(result: FetchResult, *, complete: bool) -> tuple[str, ...]:
    """What is normal but worth a word: the root not sent, ``--complete`` with nothing to fetch."""
    info: list[str] = []
    if result.verdict is FetchVerdict.LEAF_AND_INTERMEDIATES:
        top = result.served[-1]
        info.append(
            f"root not sent, as usual: APIM needs it uploaded (the issuer of '{top.common_name}', "
            "to CA certificates, store Root)"
        )
    if complete and not any(c.downloaded for c in result.bundle.certificates):
        missing = [c for c in result.bundle.certificates if not c.self_signed and c.issuer_sha1 is None]
        if not missing:
            info.append("--complete: nothing to download, every issuer is present")
        elif not any(
            url.lower().startswith(("http://", "https://")) for c in missing for url in ca_issuers_urls(c.x509)
        ):
            names = ", ".join(f"'{c.common_name}'" for c in missing)
            info.append(
                f"--complete: nothing to download: {names} names no http(s) caIssuers URL (AIA), "
                "as is normal for private CAs made with OpenSSL; get the issuer from the CA"
            )
    return tuple(info)


publish(globals())
