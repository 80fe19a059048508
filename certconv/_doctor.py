"""``certconv fetch``: why does APIM answer 500 BackendConnectionFailure? One call answers it.

Microsoft's troubleshooting guide names three causes of ``Could not establish
trust relationship for the SSL/TLS secure channel``: the certificate's name does
not match the backend's host, APIM cannot validate the chain, and APIM and the
backend share no TLS version or cipher suite. :func:`diagnose_backend` checks
all three against a live backend: it captures the served chain
(:func:`certconv.fetch`), verifies it with the CA certificates uploaded to APIM
(:func:`certconv.verify`, the same code as ``certconv verify``), probes TLS
versions and APIM's cipher suites (:mod:`certconv.network._probe`), and optionally
writes the certificates as ``split`` does. The result carries everything the
command prints, as text (:meth:`BackendReport.render`) and JSON.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from os import PathLike
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .azure._backend_words import ALERT_WORDS, APIM_CLIENT_CERTIFICATE, ORIGIN_WORDS, refusal_fix, server_fix
from .base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from .base._console import printable
from .base._dates import iso_utc
from .base._enums import AzureTarget, FetchVerdict, Format, VerifyPolicy, WarningCode, coerce
from .base._errors import NoEndEntityError
from .base._face import publish
from .network._served import ClientCertificateCheck, FetchResult, fetch_notes
from .output._manifest import Manifest
from .pki._model import Bundle
from .readers._read import DEFAULT_MAX_INPUT_SIZE, Source
from .trust._result import APIM_ERROR

if TYPE_CHECKING:
    from ._verify import Verification
    from .bundle._expiry import Expiry
    from .network._handshake import Target
    from .network._probe import TlsReport
    from .network._proxy import ProxyConfig

__all__ = ["FETCH_SCHEMA", "BackendReport", "diagnose_backend"]

FETCH_SCHEMA = 1
"""Version of the ``certconv fetch --json`` document."""

@dataclass(frozen=True, slots=True)
class BackendReport:
    """What :func:`diagnose_backend` found: the served chain, its TLS, and APIM's verdict.

    Attributes:
        fetch: The served chain (:class:`FetchResult`), with the agreed protocol and cipher.
        tls: The TLS probes compared with APIM's backend side; ``None`` when not probed.
        verification: The verdict with the uploaded CA certificates (``ca``); ``None`` without ``ca``.
        ca_given: ``ca`` was given (so :attr:`trusted` means something).
        manifest: What was written with ``out``; ``None`` otherwise.
        expiring: Served certificates expiring within ``fail_within`` days (or expired);
            empty when ``fail_within`` was not given.
        fail_within: The days asked about, ``None`` when not asked.
        info: Sentences worth knowing that are not problems ("root not sent, as usual…").
        unverifiable: Why the chain could not be verified at all (the server sends no
            end-entity certificate), else ``None``.
        at: The moment validity was judged (UTC).
        completed: Missing issuers were looked for over AIA (``complete``).
    """

    fetch: FetchResult
    tls: TlsReport | None
    verification: Verification | None
    ca_given: bool
    manifest: Manifest | None
    expiring: tuple[Expiry, ...]
    fail_within: float | None
    info: tuple[str, ...]
    unverifiable: str | None
    at: datetime
    completed: bool = False

    @property
    def trusted(self) -> bool | None:
        """Would APIM, with the uploaded CA certificates, trust the chain? ``None`` without ``ca``."""
        if not self.ca_given:
            return None
        return self.verification is not None and self.verification.ok

    @property
    def client_certificate(self) -> ClientCertificateCheck | None:
        """Whether the backend asked for a client certificate, and took the one presented."""
        return self.fetch.client_certificate

    @property
    def client_refused(self) -> bool:
        """The backend requires a client certificate and none was presented, or it refused the one presented."""
        check = self.client_certificate
        return check is not None and check.problem

    @property
    def apim_ok(self) -> bool | None:
        """Would APIM connect: trusted, no TLS problem, no client certificate refused? ``None`` without ``ca``."""
        trusted = self.trusted
        if trusted is None:
            return None
        return trusted and not (self.tls is not None and self.tls.problems) and not self.client_refused

    @property
    def failed(self) -> bool:
        """``certconv fetch`` exits 3: APIM would not connect (with ``ca``; without it, a client certificate
        required and not presented, or refused), or a certificate expires soon."""
        return self.apim_ok is False or self.client_refused or bool(self.expiring)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv fetch --json`` (see docs/fetch.md)."""
        from ._inspect import inspect_bundle

        result = self.fetch
        certificates = inspect_bundle(result.bundle, at=self.at).to_dict()["certificates"]
        if self.manifest is not None:
            files = {e.certificate.sha1: e.file for e in self.manifest.entries}
            certificates = [{**c, "file": files.get(c["sha1"], c["file"])} for c in certificates]
        document: dict[str, Any] = {
            "schema": FETCH_SCHEMA,
            "tool": f"certconv {__version__}",
            "at": iso_utc(self.at),
            "target": result.target,
            "sni": result.sni,
            "served": [c.sha1 for c in result.served],
            "verdict": result.verdict,
            "message": result.message,
            "info": list(self.info),
            "protocol": result.protocol,
            "cipher": result.cipher,
            "tls": self.tls.to_dict() if self.tls is not None else None,
            "client_certificate": result.client_certificate.to_dict() if result.client_certificate else None,
            "trusted": self.trusted,
            "apim_ok": self.apim_ok,
            "verification": self.verification.to_dict() if self.verification is not None else None,
            "unverifiable": self.unverifiable,
        }
        if self.manifest is not None:
            document["out"] = self.manifest.out
        if self.fail_within is not None:
            document["fail_within"] = self.fail_within
            document["expiring"] = [e.to_dict() for e in self.expiring]
        document["certificates"] = certificates
        document["chains"] = [list(chain.sha1s) for chain in result.bundle.chains]
        document["warnings"] = [w.to_dict() for w in result.bundle.warnings]
        return document

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text ending in a newline."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def render(self, *, color: bool = False, encoding: str | None = None) -> str:
        """The text ``certconv fetch`` prints (the ``--fail-within`` lines excepted: see :attr:`expiring`).

        Args:
            color: ANSI colours in the certificate tree (the CLI: on a terminal only).
            encoding: The encoding the text will be written in, as for :meth:`Inspection.render`.
        """
        from ._inspect import inspect_bundle

        result = self.fetch
        if self.manifest is not None:
            from .text._split import render_split

            lines = [render_split(self.manifest, encoding=encoding)]
        else:
            lines = [inspect_bundle(self._shown_bundle(), at=self.at).render(color=color, encoding=encoding)]
        lines += ["", *self._tls_lines()]
        # The target is what the user typed, the message quotes the server's names: both printable.
        lines += ["", f"{printable(result.target)}: {printable(result.message)}"]
        lines += [f"info: {printable(text)}" for text in self.info]
        if not self.completed and result.aia_could_help:
            lines.append("hint: --complete downloads missing issuers from their AIA URLs")
        lines += self._client_lines()
        lines += self._verdict_lines()
        return "\n".join(lines)

    def _client_lines(self) -> list[str]:
        """The client certificate: asked for, required, presented, accepted (nothing when neither asked nor given)."""
        check = self.client_certificate
        if check is None or not (check.requested or check.given):
            return []
        given = f"'{printable(check.given.common_name)}'" if check.given is not None else ""
        cas = "; ".join(printable(name) for name in check.acceptable_cas)
        listed = [f"  acceptable CAs (the server's list): {cas}"] if cas else []
        if not check.requested:
            return [
                f"info: client certificate {given} not presented: the server did not ask for one during the "
                "handshake (one asked for only later, for some paths, by TLS 1.2 renegotiation or TLS 1.3 "
                "post-handshake authentication, cannot be seen here)"
            ]
        alert = ALERT_WORDS.get(check.alert or "", f"alert {check.alert}")
        if not check.presented:
            if not check.required:
                return [
                    "info: the server asks for a client certificate but goes on without one (APIM's call works "
                    "without it; APIM presents one only when set up to)",
                    *listed,
                ]
            return [
                "",
                f"client certificate: REQUIRED by the server, none presented (it asked, then ended the "
                f"handshake: {alert})",
                *listed,
                f"  ✗ {APIM_CLIENT_CERTIFICATE}; check it here with --client-cert FILE",
            ]
        if check.accepted:
            return ["", f"client certificate {given}: presented and accepted by the server", *listed]
        return [
            "",
            f"client certificate {given}: presented and REFUSED by the server ({alert})",
            *listed,
            f"  ✗ {refusal_fix(check.alert)}",
        ]

    def _shown_bundle(self) -> Bundle:
        """The bundle without the missing-issuer warning of a root that is, as usual, not sent."""
        if not self._root_not_sent():
            return self.fetch.bundle
        top = self.fetch.served[-1].sha1
        bundle = self.fetch.bundle
        kept = tuple(w for w in bundle.warnings if not (w.code is WarningCode.MISSING_ISSUER and w.sha1 == top))
        return replace(bundle, warnings=kept)

    def _root_not_sent(self) -> bool:
        return self.fetch.verdict is FetchVerdict.LEAF_AND_INTERMEDIATES

    def _tls_lines(self) -> list[str]:
        result = self.fetch
        agreed = " · ".join(part for part in (result.protocol, result.cipher) if part) or "not agreed"
        lines = [f"TLS: {agreed} (agreed with certconv, which offers TLS 1.0 to 1.3 and every cipher suite)"]
        if self.tls is None:
            return lines
        from .azure._apim_tls import APIM_BACKEND_TLS

        lines.append("  versions: " + " · ".join(f"{p.version} {p.outcome}" for p in self.tls.versions))
        for probe in self.tls.apim_ciphers:
            said = f"accepted ({probe.cipher})" if probe.outcome == "accepted" else probe.outcome
            lines.append(f"  {probe.version}: {said}")
        lines.append(f"  APIM's backend side (Microsoft's documentation, checked {APIM_BACKEND_TLS.checked}):")
        lines += [f"    {'✗' if f.problem else '·'} {f.code}: {printable(f.message)}" for f in self.tls.findings]
        return lines

    def _verdict_lines(self) -> list[str]:
        if not self.ca_given:
            return []
        verification = self.verification
        lines = [""]
        if verification is None:
            lines.append(f"APIM with the uploaded CA certificates: cannot verify: {self.unverifiable}")
            return lines
        names = ", ".join(f"`{printable(c.common_name)}`" for c in verification.anchors) or "none"
        tls_problems = self.tls.problems if self.tls is not None else ()
        verdict = "TRUSTED" if verification.ok else "NOT TRUSTED"
        host = f", host {printable(verification.host)}" if verification.host else ", no host name checked (give --host)"
        lines.append(f"APIM with the uploaded CA certificates (roots: {names}{host}): {verdict}")
        for chain in verification.chains:
            path = " ← ".join(
                f"{s.certificate.role.value} `{printable(s.certificate.common_name)}` ({ORIGIN_WORDS[s.origin]})"
                for s in chain.path
            )
            lines.append(f"  path: {path}")
            for failure in chain.failures:
                lines.append(f"  ✗ {failure.code}: {printable(failure.message)}")
                also = server_fix(failure.code, chain.path[-1].certificate.role, chain.path[-1].origin)
                if also:
                    lines.append(f"    {also}")
        if tls_problems:
            lines.append("  ✗ TLS: " + "; ".join(printable(f.message) for f in tls_problems))
        if self.client_refused:
            lines.append("  ✗ client certificate: " + self._client_problem())
        if not verification.ok:
            lines.append(f'  → APIM would fail with "{APIM_ERROR}" (500 BackendConnectionFailure)')
        elif tls_problems:
            lines.append(
                "  → APIM would fail with 500 BackendConnectionFailure: the TLS handshake finds no version or "
                "cipher suite in common"
            )
        elif self.client_refused:
            lines.append(
                "  → APIM would fail with 500 BackendConnectionFailure: the backend ends the TLS handshake "
                "over the client certificate"
            )
        return lines

    def _client_problem(self) -> str:
        check = self.client_certificate
        if check is None or check.presented:
            return "the backend refused the client certificate presented"
        return "the backend requires one and none was presented"


