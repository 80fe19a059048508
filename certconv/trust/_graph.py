"""The issuer graph: one node per distinct certificate, linked to the certificates that signed it.

Issuers are found through an index of subject names (never by comparing all
pairs), narrowed by authority/subject key identifiers and confirmed by a
signature check made with the issuer's public key directly, so SHA-1 and MD5
signatures of old roots verify too (``verify_directly_issued_by`` refuses them).
Both :func:`certconv.bundle._chain.build_bundle` and ``verify``'s path search start here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from cryptography import x509

from ..base._enums import WarningCode
from ..base._errors import UnsafeInputError
from ..pki._model import BundleWarning, Certificate, Role
from ..pki._names import display_name, name_key
from ..pki._x509 import check_signature, read_extension, signed_by
from ..readers._read import RawCertificate
from ._policy import Facts

__all__ = ["Node", "SignatureMemo", "certificate_of", "graph", "link_issuers", "unique_nodes"]

_MAX_SIGNATURE_CHECKS = 10_000
"""Most issuer candidates (same name) chaining may check by signature beyond two per certificate.

Each check is a signature verification (about 60 µs for ECDSA): certificates that
all share one name and each name it as issuer would otherwise cost n² of them
(300 such certificates took 12 s). Real inputs need a handful.
"""
_MAX_SAME_NAME_CHECKS = 4_000
"""Most signature checks the certificates naming one issuer name may need together.

