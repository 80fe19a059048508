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
from typing import TYPE_CHECKING

from cryptography import x509

from ..base import _limits
from ..base._enums import WarningCode
from ..base._errors import UnsafeInputError
from ..base._progress import ProgressStage, reporter
from ..pki._model import BundleWarning, Certificate, Role
from ..pki._names import display_name, name_key
from ..pki._x509 import check_signature, read_extension, signature_unsupported, signed_by
from ..readers._read import RawCertificate
from ..readers._tolerant import signed_part

if TYPE_CHECKING:
    from ._policy import Facts

__all__ = ["Node", "SignatureMemo", "certificate_of", "graph", "link_issuers", "unique_nodes"]


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
        "tbs",
        "unchecked_root",
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
        # A certificate read through the tolerant path: its signature covers the original TBS bytes.
        self.tbs = signed_part(raw)
        self_check = check_signature(cert, cert, tbs=self.tbs) if self.subject_key == self.issuer_key else False
        # Self-issued with a signature nobody can check (MD2 roots still in public bundles): a root,
        # unproven, with a warning; unless its key identifiers say another key signed it (a rollover).
        self.unchecked_root = (
            self_check is None and (self.aki is None or self.aki == self.ski) and signature_unsupported(cert)
        )
        self.self_signed = self_check is True or self.unchecked_root
        # Not checked for another reason (a key too costly to use, identifiers naming another key): not a root.
        self.unverifiable = self_check is None and not self.unchecked_root
        self.issuers: list[Node] = []
        self.issued_any = False
        self.label = display_name(cert.subject).casefold()
        self._facts: Facts | None = None

    @property
    def facts(self) -> Facts:
        """What the verification rules read, parsed on first use (fail closed)."""
        if self._facts is None:
            from ._policy import Facts  # verify's rules: not loaded by split or inspect

            self._facts = Facts.of(
                self.raw.x509, self.der, sha256=self.sha256, self_signed=self.self_signed, quirks=self.raw.quirks
            )
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
    raws = list(raws)
    progress = reporter(ProgressStage.CLASSIFYING, len(raws))
    for raw in raws:
        progress.step()
        node = by_der.get(raw.der)
        if node is None:
            by_der[raw.der] = Node(raw)
            continue
        # Any copy's friendly name may be kept; the smallest, so input order does not matter.
        kept = node.raw.friendly_name
        if raw.friendly_name is not None and (kept is None or raw.friendly_name < kept):
            node.raw = RawCertificate(node.raw.x509, node.der, node.raw.source, raw.friendly_name, node.raw.quirks)
        warnings.append(
            BundleWarning(
                WarningCode.DUPLICATE,
                f"'{display_name(raw.x509.subject)}' appears more than once ({raw.source}); written once",
                node.sha1,
            )
        )
    progress.done()
    return list(by_der.values())


SignatureMemo = dict[tuple[str, str], bool]
"""Signature verdicts by (child, issuer) SHA-256, shared by the graphs one command builds."""


def link_issuers(nodes: list[Node], memo: SignatureMemo | None = None) -> None:
    """Fill ``issuers`` of every node: name index, key-identifier narrowing, signature proof.

    Every candidate with the key identifier the AKI names whose key verifies the
    signature is kept (cross-signed copies of one CA share its key and identifier), so
    path building can backtrack from one to another; the others are tried only when
    none of those verifies. Each verdict is kept in ``memo``.

    Raises:
        UnsafeInputError: chaining would need more signature checks than
            :func:`certconv.base._limits.extra_check_budget` allows beyond
            :data:`~certconv.base._limits.CHECKS_PER_CERTIFICATE` per certificate.
    """
    memo = {} if memo is None else memo
    by_subject: dict[object, list[Node]] = defaultdict(list)
    for node in nodes:
        by_subject[node.subject_key].append(node)
    first_tier = {id(n): _first_tier(n, by_subject) for n in nodes if not n.self_signed}
    _check_work(nodes, first_tier)
    allowed = _limits.CHECKS_PER_CERTIFICATE * len(first_tier) + _limits.extra_check_budget(len(nodes))
    spent = 0

    def signs(child: Node, issuer: Node) -> bool:
        nonlocal spent
        key = (child.sha256, issuer.sha256)
        verdict = memo.get(key)
        if verdict is None:
            spent += 1
            if spent > allowed:
                raise _refusal_after(child, allowed, len(nodes))
            verdict = memo[key] = signed_by(child.raw.x509, issuer.raw.x509, tbs=child.tbs)
        return verdict

    progress = reporter(ProgressStage.CHAINING, len(nodes))
    for node in nodes:
        progress.step()
        if node.self_signed:
            continue
        tier = first_tier[id(node)]
        verified = [c for c in tier if signs(node, c)]
        if not verified and node.aki is not None and tier and tier[0].ski == node.aki:
            # Key identifiers only narrow the search; a mis-set AKI must not hide the real issuer.
            verified = [
                c for c in by_subject.get(node.issuer_key, ()) if c is not node and c.ski != node.aki and signs(node, c)
            ]
        # Preference among issuers: latest end of validity, then thumbprint (for determinism).
        verified.sort(key=lambda c: (-c.not_after.timestamp(), c.sha256))
        node.issuers = verified
        for issuer in verified:
            issuer.issued_any = True
    progress.done()


