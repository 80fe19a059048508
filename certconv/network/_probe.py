"""Which TLS versions and cipher suites a backend accepts, compared with what APIM offers it.

One handshake per TLS version (1.3, 1.2, 1.1, 1.0, each offered alone), then
one offering only APIM's default TLS 1.2 cipher suites (and, when the backend
speaks TLS 1.3, one with APIM's TLS 1.3 suites). A version the local OpenSSL
cannot offer is reported as not probed, never as refused. All probes together
share one deadline of ``timeout`` seconds; probes it leaves are not probed.

The verdict compares the results with :data:`certconv.azure._apim_tls.APIM_BACKEND_TLS`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..azure._apim_tls import APIM_BACKEND_TLS
from ..base._args import DEFAULT_TIMEOUT, check_timeout
from ..base._enums import ProbeOutcome, TlsFindingCode
from ..base._errors import NetworkError, NetworkTimeoutError, NotTLSError
from ..base._face import publish

if TYPE_CHECKING:
    from ._client_cert import ClientIdentity
    from ._handshake import Offer, Target
    from ._proxy import ProxyConfig

__all__ = ["TLS_VERSIONS", "TlsFinding", "TlsReport", "VersionProbe", "probe_tls"]

TLS_VERSIONS = ("TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0")
"""The versions probed, newest first."""

# An OpenSSL 3 security level above 0 refuses to offer TLS 1.0/1.1 (and SHA-1 suites) at all.
_ALL_CIPHERS = b"ALL:@SECLEVEL=0"


@dataclass(frozen=True, slots=True)
class VersionProbe:
    """One probe: what was offered alone, and what became of it.

    Attributes:
        version: ``TLS 1.2`` etc.; for the cipher probes ``TLS 1.2 (APIM's cipher suites)``.
        outcome: ``accepted``, ``refused``, ``no-answer`` (the deadline passed, or the
            connection failed) or ``not-probed`` (the local OpenSSL cannot offer it,
            or the probes' time was spent).
        cipher: OpenSSL's name of the suite agreed, when accepted.
        detail: Why, for every outcome but ``accepted``.
    """

    version: str
    outcome: ProbeOutcome
    cipher: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The probe as ``fetch --json`` shows it."""
        return {"version": self.version, "outcome": self.outcome, "cipher": self.cipher, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class TlsFinding:
    """One sentence comparing the backend with APIM's side.

    Attributes:
        code: ``tls-ok``, ``tls13-only``, ``old-tls-only``, ``old-tls-accepted``,
            ``no-apim-cipher``, ``not-probed``.
        problem: APIM with its default settings would not connect (``fetch --ca`` exits 3).
        message: What is wrong and what to do, in APIM's words.
    """

    code: TlsFindingCode
    problem: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The finding as ``fetch --json`` shows it."""
        return {"code": self.code, "problem": self.problem, "message": self.message}


@dataclass(frozen=True, slots=True)
class TlsReport:
    """The backend's TLS, probed, and how it fits APIM.

    Attributes:
        versions: One probe per :data:`TLS_VERSIONS` entry, newest first.
        apim_ciphers: The probes with APIM's cipher suites alone (TLS 1.2, then TLS 1.3 when probed).
        findings: The comparison with APIM's backend side.
    """

    versions: tuple[VersionProbe, ...]
    apim_ciphers: tuple[VersionProbe, ...]
    findings: tuple[TlsFinding, ...]

    @property
    def accepted(self) -> tuple[str, ...]:
        """The versions the backend accepted, newest first."""
        return tuple(p.version for p in self.versions if p.outcome == ProbeOutcome.ACCEPTED)

    @property
    def problems(self) -> tuple[TlsFinding, ...]:
        """The findings that stop APIM with its default settings."""
        return tuple(f for f in self.findings if f.problem)

    def to_dict(self) -> dict[str, Any]:
        """The report as ``fetch --json`` shows it."""
        return {
            "versions": [p.to_dict() for p in self.versions],
            "apim_ciphers": [p.to_dict() for p in self.apim_ciphers],
            "findings": [f.to_dict() for f in self.findings],
            "apim_facts": {"docs": list(APIM_BACKEND_TLS.docs), "checked": APIM_BACKEND_TLS.checked},
        }


def probe_tls(
    target: Target,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    proxy: ProxyConfig | None = None,
    client: ClientIdentity | None = None,
) -> TlsReport:
    """Probe ``target``'s TLS versions and APIM's cipher suites; all within one ``timeout``.

    ``client`` is presented in every probe whose server asks for a client certificate.

    Raises:
        UsageError: ``timeout`` is not a number of seconds from 0 to an hour.
    """
    from OpenSSL import SSL

    from ._handshake import Offer

    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    codes = {"TLS 1.3": SSL.TLS1_3_VERSION, "TLS 1.2": SSL.TLS1_2_VERSION}
    codes |= {"TLS 1.1": SSL.TLS1_1_VERSION, "TLS 1.0": SSL.TLS1_VERSION}
    versions = tuple(
        _probe(target, name, Offer(codes[name], codes[name], _ALL_CIPHERS), deadline, timeout, proxy, client)
        for name in TLS_VERSIONS
    )
    accepted = {p.version for p in versions if p.outcome == ProbeOutcome.ACCEPTED}
    apim: list[VersionProbe] = []
    if "TLS 1.2" in accepted:
        suites = ":".join(s.openssl for s in APIM_BACKEND_TLS.tls12_ciphers).encode() + b":@SECLEVEL=0"
        offer = Offer(SSL.TLS1_2_VERSION, SSL.TLS1_2_VERSION, suites)
        apim.append(_probe(target, "TLS 1.2 (APIM's cipher suites)", offer, deadline, timeout, proxy, client))
    if "TLS 1.3" in accepted:
        suites13 = ":".join(s.openssl for s in APIM_BACKEND_TLS.tls13_ciphers).encode()
        offer = Offer(SSL.TLS1_3_VERSION, SSL.TLS1_3_VERSION, _ALL_CIPHERS, suites13)
        apim.append(_probe(target, "TLS 1.3 (APIM's cipher suites)", offer, deadline, timeout, proxy, client))
    return TlsReport(versions, tuple(apim), judge(versions, tuple(apim)))


def _probe(
    target: Target,
    version: str,
    offer: Offer,
    deadline: float,
    timeout: float,
    proxy: ProxyConfig | None,
    client: ClientIdentity | None,
) -> VersionProbe:
    from ._handshake import session_of

    unable = _cannot_offer(offer)
    if unable is not None:
        return VersionProbe(version, ProbeOutcome.NOT_PROBED, detail=unable)
    if deadline - time.monotonic() <= 0:
        return VersionProbe(version, ProbeOutcome.NOT_PROBED, detail=f"the probes' {timeout:g} s were spent")
    try:
        session = session_of(target, timeout=timeout, proxy=proxy, offer=offer, deadline=deadline, client=client)
    except NetworkTimeoutError:
        return VersionProbe(version, ProbeOutcome.NO_ANSWER, detail=f"no answer within the probes' {timeout:g} s")
    except (NotTLSError, NetworkError) as exc:
        # An alert (protocol_version, handshake_failure) or a hang-up is the server's no.
        return VersionProbe(version, ProbeOutcome.REFUSED, detail=exc.detail)
    return VersionProbe(version, ProbeOutcome.ACCEPTED, cipher=session.cipher)


def _cannot_offer(offer: Offer) -> str | None:
    """Why the local OpenSSL cannot make a ClientHello with ``offer``; ``None`` when it can."""
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    try:
        if offer.min_version is not None:
            context.set_min_proto_version(offer.min_version)
        if offer.max_version is not None:
            context.set_max_proto_version(offer.max_version)
        context.set_cipher_list(offer.ciphers)
        if offer.tls13_ciphersuites is not None:
            context.set_tls13_ciphersuites(offer.tls13_ciphersuites)
        conn = SSL.Connection(context, None)
        conn.set_connect_state()
        conn.do_handshake()
    except SSL.WantReadError:
        return None  # a ClientHello is waiting to be sent: it can be offered
    except SSL.Error as exc:
        reason = "; ".join(str(part[2]) for part in exc.args[0] if isinstance(part, tuple)) if exc.args else ""
        version = SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode("ascii", "replace")
        return f"the local {version} cannot offer it ({reason or exc})"
    return None


def judge(versions: tuple[VersionProbe, ...], apim: tuple[VersionProbe, ...]) -> tuple[TlsFinding, ...]:
    """The probes compared with APIM's backend side (:data:`APIM_BACKEND_TLS`)."""
    by = {p.version: p for p in versions}
    accepted = [p.version for p in versions if p.outcome == ProbeOutcome.ACCEPTED]
    findings: list[TlsFinding] = []
    old = [v for v in ("TLS 1.0", "TLS 1.1") if v in accepted]
    tls13 = APIM_BACKEND_TLS.protocol("TLS 1.3")
    if "TLS 1.2" in accepted:
        findings.append(
            TlsFinding(TlsFindingCode.TLS_OK, False, "accepts TLS 1.2, which APIM's backend side uses by default")
        )
    elif accepted == ["TLS 1.3"]:
        findings.append(
            TlsFinding(
                TlsFindingCode.TLS13_ONLY,
                True,
                "accepts only TLS 1.3: APIM's backend side uses TLS 1.2 unless backend TLS 1.3 is enabled "
                f"(classic tiers: {tls13.classic.removeprefix('optional: ')}); in the v2 tiers backend TLS 1.3 is "
                f"{tls13.v2}. Enable TLS 1.2 on the backend, or enable backend TLS 1.3 in APIM",
            )
        )
    elif old and "TLS 1.3" not in accepted:
        findings.append(
            TlsFinding(
                TlsFindingCode.OLD_TLS_ONLY,
                True,
                f"accepts only {' and '.join(old)}, which APIM's backend side has off by default: enable TLS 1.2 "
                "on the backend (turning old TLS on in APIM, customProperties …Backend.Protocols.Tls10/Tls11, "
                "is possible in the classic tiers but not recommended)",
            )
        )
    if old and "TLS 1.2" in accepted:
        findings.append(
            TlsFinding(
                TlsFindingCode.OLD_TLS_ACCEPTED,
                False,
                f"also accepts {' and '.join(old)} (APIM's backend side has them off by default; "
                "harmless for APIM, but worth turning off on the backend)",
            )
        )
    for probe in apim:
        if probe.outcome == ProbeOutcome.REFUSED:
            version = probe.version.split(" (")[0]
            plain = by.get(version)
            agreed = plain.cipher if plain is not None else None
            names = APIM_BACKEND_TLS.tls12_ciphers if version == "TLS 1.2" else APIM_BACKEND_TLS.tls13_ciphers
            besides = f" (with certconv it agreed on {agreed}, which APIM does not offer)" if agreed else ""
            findings.append(
                TlsFinding(
                    TlsFindingCode.NO_APIM_CIPHER,
                    True,
                    f"over {version} the backend accepts none of the cipher suites APIM offers{besides}: enable "
                    f"one of them on the backend, e.g. {names[0].iana} or {names[1].iana}",
                )
            )
    unprobed = [p for p in versions if p.outcome in (ProbeOutcome.NOT_PROBED, ProbeOutcome.NO_ANSWER)]
    if unprobed:
        findings.append(
            TlsFinding(
                TlsFindingCode.NOT_PROBED,
                False,
                "could not be probed: " + "; ".join(f"{p.version}: {p.detail}" for p in unprobed),
            )
        )
    return tuple(findings)


publish(globals())
