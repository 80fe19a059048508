"""``certconv verify``: will APIM trust this backend once these CA certificates are uploaded?

Orchestration only: each input, ``ca`` file and store is read once (a PFX is
decrypted once), the certificates of all of them form one graph, and for each
certificate under test the path search of :mod:`certconv.trust._path` finds the best
path to a trust anchor under the chosen policy (:mod:`certconv.trust._policy`,
rules in :mod:`certconv.trust._rules`). What it finds becomes sentences in
APIM's terms here, naming the files :func:`certconv.split` writes.

``certconv/__init__.py`` never imports this module at load time, so ``import
certconv`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from ._api import InputLike, input_name, read_inputs
from .base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from .base._console import printable
from .base._enums import FailureCode, Leniency, Origin, Purpose, TrustStore, VerifyPolicy, coerce, values
from .base._errors import InputError, NoEndEntityError, Option, UsageError, hint
from .base._face import publish
from .base._limits import SEARCH_BUDGET, search_budget
from .base._progress import ProgressStage, reporter
from .bundle._chain import build_bundle, whole_seconds
from .output._file_names import file_names, slug
from .output._manifest import listed_files
from .pki._model import Bundle, Certificate, Role
from .pki._names import display_name, label, name_key
from .pki._x509 import WORK, ca_issuers_urls
from .readers._password import password_bytes
from .readers._read import DEFAULT_MAX_INPUT_SIZE, RawCertificate, ReadResult, Source, key_only_error
from .trust._ca_stores import store_sources
from .trust._graph import certificate_of, graph
from .trust._hostname import hostname_matches, normalize_host
from .trust._path import NAME_COMPARISONS_PER_STEP, Outcome, search
from .trust._policy import POLICIES, Policy, Problem
from .trust._result import VERIFY_SCHEMA, ChainVerdict, PathStep, Verification, VerifyFailure, browser_notes
from .trust._rules import Settings

if TYPE_CHECKING:
    from .network._proxy import ProxyConfig

__all__ = [
    "CA_FILE_SUFFIXES",
    "POLICIES",
    "PURPOSES",
    "VERIFY_SCHEMA",
    "ChainVerdict",
    "FailureCode",
    "Leniency",
    "PathStep",
    "Verification",
    "VerifyFailure",
    "hostname_matches",
    "verify",
]

PURPOSES = values(Purpose)
"""The values of :class:`Purpose`: ``server``: TLS server authentication (APIM → backend); ``client``: TLS client."""

CA_FILE_SUFFIXES = (".cer", ".crt", ".pem", ".der", ".p7b", ".p7c", ".pfx", ".p12")
"""Files of a ``--ca`` folder that are read (``split``'s output folder holds ``.cer`` files)."""


def verify(
    inputs: InputLike | Sequence[InputLike] = (),
    *,
    peer: InputLike | None = None,
    ca: InputLike | Sequence[InputLike] = (),
    trust_store: TrustStore | str | Sequence[InputLike] | None = None,
    host: str | None = None,
    at: datetime | None = None,
    purpose: Purpose | str = Purpose.SERVER,
    policy: VerifyPolicy | str = VerifyPolicy.APIM,
    password: str | bytes | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    max_depth: int | None = None,
    proxy: ProxyConfig | None = None,
) -> Verification:
    """Verify the chain of each certificate under test.

    Args:
        inputs: What the backend sends (its PFX, full-chain PEM, leaf…), as for :func:`certconv.load`.
        peer: The certificate under test (its first certificate; the rest count as sent). Without it,
            every end-entity certificate of ``inputs`` is under test, or only those whose private key
            the input holds when it holds any (a PFX's own certificate). A CA certificate may be the peer.
        ca: What is uploaded to APIM → CA certificates: one file or folder, or a list of
            them; files in any format, folders for their ``.cer``/``.crt``/``.pem``/``.der``/
            ``.p7b``/``.p7c``/``.pfx``/``.p12`` files (e.g. the ``out`` folder of ``split``); a
            folder with a ``manifest.json`` (``split``'s and ``create``'s) for the files it lists.
            Its self-signed certificates are trusted roots; its others are intermediates APIM can use.
        trust_store: Roots trusted as they are, besides ``ca``'s: :class:`TrustStore` ``public`` (Mozilla's, from
            certifi, standing in for the Windows store), ``system`` (this machine's), or
            certificates (every one a trust anchor, self-signed or not). Without ``ca`` and
            ``trust_store``, the input's own roots are trusted.
        host: Check this host name against the leaf's SAN (under ``apim`` the CN when the SAN has no DNS name).
        at: The moment of verification (default now), compared at whole seconds; a naive datetime is UTC.
        purpose: :class:`Purpose` ``server`` (the backend's certificate, default) or ``client``.
        policy: :class:`VerifyPolicy` ``apim`` (default: what APIM, a Windows client, accepts for a private CA) or
            ``strict`` (RFC 5280 and the CA/Browser Forum's rules); docs/verify.md lists the difference.
        password: For PKCS#12 inputs (and ``ca`` files).
        max_input_size: As for :func:`certconv.load`.
        complete: Download issuers missing from ``inputs`` over AIA, as Windows' chain engine
            does; they serve as intermediates, never as trusted roots.
        timeout: Seconds per AIA download (with ``complete``).
        max_depth: Most intermediate CAs a path may hold (self-issued ones not counted); default no limit.
        proxy: Proxies for the AIA downloads, as for :func:`certconv.load`.

    Returns:
        The :class:`Verification`; ``ok`` says whether every chain verifies.

    Raises:
        UsageError: ``purpose``, ``policy``, ``trust_store``, ``max_depth``, ``at`` or ``timeout`` is not
            one certconv takes.
        CertconvError: an input, ``ca`` file or store cannot be read, or there is nothing to verify.
    """
    purpose = coerce(Purpose, purpose, "purpose")
    settings_policy = _check(policy, trust_store, max_depth)
    moment = whole_seconds(check_moment(at) or datetime.now(UTC))
    check_timeout(timeout)
    secret = password_bytes(password)
    items: list[InputLike] = [inputs] if isinstance(inputs, str | bytes | Source | PathLike) else list(inputs)
    if peer is not None:
        items.insert(0, peer)
    if not items:
        raise InputError("no input given: give what the backend sends, or the certificate to check as peer")
    read = read_inputs(items, password=secret, max_input_size=max_input_size)
    if not any(r.certificates for r in read):
        raise key_only_error(read)
    memo: dict[tuple[str, str], bool] = {}  # each signature is checked once per call
    if complete:
        from .network._aia import complete_bundle  # the network code stays out of plain verification

        bundle = complete_bundle(read, at=moment, timeout=timeout, proxy=proxy)
    else:
        bundle = build_bundle(read, at=moment, memo=memo)
    ca_items = _expand_ca(ca)
    ca_read = read_inputs(ca_items, password=secret, max_input_size=max_input_size) if ca_items else []
    ca_bundle = build_bundle(ca_read, at=moment, memo=memo) if ca_read else None
    store_read, store_text, store_kind = _store(trust_store, secret, max_input_size)

    nodes = {n.sha256: n for n in graph(_raws(bundle.certificates, ca_bundle, store_read), memo)}
    store_set = {_sha256(raw.der) for r in store_read for raw in r.certificates}
    if ca_bundle is not None or store_read:
        roots = tuple(c for c in ca_bundle.certificates if c.self_signed) if ca_bundle else ()
    else:
        roots = tuple(c for c in bundle.certificates if c.self_signed and not c.downloaded)
    anchor_set = frozenset({c.sha256 for c in roots} | store_set)
    tested = _under_test(bundle, read[0] if peer is not None else None)
    settings = Settings(
        settings_policy,
        moment,
        purpose,
        host=normalize_host(host) if host is not None else None,
        host_given=host is not None,
        max_depth=max_depth,
        public=frozenset(store_set) if store_kind in values(TrustStore) else frozenset(),
    )
    known = {c.sha256: c for c in (*(ca_bundle.certificates if ca_bundle else ()), *bundle.certificates)}
    names = {**file_names(ca_bundle.certificates if ca_bundle else ()), **file_names(bundle.certificates)}
    words = _Words(purpose, host, bool(ca_items), names, list(known.values()))
    origins = _Origins(bundle, ca_bundle, store_set)
    verdicts = []
    total = search_budget(len(nodes))
    progress = reporter(ProgressStage.VERIFYING, len(tested))
    for cert in tested:
        progress.step()
        outcome = search(nodes[cert.sha256], anchor_set, settings, budget=min(SEARCH_BUDGET, total))
        total -= outcome.steps
        WORK.search_steps += outcome.steps
        verdicts.append(_verdict(cert, outcome, known, names, words, origins, anchor_set))
    progress.done()
    return Verification(
        bundle=bundle,
        ca_bundle=ca_bundle,
        ca_inputs=tuple(input_name(i) for i in ca_items),
        anchors=roots,
        trust=Origin.CA if ca_items else (Origin.STORE if store_read else Origin.INPUT),
        at=moment,
        host=host,
        purpose=purpose,
        chains=tuple(verdicts),
        policy=settings_policy.name,
        trust_store=store_kind,
        store_text=store_text,
        store_anchors=len(store_set),
    )


def _check(policy: str, trust_store: object, max_depth: object) -> Policy:
    chosen = coerce(VerifyPolicy, policy, "policy")
    if isinstance(trust_store, str):
        coerce(TrustStore, trust_store, "trust_store")
    if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0):
        raise UsageError(f"max_depth must be a whole number of 0 or more, or None, not {max_depth!r}")
    return POLICIES[chosen]