def _first_tier(node: Node, by_subject: dict[object, list[Node]]) -> list[Node]:
    """The issuer candidates checked first: those of its issuer name whose SKI is its AKI, if any, else all."""
    candidates = [c for c in by_subject.get(node.issuer_key, ()) if c is not node]
    if node.aki is not None:
        named = [c for c in candidates if c.ski == node.aki]
        if named:
            return named
    return candidates


def _check_work(nodes: list[Node], first_tier: dict[int, list[Node]]) -> None:
    """Refuse, before any check, an input whose first-tier candidates cost more than the budget allows.

    Up to :data:`~certconv.base._limits.CHECKS_PER_CERTIFICATE` candidates per certificate are
    linear work and always allowed; only the excess counts against the budget.
    """
    free = _limits.CHECKS_PER_CERTIFICATE
    excess_by_name: dict[object, int] = defaultdict(int)
    for node in nodes:
        tier = first_tier.get(id(node))
        if tier is not None and len(tier) > free:
            excess_by_name[node.issuer_key] += len(tier) - free
    excess = sum(excess_by_name.values())
    budget = _limits.extra_check_budget(len(nodes))
    if excess <= budget:
        return
    crowded_name = max(excess_by_name, key=excess_by_name.__getitem__)
    children = [n for n in nodes if n.issuer_key == crowded_name and not n.self_signed]
    issuers = max((len(first_tier[id(n)]) for n in children), default=0)
    # The name is the attacker's: keep the message on one line and short.
    label = display_name(children[0].raw.x509.issuer)[:80]
    raise UnsafeInputError(
        f"chaining would need {excess:,} signature checks beyond {free} per certificate: {len(children):,} "
        f"certificates name '{label}' as their issuer and up to {issuers:,} certificates of that name could be it "
        f"(no key identifier tells them apart); for {len(nodes):,} certificates certconv allows {budget:,} "
        f"({_limits.EXTRA_CHECKS_BASE:,} + {_limits.EXTRA_CHECKS_PER_CERTIFICATE} per certificate), so nothing "
        "was chained. Split the input so fewer certificates share that issuer name, or remove copies of that CA",
        path=_input_of(children),
    )


def _refusal_after(child: Node, allowed: int, count: int) -> UnsafeInputError:
    label = display_name(child.raw.x509.issuer)[:80]
    return UnsafeInputError(
        f"chaining stopped after {allowed:,} signature checks ({_limits.CHECKS_PER_CERTIFICATE} per certificate + "
        f"{_limits.extra_check_budget(count):,} for {count:,} certificates): the key identifiers of many "
        f"certificates (such as those naming '{label}' as their issuer) point to certificates that did not sign "
        "them, so every certificate of their issuer's name had to be tried. Split the input, or remove the "
        "certificates whose authority key identifier is wrong",
        path=_input_of([child]),
    )


def _input_of(nodes: list[Node]) -> str | None:
    """The one input the certificates came from, or ``None`` when several (the message then names none)."""
    sources = {n.raw.source for n in nodes}
    return sources.pop() if len(sources) == 1 else None


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
        quirks=node.raw.quirks,
    )