limbo's ``pathological-chain-same-subject-distinct-key`` (100 CAs of one name, no key
identifiers) needs 10,000, 1.3 s; 60 certificates of one name still chain (3,600).
cryptography's verifier allows 128 checks for a whole verification.
"""


class Node:
    """Working state for one unique certificate while the bundle is built."""

    __slots__ = (
        "_facts",
        "aki",
        "bc_ca",
        "der",
        "issued_any",
        "issuer_key",
        "issuers",
        "label",
        "raw",
        "self_signed",
        "sha1",
        "sha256",
        "ski",
        "subject_key",
        "unverifiable",
    )

    def __init__(self, raw: RawCertificate) -> None:
        cert = raw.x509
        self.raw = raw
        self.der = raw.der
        self.sha1 = hashlib.sha1(raw.der).hexdigest().upper()  # noqa: S324 - thumbprint, not security
        self.sha256 = hashlib.sha256(raw.der).hexdigest().upper()
        self.subject_key = name_key(cert.subject)
        self.issuer_key = name_key(cert.issuer)
        self.ski = _extension_value(cert, x509.SubjectKeyIdentifier, "digest")
        self.aki = _extension_value(cert, x509.AuthorityKeyIdentifier, "key_identifier")
        self.bc_ca = _basic_constraints_ca(cert)
        self_check = check_signature(cert, cert) if self.subject_key == self.issuer_key else False
        self.self_signed = self_check is True
        self.unverifiable = self_check is None
        self.issuers: list[Node] = []
        self.issued_any = False
        self.label = display_name(cert.subject).casefold()
        self._facts: Facts | None = None

    @property
    def facts(self) -> Facts:
        """What the verification rules read, parsed on first use (fail closed)."""
        if self._facts is None:
            self._facts = Facts.of(self.raw.x509, self.der, sha256=self.sha256, self_signed=self.self_signed)
        return self._facts

    @property
    def ca(self) -> bool:
        # X.509 v1 self-signed certificates predate basicConstraints; OpenSSL accepts them as CAs.
        if self.bc_ca is None:
            return self.self_signed and self.raw.x509.version is x509.Version.v1
        return self.bc_ca

    @property
    def role(self) -> Role:
        if self.self_signed:
            return Role.ROOT
        if self.ca or self.issued_any:
            return Role.INTERMEDIATE
        return Role.LEAF

    @property
    def not_after(self) -> datetime:
        return self.raw.x509.not_valid_after_utc


def _extension_value(cert: x509.Certificate, kind: type[x509.ExtensionType], attr: str) -> bytes | None:
    value: bytes | None = getattr(read_extension(cert, kind), attr, None)
    return value


def _basic_constraints_ca(cert: x509.Certificate) -> bool | None:
    constraints = read_extension(cert, x509.BasicConstraints)
    return None if constraints is None else constraints.ca


def unique_nodes(raws: Iterable[RawCertificate], warnings: list[BundleWarning]) -> list[Node]:
    """One node per distinct DER; ``source`` is the first input (in the order given) that held it."""
    by_der: dict[bytes, Node] = {}
    for raw in raws:
        node = by_der.get(raw.der)
        if node is None:
            by_der[raw.der] = Node(raw)
            continue
        # Any copy's friendly name may be kept; the smallest, so input order does not matter.
        kept = node.raw.friendly_name
        if raw.friendly_name is not None and (kept is None or raw.friendly_name < kept):
            node.raw = RawCertificate(node.raw.x509, node.der, node.raw.source, raw.friendly_name)
        warnings.append(
            BundleWarning(
                WarningCode.DUPLICATE,
                f"'{display_name(raw.x509.subject)}' appears more than once ({raw.source}); written once",
                node.sha1,
            )
        )
    return list(by_der.values())


SignatureMemo = dict[tuple[str, str], bool]
"""Signature verdicts by (child, issuer) SHA-256, shared by the graphs one command builds."""


def link_issuers(nodes: list[Node], memo: SignatureMemo | None = None) -> None:
    """Fill ``issuers`` of every node: name index, key-identifier narrowing, signature proof.

    Every candidate with the key identifier the AKI names whose key verifies the
    signature is kept (cross-signed copies of one CA share its key and identifier), so
    path building can backtrack from one to another; the others are tried only when
    none of those verifies. Each verdict is kept in ``memo``.
    """
    memo = {} if memo is None else memo

    def signs(child: Node, issuer: Node) -> bool:
        key = (child.sha256, issuer.sha256)
        verdict = memo.get(key)
        if verdict is None:
            verdict = memo[key] = signed_by(child.raw.x509, issuer.raw.x509)
        return verdict

    by_subject: dict[object, list[Node]] = defaultdict(list)
    for node in nodes:
        by_subject[node.subject_key].append(node)
    per_name: dict[object, int] = defaultdict(int)
    for n in nodes:
        if not n.self_signed:
            per_name[n.issuer_key] += len(by_subject.get(n.issuer_key, ()))
    work = sum(per_name.values())
    # One or two candidates per certificate is normal, however large the input; only
    # the excess over that grows quadratically.
    if work > 2 * len(nodes) + _MAX_SIGNATURE_CHECKS or max(per_name.values(), default=0) > _MAX_SAME_NAME_CHECKS:
        crowded = max(by_subject.values(), key=len)
        # The name is the attacker's: keep the message on one line and short.
        label = display_name(crowded[0].raw.x509.subject)[:80]
        raise UnsafeInputError(
            f"chaining would need {work:,} signature checks ({len(crowded):,} certificates share the name "
            f"'{label}'); certconv refuses more than {_MAX_SIGNATURE_CHECKS:,}"
        )
    for node in nodes:
        if node.self_signed:
            continue
        candidates = [c for c in by_subject.get(node.issuer_key, ()) if c is not node]
        if node.aki is not None:
            # Key identifiers only narrow the search; a mis-set AKI must not hide the real issuer.
            verified = [c for c in candidates if c.ski == node.aki and signs(node, c)]
            if not verified:
                verified = [c for c in candidates if c.ski != node.aki and signs(node, c)]
        else:
            verified = [c for c in candidates if signs(node, c)]
        # Preference among issuers: latest end of validity, then thumbprint (for determinism).
        verified.sort(key=lambda c: (-c.not_after.timestamp(), c.sha256))
        node.issuers = verified
        for issuer in verified:
            issuer.issued_any = True


def graph(raws: Iterable[RawCertificate], memo: SignatureMemo | None = None) -> list[Node]:
    """One node per distinct certificate, linked to its issuers among them (for ``verify``)."""
    nodes = unique_nodes(raws, [])
    link_issuers(nodes, memo)
    return nodes


def certificate_of(node: Node, issuer: Node | None, *, has_private_key: bool = False) -> Certificate:
    """The public :class:`Certificate` value of a node."""
    return Certificate(
        x509=node.raw.x509,
        der=node.der,
        role=node.role,
        sha1=node.sha1,
        sha256=node.sha256,
        subject=node.raw.x509.subject.rfc4514_string(),
        issuer=node.raw.x509.issuer.rfc4514_string(),
        self_signed=node.self_signed,
        ca=node.ca,
        issuer_sha1=issuer.sha1 if issuer else None,
        has_private_key=has_private_key,
        friendly_name=node.raw.friendly_name,
        source=node.raw.source,
    )