def _store(
    trust_store: str | Sequence[InputLike] | None, secret: bytes | None, max_input_size: int
) -> tuple[list[ReadResult], str | None, str | None]:
    if trust_store is None:
        return [], None, None
    if isinstance(trust_store, str):
        sources, text = store_sources(TrustStore(trust_store))
        # A store is read as it is: bundles of thousands of roots are larger than an input may be.
        return read_inputs(sources, password=None, max_input_size=max(max_input_size, 64 << 20)), text, trust_store
    items = list(trust_store)
    read = read_inputs(items, password=secret, max_input_size=max_input_size) if items else []
    return read, "the certificates given as trust store" if read else None, "given" if read else None


def _raws(certs: Sequence[Certificate], ca_bundle: Bundle | None, store: list[ReadResult]) -> list[RawCertificate]:
    every = [*certs, *(ca_bundle.certificates if ca_bundle else ())]
    raws = [RawCertificate(c.x509, c.der, c.source, c.friendly_name, c.quirks) for c in every]
    return raws + [raw for r in store for raw in r.certificates]


def _sha256(der: bytes) -> str:
    import hashlib

    return hashlib.sha256(der).hexdigest().upper()


def _under_test(bundle: Bundle, peer: ReadResult | None) -> list[Certificate]:
    if peer is not None:
        if not peer.certificates:
            raise InputError("holds no certificate to verify", path=peer.name)
        wanted = _sha256(peer.certificates[0].der)
        return [c for c in bundle.certificates if c.sha256 == wanted]
    leaves = [chain.leaf for chain in bundle.chains]
    if not leaves:
        raise NoEndEntityError(
            "holds no end-entity certificate to verify, only CA certificates; give the backend's certificate "
            "(its PFX, full-chain PEM or leaf .cer) as the input",
            path=", ".join(bundle.inputs),
            hint=hint(
                "the CA certificates go in {}, or name the CA certificate to check with {}", Option.CA, Option.PEER
            ),
        )
    with_key = [c for c in leaves if c.has_private_key]
    # A PFX is about its own certificate: a stray CA:FALSE certificate beside it is not under test.
    return with_key or leaves