def diagnose_backend(
    target: str | Target,
    *,
    ca: Sequence[str | PathLike[str] | bytes | Source] = (),
    host: str | None = None,
    sni: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    complete: bool = False,
    at: datetime | None = None,
    proxy: ProxyConfig | None = None,
    probe: bool = True,
    fail_within: float | None = None,
    out: str | PathLike[str] | None = None,
    format: Format | str = Format.DER,  # noqa: A002 - the word users know from --format
    force: bool = False,
    password: str | bytes | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    policy: VerifyPolicy | str = VerifyPolicy.APIM,
    client_certificate: str | PathLike[str] | bytes | Source | None = None,
) -> BackendReport:
    """Check a live backend as APIM would: served chain, trust with the uploads, TLS versions and ciphers.

    Args:
        target: As for :func:`certconv.fetch`.
        ca: What is uploaded to APIM → CA certificates (files or folders, as for
            :func:`certconv.verify`); empty: no verdict on trust (``trusted`` is ``None``).
        host: The host name APIM calls the backend by; default the name sent as
            SNI (the target's host name; nothing for an IP address).
        sni: As for :func:`certconv.fetch`.
        timeout: The handshake's deadline, as for :func:`certconv.fetch`; the
            TLS probes share one more, and ``complete`` downloads ``3 × timeout``.
        complete: Download missing issuers over AIA (they are never trusted roots).
        at: When validity is judged; default now.
        proxy: As for :func:`certconv.fetch`; also used by the probes and AIA downloads.
        probe: Probe TLS 1.0 to 1.3 and APIM's cipher suites (up to six more handshakes).
        fail_within: Report served certificates that expire within this many
            days, or have (:attr:`BackendReport.expiring`).
        out: Also write the certificates, ``UPLOAD.md`` and ``manifest.json`` here, as ``split`` does.
        format: With ``out``: ``der`` or ``pem``.
        force: With ``out``: overwrite files that exist.
        password: For PKCS#12 files among ``ca``.
        max_input_size: For the ``ca`` files.
        policy: With ``ca``: ``apim`` (default) or ``strict``, as for :func:`certconv.verify`.
        client_certificate: The client certificate APIM presents to the backend
            (a PFX, or PEM with its private key; ``password`` opens it), presented
            in every handshake, the probes' too. It is checked before connecting:
            a file without its key, with another certificate's key, outside its
            validity or without the clientAuth usage is an error.

    Without ``client_certificate``, a backend that requires one makes
    :attr:`BackendReport.failed` true; with it, a backend that refuses it does.

    Raises:
        UsageError: a bad ``timeout``, ``at``, ``fail_within``, ``out`` or ``policy`` option.
        InputError: ``target`` is not a host and port, a ``ca`` file cannot be read,
            or the client certificate cannot be presented (see ``client_certificate``).
        KeyMismatchError: the client certificate file's key belongs to no certificate in it.
        ConnectionFailedError, NetworkTimeoutError, NotTLSError, NetworkError:
            the backend (or the proxy) could not be asked.
    """
    from ._api import load, write_split
    from .azure._plan import build_plan, split_options
    from .bundle._expiry import check_days, expiring
    from .network._handshake import Target, parse_target
    from .network._tls import JUDGING_MARGIN, fetch
    from .trust._path import searching_until

    timeout = check_timeout(timeout)
    policy = coerce(VerifyPolicy, policy, "policy")  # before any connection is made
    moment = check_moment(at) or datetime.now(UTC)
    if fail_within is not None:
        fail_within = check_days(fail_within)
    options = split_options(out, AzureTarget.APIM, format, ()) if out is not None else None
    where = target if isinstance(target, Target) else parse_target(target, sni=sni)
    client = None
    if client_certificate is not None:
        from .network._client_cert import client_identity

        loaded = load(client_certificate, password=password, at=moment, max_input_size=max_input_size)
        client = client_identity(loaded, at=moment)
    result = fetch(where, timeout=timeout, complete=complete, at=moment, proxy=proxy, client=client)
    tls = None
    if probe:
        from .network._probe import probe_tls

        tls = probe_tls(where, timeout=timeout, proxy=proxy, client=client)
    verification = None
    unverifiable = None
    if ca:
        checked_host = host if host is not None else where.sni
        # Verifying the served chain against the uploads is bounded by the same deadline as fetching it.
        with searching_until(time.monotonic() + timeout + JUDGING_MARGIN):
            verification, unverifiable = _verify(result, ca, checked_host, moment, password, max_input_size, policy)
    manifest = write_split(build_plan(result.bundle, options), force=force) if options is not None else None
    soon = expiring(result.served, within_days=fail_within, at=moment) if fail_within is not None else ()
    return BackendReport(
        fetch=result,
        tls=tls,
        verification=verification,
        ca_given=bool(ca),
        manifest=manifest,
        expiring=soon,
        fail_within=fail_within,
        info=fetch_notes(result, complete=complete),
        unverifiable=unverifiable,
        at=moment,
        completed=complete,
    )


def _verify(
    result: FetchResult,
    ca: Sequence[str | PathLike[str] | bytes | Source],
    host: str | None,
    at: datetime,
    password: str | bytes | None,
    max_input_size: int,
    policy: VerifyPolicy | str,
) -> tuple[Verification | None, str | None]:
    """``certconv.verify`` on what the server sent (and what AIA brought, under its ``aia:`` names)."""

    from ._verify import verify

    served = b"".join(c.pem for c in dict.fromkeys(result.served))
    inputs: list[Source] = [Source(result.target, served)]
    # Downloaded issuers keep their aia:<url> name, so verify treats them as downloaded: never trusted roots.
    inputs += [Source(c.source, c.der) for c in result.bundle.certificates if c.downloaded]
    try:
        return (
            verify(inputs, ca=ca, host=host, at=at, password=password, max_input_size=max_input_size, policy=policy),
            None,
        )
    except NoEndEntityError:
        return None, "the server sends no end-entity certificate, only CA certificates"


publish(globals())
