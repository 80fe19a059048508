"""Pure logic: classify roles, choose and order chains, warn. No I/O.

The certificates arrive deduplicated and linked to their issuers by
:mod:`certconv.trust._graph`; this module decides what each one is and which chain
each end-entity certificate gets.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..base._console import printable
from ..base._dates import iso_day
from ..base._enums import Validity, WarningCode
from ..base._limits import SEARCH_BUDGET, search_budget
from ..base._progress import ProgressStage, reporter
from ..pki._model import Bundle, BundleWarning, Certificate, Chain, Role
from ..pki._names import display_name
from ..pki._x509 import (
    WORK,
    ca_issuers_urls,
    key_spki,
    public_key_spki,
    read_extension,
    validity,
)
from ..readers._read import ReadResult
from ..trust._graph import Node, SignatureMemo, certificate_of, link_issuers, unique_nodes

__all__ = ["BundleCheck", "build_bundle", "whole_seconds"]

BundleCheck = Callable[[Sequence[Certificate]], Iterable[BundleWarning]]
"""A check of the finished certificates that may add warnings (Azure's limits: ``certconv.azure._checks``)."""

_MAX_DEPTH = 16


def build_bundle(
    results: Sequence[ReadResult],
    *,
    at: datetime | None = None,
    memo: SignatureMemo | None = None,
    checks: Sequence[BundleCheck] = (),
) -> Bundle:
    """Turn what the inputs held into a classified, chained :class:`Bundle`.

    Args:
        results: One :class:`ReadResult` per input, in the order given.
        at: The moment validity is judged at (default: now).
        memo: Signature verdicts to reuse and fill (``verify`` chains the input, then all it knows).
        checks: Run over the certificates at the end; their warnings come last.
            Chaining itself knows no product's limits: :func:`certconv.load`
            passes Azure's (:data:`certconv.azure._checks.BUNDLE_CHECKS`).
    """
    at = whole_seconds(at or datetime.now(UTC))
    warnings: list[BundleWarning] = [w for r in results for w in r.warnings]
    nodes = unique_nodes((c for r in results for c in r.certificates), warnings)
    link_issuers(nodes, memo)
    paths = _PathFinder(search_budget(len(nodes)))
    keys = [k for r in results for k in r.private_keys]
    with_key = _certificates_with_key(nodes, keys, warnings)

    ordered = sorted(nodes, key=lambda n: (_ROLE_ORDER[n.role], n.label, n.sha256))
    chosen = _choose_chains([n for n in ordered if _end_entity(n)], at, paths)
    # A certificate on a chosen chain names the issuer that chain goes through.
    issuer_of: dict[str, Node] = {}
    for path in chosen.values():
        for child, parent in itertools.pairwise(path):
            issuer_of.setdefault(child.sha256, parent)
    certificates: dict[str, Certificate] = {}
    for node in ordered:
        issuer = issuer_of.get(node.sha256)
        if issuer is None and node.sha256 not in chosen:
            path = paths.best(node)
            issuer = path[1] if len(path) > 1 else None
        certificates[node.sha256] = certificate_of(node, issuer, has_private_key=node.sha256 in with_key)

    chains = tuple(Chain(tuple(certificates[n.sha256] for n in path)) for path in chosen.values())
    # Missing issuers: every certificate with none in the input, and the top of every
    # chain that loops or runs too deep before reaching a self-signed root.
    chain_tops = {chain.top.sha256 for chain in chains if not chain.complete}
    for node in ordered:
        warnings.extend(_validity_warnings(node, at))
        if not node.self_signed and (not node.issuers or node.sha256 in chain_tops):
            warnings.append(_missing_issuer(node))
        if node.unverifiable:
            warnings.append(
                BundleWarning(
                    WarningCode.UNSUPPORTED_SIGNATURE,
                    f"'{display_name(node.raw.x509.subject)}' names itself as issuer but its signature "
                    f"({_algorithm_name(node.raw.x509)}) could not be checked, so it is not treated as a root",
                    node.sha1,
                )
            )
        if node.unchecked_root:
            warnings.append(
                BundleWarning(
                    WarningCode.UNCHECKED_SELF_SIGNATURE,
                    f"'{display_name(node.raw.x509.subject)}' names itself as issuer and is treated as a root, but "
                    f"its self-signature was not checked: cryptography cannot verify its signature algorithm "
                    f"({_algorithm_name(node.raw.x509)}) or key",
                    node.sha1,
                )
            )
        if node.issued_any and node.bc_ca is False:
            warnings.append(
                BundleWarning(
                    WarningCode.CA_FALSE_ISSUER,
                    f"'{display_name(node.raw.x509.subject)}' is marked CA:FALSE but issued another "
                    "certificate in the input; clients will reject that chain",
                    node.sha1,
                )
            )
    for check in checks:
        warnings.extend(check(tuple(certificates.values())))
    return Bundle(
        certificates=tuple(certificates.values()),
        chains=chains,
        warnings=tuple(warnings),
        inputs=tuple(r.name for r in results),
        formats=tuple(r.format for r in results),
        private_keys=tuple(keys),
    )


_LEGACY_ALGORITHMS = {"1.2.840.113549.1.1.2": "MD2 with RSA", "1.2.840.113549.1.1.3": "MD4 with RSA"}


def _algorithm_name(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid.dotted_string
    return f"{_LEGACY_ALGORITHMS[oid]}, {oid}" if oid in _LEGACY_ALGORITHMS else oid


_ROLE_ORDER = {Role.ROOT: 0, Role.INTERMEDIATE: 1, Role.LEAF: 2}


def whole_seconds(moment: datetime) -> datetime:
    """``moment`` without its fraction of a second: validity is compared at whole seconds (RFC 5280
    times have no fractions), as ``--at`` takes them, so 5 ms after notAfter is still valid."""
    return moment.replace(microsecond=0)


def _choose_chains(leaves: list[Node], at: datetime, paths: _PathFinder) -> dict[str, tuple[Node, ...]]:
    """The chain of each end-entity certificate: the path ``verify --policy apim`` would accept, if any.

    Without a host name (``load`` knows none) and for the purpose the leaf's EKU
    names (server unless it is for clients only), against the input's own roots.
    """
    anchors = _self_signed_anchors(leaves)
    chosen: dict[str, tuple[Node, ...]] = {}
    progress = reporter(ProgressStage.CHAINS, len(leaves))
    for leaf in leaves:
        progress.step()
        only = _only_path(leaf, anchors)
        if only is not None:
            # One candidate path (the usual bundle): the search would return it, valid or not.
            chosen[leaf.sha256] = only
            continue
        # Imported here: the usual bundle (one path per leaf) never searches, and the
        # path search with its rules is a fifth of certconv's own import time (docs/performance.md).
        from ..trust._path import search
        from ..trust._policy import APIM
        from ..trust._rules import Settings

        settings = Settings(APIM, at, _purpose_of(leaf))
        budget = min(SEARCH_BUDGET, paths.total)
        outcome = search(leaf, anchors, settings, budget=budget)
        paths.total -= outcome.steps
        WORK.search_steps += outcome.steps
        chosen[leaf.sha256] = outcome.path  # type: ignore[assignment]
    progress.done()
    return chosen


def _only_path(leaf: Node, anchors: frozenset[str]) -> tuple[Node, ...] | None:
    """The path up from ``leaf`` when no certificate on it has a choice of issuers, else ``None``."""
    path = [leaf]
    seen = {leaf.sha256}
    while path[-1].sha256 not in anchors:
        issuers = path[-1].issuers
        if not issuers or len(path) >= _MAX_DEPTH:
            return tuple(path)
        if len(issuers) > 1 or issuers[0].sha256 in seen:
            return None
        path.append(issuers[0])
        seen.add(issuers[0].sha256)
    return tuple(path)


def _self_signed_anchors(leaves: list[Node]) -> frozenset[str]:
    found: set[str] = set()
    todo = list(leaves)
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if node.sha256 in seen:
            continue
        seen.add(node.sha256)
        if node.self_signed:
            found.add(node.sha256)
        todo.extend(node.issuers)
    return frozenset(found)


def _purpose_of(node: Node) -> str:
    eku = read_extension(node.raw.x509, x509.ExtendedKeyUsage)
    usages = x509.oid.ExtendedKeyUsageOID
    if eku is not None and usages.SERVER_AUTH not in eku and usages.CLIENT_AUTH in eku:
        return "client"
    return "server"


_END_ENTITY_USAGES = frozenset({x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH})


def _end_entity(node: Node) -> bool:
    """Whether ``node`` starts a chain: a leaf, or a self-signed certificate serving as one.

    ``openssl req -x509`` marks even a backend's self-signed certificate CA:TRUE,
    so a self-signed certificate that issued nothing in the input counts as an
    end entity when it is CA:FALSE or carries what only servers and clients
    carry: DNS/IP subject alternative names or a serverAuth/clientAuth EKU. A
    root CA of a trust store has neither and stays out of the chains.
    """
    if node.role is Role.LEAF:
        return True
    if not node.self_signed or node.issued_any:
        return False
    if not node.ca:
        return True
    cert = node.raw.x509
    san = read_extension(cert, x509.SubjectAlternativeName)
    if san is not None and (san.get_values_for_type(x509.DNSName) or san.get_values_for_type(x509.IPAddress)):
        return True
    eku = read_extension(cert, x509.ExtendedKeyUsage)
    return eku is not None and bool(_END_ENTITY_USAGES.intersection(eku))


class _PathFinder:
    """Best issuer path per certificate: ends at a self-signed root when one can.

    Preference, in order: the path reaches a self-signed root of the input; it is
    the shortest such path; at each step the issuer valid the longest; the lowest
    SHA-256 thumbprint, so that any input order gives the same result.
    """

    def __init__(self, total: int) -> None:
        self._memo: dict[str, tuple[Node, ...]] = {}
        self._budget = 0
        self.total = total
        """Steps left for the whole input, shared with the chain choice of end-entity certificates."""

    def best(self, node: Node) -> tuple[Node, ...]:
        # The budgets bound the work on pathological cross-signing meshes, per certificate
        # and for the whole input (many small meshes each used up the per-certificate
        # budget: 40 of 14 certificates took 16 s); real inputs use a handful of steps.
        self._budget = min(SEARCH_BUDGET, self.total)
        start = self._budget
        path = self._search(node, frozenset())[0]
        self.total -= start - self._budget
        WORK.search_steps += start - self._budget
        return path

    def _search(self, node: Node, above: frozenset[str]) -> tuple[tuple[Node, ...], bool]:
        """The best path from ``node`` avoiding ``above``, and whether anything was cut short.

        A result that cut nothing (no loop avoided, no depth or budget limit hit)
        holds whatever lies above, so it is remembered for every later search.
        """
        cached = self._memo.get(node.sha256)
        if cached is not None:
            return cached, False
        self._budget -= 1
        if node.self_signed:
            return (node,), False
        if len(above) >= _MAX_DEPTH:
            return (node,), True
        seen = above | {node.sha256}
        best: tuple[Node, ...] | None = None
        fallback: tuple[Node, ...] | None = None
        cut = False
        # Issuers come sorted by preference (validity ending latest first). A path that
        # reaches a self-signed root wins; among those the shortest, so that a
        # cross-signed copy of a root present in the input is not followed upwards.
        for issuer in node.issuers:
            if issuer.sha256 in seen or self._budget <= 0:
                cut = True
                continue
            tail, tail_cut = self._search(issuer, seen)
            cut = cut or tail_cut
            if tail[-1].self_signed:
                if best is None or len(tail) + 1 < len(best):
                    best = (node, *tail)
            elif fallback is None:
                fallback = (node, *tail)
        path = best or fallback or (node,)
        if not cut:
            self._memo[node.sha256] = path
        return path, cut


def _certificates_with_key(nodes: list[Node], keys: list[PrivateKeyTypes], warnings: list[BundleWarning]) -> set[str]:
    if not keys:
        return set()
    by_public: dict[bytes, list[Node]] = defaultdict(list)
    for node in nodes:
        spki = public_key_spki(node.raw.x509)
        if spki is not None:
            by_public[spki].append(node)
    found: set[str] = set()
    for key in keys:
        matches = by_public.get(key_spki(key), [])
        if not matches:
            warnings.append(
                BundleWarning(WarningCode.UNMATCHED_KEY, "a private key matches no certificate of the input")
            )
        found.update(n.sha256 for n in matches)
    return found


def _validity_warnings(node: Node, at: datetime) -> list[BundleWarning]:
    cert = node.raw.x509
    name = display_name(cert.subject)
    state = validity(cert, at)
    if state is Validity.EXPIRED:
        return [
            BundleWarning(WarningCode.EXPIRED, f"'{name}' expired on {iso_day(cert.not_valid_after_utc)}", node.sha1)
        ]
    if state is Validity.NOT_YET_VALID:
        return [
            BundleWarning(
                WarningCode.NOT_YET_VALID,
                f"'{name}' is not valid before {iso_day(cert.not_valid_before_utc)}",
                node.sha1,
            )
        ]
    return []


def _missing_issuer(node: Node) -> BundleWarning:
    """Warning for the top of a chain that does not reach a self-signed root."""
    cert = node.raw.x509
    issuer = printable(cert.issuer.rfc4514_string())
    if node.issuers:
        # Its issuers are present, but every path up from them loops back (or is too deep).
        message = (
            f"the chain of '{display_name(cert.subject)}' reaches no self-signed root: its issuers in the "
            f"input lead back to certificates already in the chain; the root above {issuer} is missing"
        )
    else:
        message = f"the issuer of '{display_name(cert.subject)}' is not in the input: {issuer}"
    urls = ca_issuers_urls(cert)
    if urls:
        message += f" (download it from {', '.join(map(printable, urls))})"
    return BundleWarning(WarningCode.MISSING_ISSUER, message, node.sha1)