class _Origins:
    def __init__(self, bundle: Bundle, ca_bundle: Bundle | None, store: set[str]) -> None:
        self.input = {c.sha256 for c in bundle.certificates if not c.downloaded}
        self.ca = {c.sha256 for c in ca_bundle.certificates} if ca_bundle else set()
        self.store = store

    def of(self, cert: Certificate) -> Origin:
        """``input`` if the backend sends it, else ``ca`` if uploaded, ``store``, or ``aia`` (downloaded)."""
        if cert.sha256 in self.input:
            return Origin.INPUT
        if cert.sha256 in self.ca:
            return Origin.CA
        return Origin.STORE if cert.sha256 in self.store else Origin.AIA


def _verdict(
    cert: Certificate,
    outcome: Outcome,
    known: dict[str, Certificate],
    names: dict[Certificate, str],
    words: _Words,
    origins: _Origins,
    anchors: frozenset[str],
) -> ChainVerdict:
    path: list[Certificate] = []
    for index, node in enumerate(outcome.path):
        above = outcome.path[index + 1] if index + 1 < len(outcome.path) else None
        path.append(known.get(node.sha256) or certificate_of(node, above))  # type: ignore[arg-type]
    for c in path:
        if c not in names:  # not setdefault: naming every step of 20,000 paths again cost a third of verify
            names[c] = file_names([c])[c]
    steps = tuple(PathStep(c, origins.of(c), c.sha256 in anchors, names[c]) for c in path)
    failures = [words.problem(p, path) for p in outcome.problems]
    if outcome.cut and not outcome.valid:
        limit = "the time the command had" if outcome.late else f"certconv's limit of {outcome.budget:,} steps"
        # The search stopped before it tried every path: no verdict on trust is known, so none is given
        # beyond this one (a "missing issuer" would be a guess), only the problems of the path it holds.
        failures.insert(
            0,
            VerifyFailure(
                FailureCode.SEARCH_LIMIT,
                f"{printable(cert.source)}: too complex to verify: the chains of {what_cert(cert, 0, words.purpose)}"
                f" needed more than {limit} (candidate paths through cross-signed CAs, and name-constraint "
                f"comparisons counted {NAME_COMPARISONS_PER_STEP} to a step) before one was found valid: give "
                "only the CA certificates the chain needs, with fewer cross-signs, name constraints or names",
                cert.sha1,
            ),
        )
    elif not outcome.reached:
        failures.insert(0, words.trust(steps))
    leniencies = outcome.leniencies if not failures else ()
    return ChainVerdict(cert, steps, tuple(failures), leniencies, browser_notes(leniencies))


class _Words:
    """Problems and trust failures as sentences in APIM's terms, naming split's files."""

    def __init__(
        self, purpose: str, host: str | None, with_ca: bool, names: dict[Certificate, str], known: list[Certificate]
    ) -> None:
        self.purpose = purpose
        self.host = host
        self.with_ca = with_ca
        self.names = names
        self.known = known

    def problem(self, problem: Problem, path: list[Certificate]) -> VerifyFailure:
        cert = path[problem.index]
        f_what = what_cert(cert, problem.index, self.purpose)
        fix = problem.fix
        if problem.code is FailureCode.HOSTNAME_MISMATCH and not fix:
            host = printable(self.host or "")
            return VerifyFailure(
                problem.code,
                f"{f_what} {problem.detail}, not `{host}`: APIM calls the backend as "
                f"`{host}`, so put a certificate with `{host}` (or a matching wildcard) in its SAN "
                "on the backend, or use a host name the certificate covers in the backend URL",
                cert.sha1,
            )
        if problem.code is FailureCode.EXPIRED:
            if problem.index == 0:
                fix = "renew it and install the new certificate on the backend"
            else:
                fix = (
                    f"get the renewed {cert.role.value} from your CA, upload it to APIM → CA certificates, store "
                    f"{cert.apim_store or 'Root'}, in place of `{self.names.get(cert, '')}` and install the "
                    "renewed chain on the backend"
                )
        elif problem.index == 0 and fix:
            fix += " and install it on the backend"
        return VerifyFailure(problem.code, f"{f_what} {problem.detail}: {fix}", cert.sha1)

    def trust(self, steps: tuple[PathStep, ...]) -> VerifyFailure:
        top = steps[-1]
        cert = top.certificate
        if not cert.self_signed:
            return self._missing_issuer(cert)
        what_text = f"the backend's self-signed certificate `{cert.common_name}`" if len(steps) == 1 else "the root"
        if len(steps) > 1:
            what_text += f" `{cert.common_name}`"
        if top.origin is Origin.AIA:
            # Downloaded, so nobody vouched for it: say so rather than "sent by the server".
            how = "was downloaded from an AIA URL (completion) but is not uploaded to APIM: check it is your root, then"
        else:
            how = "is sent by the server but not uploaded to APIM:"
        return VerifyFailure(
            FailureCode.UNTRUSTED_ROOT,
            f"{what_text} {how} upload `{self.names[cert]}` to APIM → CA certificates, store Root",
            cert.sha1,
        )

    def _missing_issuer(self, top: Certificate) -> VerifyFailure:
        issuer = display_name(top.x509.issuer)
        stem = slug(label(top.x509.issuer))  # the name split gives its file
        urls = ca_issuers_urls(top.x509)
        source = f" (download it from {', '.join(map(printable, urls))})" if urls else ""
        where = "sent by the server nor uploaded" if self.with_ca else "in the input nor given as a CA certificate"
        wanted = name_key(top.x509.issuer)
        namesake = next((c for c in self.known if name_key(c.x509.subject) == wanted and c != top), None)
        code = FailureCode.MISSING_ISSUER
        if namesake is not None:
            return VerifyFailure(
                code,
                f"`{namesake.common_name}` (SHA-1 {namesake.sha1[:8]}…) has the name of the "
                f"issuer of `{top.common_name}` but did not sign it (a re-keyed or reissued CA?): get"
                f" the CA certificate that really issued `{top.common_name}` from your CA{source} and"
                " upload it to APIM → CA certificates in place of that one",
                top.sha1,
            )
        if top.role is Role.LEAF:
            # A leaf's issuer is an intermediate in the usual three-tier private PKI.
            message = (
                f"the intermediate `{issuer}` that issued `{top.common_name}` is neither {where}: get it from "
                f"your CA{source} and upload it as `intermediate-{stem}.cer` to APIM → CA certificates, "
                f"store CertificateAuthority (store Root if `{issuer}` is self-signed)"
            )
        else:
            message = (
                f"the root `{issuer}` that issued `{top.common_name}` is neither {where}: get it from your "
                f"CA{source} and upload it as `root-{stem}.cer` to APIM → CA certificates, store Root "
                f"(store CertificateAuthority if `{issuer}` is not self-signed)"
            )
        return VerifyFailure(code, message, top.sha1)


def what_cert(cert: Certificate, index: int, purpose: str) -> str:
    """How a sentence names ``cert`` at ``index`` of the path (0: the certificate under test)."""
    subject = {Purpose.SERVER: "backend certificate", Purpose.CLIENT: "client certificate"}[Purpose(purpose)]
    if index == 0:
        return f"the {subject} `{cert.common_name}`"
    return f"the {cert.role.value if cert.role is not Role.LEAF else 'certificate'} `{cert.common_name}`"


def _expand_ca(ca: InputLike | Sequence[InputLike]) -> list[InputLike]:
    # One path (a str is a sequence of characters, not of paths), bytes or Source is one item.
    given = [ca] if isinstance(ca, str | bytes | Source | PathLike) else list(ca)
    items: list[InputLike] = []
    for item in given:
        if isinstance(item, bytes | Source) or not Path(item).is_dir():
            items.append(item)
            continue
        folder = Path(item)
        try:
            found = listed_files(folder, CA_FILE_SUFFIXES, DEFAULT_MAX_INPUT_SIZE)  # only what split wrote
            if found is None:
                found = sorted(p for p in folder.iterdir() if p.suffix.lower() in CA_FILE_SUFFIXES and p.is_file())
        except OSError as exc:
            raise InputError(f"cannot be listed ({exc.strerror or exc})", path=str(folder)) from None
        if not found:
            what = f"holds no certificate file ({', '.join(CA_FILE_SUFFIXES)}); give the folder split wrote"
            raise InputError(what, path=str(folder))
        items.extend(str(p) for p in found)
    return items


publish(globals())
