"""``certconv verify``: will APIM trust this backend once these CA certificates are uploaded?

The chain of every end-entity certificate of the input is verified by OpenSSL
(pyOpenSSL's ``X509Store``/``X509StoreContext``, at the chosen moment), and
certconv checks the same path itself for what OpenSSL reports one error at a
time or not at all: validity of every certificate, basicConstraints and path
length, key usage and extended key usage for the purpose, and the host name.
Every failure becomes one sentence in APIM's terms, naming the file
:func:`certconv.split` writes.

pyOpenSSL is imported inside :func:`verify` only, and ``certconv/__init__.py``
never imports this module at load time, so ``import certconv`` stays light.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._api import InputLike, load
from ._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from ._chain import read_extension
from ._errors import InputError, UsageError
from ._model import Bundle, Certificate, Role
from ._names import EKU_NAMES, KEY_USAGE_NAMES, display_name, label, name_key
from ._read import DEFAULT_MAX_INPUT_SIZE, Source
from ._text import fit, json_text, ljust, printable, width
from ._version import __version__
from ._write import _slug, file_names

__all__ = [
    "CA_FILE_SUFFIXES",
    "PURPOSES",
    "VERIFY_SCHEMA",
    "ChainVerdict",
    "PathStep",
    "Verification",
    "VerifyFailure",
    "hostname_matches",
    "verify",
]

VERIFY_SCHEMA = 1
"""Version of the ``certconv verify --json`` document."""

PURPOSES = ("server", "client")
"""``server``: TLS server authentication (APIM → backend); ``client``: TLS client authentication."""

CA_FILE_SUFFIXES = (".cer", ".crt", ".pem", ".der", ".p7b", ".p7c", ".pfx", ".p12")
"""Files of a ``--ca`` folder that are read (``split``'s output folder holds ``.cer`` files)."""

APIM_ERROR = "Could not establish trust relationship for the SSL/TLS secure channel"

# OpenSSL X509_V_ERR_* codes → the certconv failure codes that explain them.
_OPENSSL_CODES: dict[int, frozenset[str]] = {
    2: frozenset({"missing-issuer"}),  # unable to get issuer certificate
    7: frozenset({"missing-issuer"}),  # certificate signature failure: a namesake that did not sign it
    20: frozenset({"missing-issuer"}),  # unable to get local issuer certificate
    21: frozenset({"missing-issuer"}),  # unable to verify the first certificate
    9: frozenset({"not-yet-valid"}),
    10: frozenset({"expired"}),
    18: frozenset({"untrusted-root"}),  # self-signed certificate (depth 0), not trusted
    19: frozenset({"untrusted-root"}),  # self-signed certificate in chain, not trusted
    25: frozenset({"path-length"}),
    26: frozenset({"extended-key-usage", "key-usage"}),  # unsuitable certificate purpose
    32: frozenset({"key-usage"}),  # key usage does not include certificate signing
    39: frozenset({"key-usage"}),  # key usage does not include digital signature
    79: frozenset({"not-a-ca", "key-usage"}),  # invalid CA certificate (OpenSSL 3; 24 before)
    24: frozenset({"not-a-ca", "key-usage"}),
}

# What OpenSSL accepts for each purpose (crypto/x509/v3_purp.c: check_purpose_ssl_server/client).
_SGC = (x509.ObjectIdentifier("2.16.840.1.113730.4.1"), x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"))
_PURPOSE_EKU = {
    "server": (ExtendedKeyUsageOID.SERVER_AUTH, *_SGC),
    "client": (ExtendedKeyUsageOID.CLIENT_AUTH,),
}
_PURPOSE_KU = {
    "server": ("digital_signature", "key_encipherment", "key_agreement"),
    "client": ("digital_signature", "key_agreement"),
}
_PURPOSE_TEXT = {"server": "TLS server authentication", "client": "TLS client authentication"}
_PURPOSE_EKU_NAME = {"server": "serverAuth", "client": "clientAuth"}
_SUBJECT_WORD = {"server": "backend certificate", "client": "client certificate"}


@dataclass(frozen=True, slots=True)
class VerifyFailure:
    """One reason a chain is not trusted.

    Attributes:
        code: Stable identifier: ``missing-issuer``, ``untrusted-root``, ``expired``,
            ``not-yet-valid``, ``not-a-ca``, ``key-usage``, ``extended-key-usage``,
            ``path-length``, ``hostname-mismatch`` or ``openssl`` (an OpenSSL
            error none of the others explains).
        message: One sentence: what is wrong and what to do, in APIM's terms.
        sha1: Thumbprint of the certificate concerned, if one is.
    """

    code: str
    message: str
    sha1: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The failure as it appears in ``verify --json``."""
        return {"code": self.code, "message": self.message, "sha1": self.sha1}


@dataclass(frozen=True, slots=True)
class PathStep:
    """One certificate of a chain's path, and where it came from.

    Attributes:
        certificate: The certificate.
        origin: ``input`` (stands for what the backend sends), ``ca`` (uploaded, ``--ca``) or
            ``aia`` (downloaded from an AIA URL with ``complete``; never a trust anchor).
        trust_anchor: It is one of the trusted roots.
        file: The name ``certconv split`` gives it.
    """

    certificate: Certificate
    origin: str
    trust_anchor: bool
    file: str

    def to_dict(self) -> dict[str, Any]:
        """The step as it appears in ``verify --json``."""
        c = self.certificate
        return {
            "sha1": c.sha1,
            "subject": c.subject,
            "role": c.role.value,
            "origin": self.origin,
            "trust_anchor": self.trust_anchor,
            "file": self.file,
        }


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """The verdict on one end-entity certificate's chain.

    Attributes:
        leaf: The end-entity certificate verified.
        path: Leaf first: the path OpenSSL verified, or (when it failed) the best
            path certconv found among the input and ``--ca`` certificates.
        failures: Every reason found; empty when the chain is trusted.
        openssl_error: OpenSSL's ``X509_V_ERR_*`` code, ``None`` when OpenSSL accepted the chain.
        openssl_message: OpenSSL's text for that code.
        openssl_depth: Depth (0 = leaf) of the certificate OpenSSL complained about.
    """

    leaf: Certificate
    path: tuple[PathStep, ...]
    failures: tuple[VerifyFailure, ...]
    openssl_error: int | None
    openssl_message: str | None
    openssl_depth: int | None

    @property
    def ok(self) -> bool:
        """True when OpenSSL and every certconv check accept the chain."""
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        """The verdict as it appears in ``verify --json``."""
        return {
            "leaf": self.leaf.sha1,
            "subject": self.leaf.subject,
            "ok": self.ok,
            "path": [step.to_dict() for step in self.path],
            "openssl": {
                "ok": self.openssl_error is None,
                "error": self.openssl_error,
                "message": self.openssl_message,
                "depth": self.openssl_depth,
            },
            "failures": [f.to_dict() for f in self.failures],
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of :func:`verify`: one verdict per end-entity certificate.

    Attributes:
        bundle: The input (what the backend sends).
        ca_bundle: The ``--ca`` certificates (what is uploaded to APIM), ``None`` without ``--ca``.
        ca_inputs: The files read for ``--ca`` (folders expanded).
        anchors: The trusted roots: self-signed certificates of ``--ca``, or of the input without it.
        trust: ``ca`` or ``input``: where the anchors come from.
        at: The moment of verification (UTC).
        host: The host name checked, if any.
        purpose: ``server`` or ``client``.
        chains: One :class:`ChainVerdict` per end-entity certificate of the input.
    """

    bundle: Bundle
    ca_bundle: Bundle | None
    ca_inputs: tuple[str, ...]
    anchors: tuple[Certificate, ...]
    trust: str
    at: datetime
    host: str | None
    purpose: str
    chains: tuple[ChainVerdict, ...]

    @property
    def ok(self) -> bool:
        """True when every chain verifies (``certconv verify`` exits 0, else 3)."""
        return all(chain.ok for chain in self.chains)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv verify --json`` (see docs/verify.md)."""

        return {
            "schema": VERIFY_SCHEMA,
            "tool": f"certconv {__version__}",
            "ok": self.ok,
            "at": _iso(self.at),
            "purpose": self.purpose,
            "host": self.host,
            "inputs": list(self.bundle.inputs),
            "ca": list(self.ca_inputs),
            "trust": self.trust,
            "anchors": [{"sha1": c.sha1, "subject": c.subject} for c in self.anchors],
            "chains": [chain.to_dict() for chain in self.chains],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text ending in a newline."""
        return json_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"

    def render(self, *, encoding: str | None = None) -> str:
        """The text ``certconv verify`` prints.

        Args:
            encoding: The encoding the text will be written in (the CLI passes its
                stdout's); characters it lacks are ASCII symbols or escapes, and the
                path table stays aligned. ``None``: any character.
        """
        names = ", ".join(f"`{printable(c.common_name)}`" for c in self.anchors)
        if self.trust == "ca":
            lines = [
                f"Trusted roots (uploaded, --ca): {names}"
                if names
                else "Trusted roots (uploaded, --ca): none: the --ca certificates hold no root, and CA certificates "
                "in store CertificateAuthority are not trusted by themselves"
            ]
        elif names:
            lines = [
                f"No --ca given: trusting the root in the input itself ({names}); this shows the chain is "
                "complete, APIM trusts it only once that root is uploaded to CA certificates, store Root"
            ]
        else:
            lines = ["No --ca given and the input holds no root: nothing is trusted"]
        checked = f"Checked at {_iso(self.at)} for {_PURPOSE_TEXT[self.purpose]}"
        lines.append(checked + (f", host {printable(self.host)}" if self.host else ", no host name (use --host)"))
        for chain in self.chains:
            lines += ["", f"{'OK  ' if chain.ok else 'FAIL'}  {printable(chain.leaf.common_name)}"]
            rows = []
            for step in chain.path:
                cert = step.certificate
                where = {"ca": "uploaded (--ca)", "aia": "downloaded (AIA)"}.get(step.origin, "in the input")
                if step.trust_anchor:
                    where += ", trusted root"
                rows.append((cert.role.value, printable(cert.common_name), f"SHA-1 {cert.sha1[:8]}…", where))
            top = chain.path[-1].certificate
            if not top.self_signed:
                rows.append(("missing", display_name(top.x509.issuer), "", "issuer of the certificate above"))
            # Columns by display width in the stream's encoding: a Chinese name takes two per character.
            cells = [tuple(fit(cell, encoding) for cell in row) for row in rows]
            widths = [max(width(row[i]) for row in cells) for i in range(3)]
            lines += [
                "      " + "  ".join(ljust(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
                for row in cells
            ]
            # A message quotes SANs, URLs and OpenSSL's words: one printable line each, never a forged verdict.
            lines += [f"  ✗ {f.code}: {printable(f.message)}" for f in chain.failures]
            if chain.failures and self.purpose == "server":
                lines.append(f'  → APIM would fail with "{APIM_ERROR}"')
        good = sum(1 for chain in self.chains if chain.ok)
        lines += ["", f"{good} of {len(self.chains)} chain{'s' if len(self.chains) != 1 else ''} verified."]
        return fit("\n".join(lines), encoding)


def verify(
    inputs: InputLike | Sequence[InputLike],
    *,
    ca: Sequence[str | PathLike[str] | bytes | Source] = (),
    host: str | None = None,
    at: datetime | None = None,
    purpose: str = "server",
    password: str | bytes | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Verification:
    """Verify the chain of every end-entity certificate of ``inputs``.

    Args:
        inputs: What the backend sends (its PFX, full-chain PEM, leaf…), as for :func:`certconv.load`.
        ca: What is uploaded to APIM → CA certificates: files in any format, or folders
            (their ``.cer``/``.crt``/``.pem``/``.der``/``.p7b``/``.p7c``/``.pfx``/``.p12``
            files, e.g. the ``--out`` folder of ``split``). Its self-signed certificates
            are the trusted roots; without ``ca``, the input's own roots are.
        host: Check this host name against the leaf's SAN (CN only without DNS SAN).
        at: The moment of verification (default now); a naive datetime is UTC.
        purpose: ``server`` (the backend's certificate, default) or ``client``.
        password: For PKCS#12 inputs (and ``ca`` files).
        max_input_size: As for :func:`certconv.load`.
        complete: Download issuers missing from ``inputs`` over AIA, as Windows'
            chain engine does; they serve as intermediates, never as trusted roots.
        timeout: Seconds per AIA download (with ``complete``).

    Returns:
        The :class:`Verification`; ``ok`` says whether every chain verifies.

    Raises:
        CertconvError: an input or ``ca`` file cannot be read, or the input holds
            no end-entity certificate.
        ValueError: ``purpose`` is not one of :data:`PURPOSES`.
    """
    from OpenSSL import crypto

    if purpose not in PURPOSES:
        raise UsageError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    moment = check_moment(at) or datetime.now(UTC)
    check_timeout(timeout)
    items: Sequence[InputLike]
    items = [inputs] if isinstance(inputs, str | bytes | Source | PathLike) else list(inputs)
    bundle = load(
        items, password=password, at=moment, max_input_size=max_input_size, complete=complete, timeout=timeout
    )
    # What --complete downloaded joins the input for path building, under its aia:<url> name, fetched once.
    downloaded = [Source(c.source, c.der) for c in bundle.certificates if c.source.startswith("aia:")]
    if not bundle.chains:
        raise InputError(
            "holds no end-entity certificate to verify, only CA certificates; give the backend's certificate "
            "(its PFX, full-chain PEM or leaf .cer) as INPUT and the CA certificates with --ca",
            path=", ".join(bundle.inputs),
        )
    ca_items = _expand_ca(ca)
    ca_bundle = load(ca_items, password=password, at=moment, max_input_size=max_input_size) if ca_items else None
    merged = load([*items, *downloaded, *ca_items], password=password, at=moment, max_input_size=max_input_size)

    if ca_bundle is not None:
        anchors = tuple(c for c in ca_bundle.certificates if c.self_signed)
    else:
        anchors = tuple(c for c in bundle.certificates if c.self_signed and not c.source.startswith("aia:"))
    anchor_set = {c.sha256 for c in anchors}
    input_set = {c.sha256 for c in bundle.certificates if not c.source.startswith("aia:")}
    ca_set = {c.sha256 for c in ca_bundle.certificates} if ca_bundle is not None else set()
    # Intermediates APIM can use: what the server sends and what was uploaded; leaves issue nothing.
    untrusted = [c for c in merged.certificates if c.role is not Role.LEAF and c.sha256 not in anchor_set]
    names = {**file_names(ca_bundle.certificates if ca_bundle else ()), **file_names(bundle.certificates)}
    names.update({c: n for c, n in file_names(merged.certificates).items() if c not in names})
    by_der = {c.der: c for c in merged.certificates}
    merged_chains = {chain.leaf.sha256: chain for chain in merged.chains}

    store = crypto.X509Store()
    for anchor in anchors:
        store.add_cert(crypto.X509.from_cryptography(anchor.x509))
    store.set_time(moment)
    untrusted_x509 = [crypto.X509.from_cryptography(c.x509) for c in untrusted]

    checker = _Checker(moment, purpose, host, bool(ca_items), names, merged.certificates)
    verdicts: list[ChainVerdict] = []
    for chain in bundle.chains:
        context = crypto.X509StoreContext(store, crypto.X509.from_cryptography(chain.leaf.x509), untrusted_x509)
        error: int | None = None
        message: str | None = None
        depth: int | None = None
        try:
            verified = context.get_verified_chain()
        except crypto.X509StoreContextError as exc:
            error, depth, message = int(exc.errors[0]), int(exc.errors[1]), str(exc.errors[2])
            path = merged_chains.get(chain.leaf.sha256, chain).certificates
        else:
            from cryptography.hazmat.primitives.serialization import Encoding

            path = tuple(by_der[c.to_cryptography().public_bytes(Encoding.DER)] for c in verified)
        steps = tuple(PathStep(c, _origin(c, input_set, ca_set), c.sha256 in anchor_set, names[c]) for c in path)
        failures = checker.check(steps)
        if error is not None and not _OPENSSL_CODES.get(error, frozenset()) & {f.code for f in failures}:
            culprit = path[depth] if depth is not None and depth < len(path) else chain.leaf
            failures.append(
                VerifyFailure(
                    "openssl",
                    f"OpenSSL rejects the chain at `{culprit.common_name}`: {printable(message or '')} "
                    f"(error {error}); "
                    "APIM will reject it too, fix the certificate named",
                    culprit.sha1,
                )
            )
        verdicts.append(ChainVerdict(chain.leaf, steps, tuple(failures), error, message, depth))
    return Verification(
        bundle=bundle,
        ca_bundle=ca_bundle,
        ca_inputs=tuple(_input_name(i) for i in ca_items),
        anchors=anchors,
        trust="ca" if ca_items else "input",
        at=moment,
        host=host,
        purpose=purpose,
        chains=tuple(verdicts),
    )


class _Checker:
    """certconv's own checks of one path, each failure worded for APIM."""

    def __init__(
        self,
        at: datetime,
        purpose: str,
        host: str | None,
        with_ca: bool,
        names: dict[Certificate, str],
        known: Sequence[Certificate],
    ) -> None:
        self.at = at
        self.purpose = purpose
        self.host = host
        self.with_ca = with_ca
        self.names = names
        self.known = known

    def check(self, steps: tuple[PathStep, ...]) -> list[VerifyFailure]:
        path = [s.certificate for s in steps]
        failures = self._trust(steps)
        for cert in path:
            failures += self._validity(cert)
        failures += self._ca_and_path_length(path)
        for index, cert in enumerate(path):
            failures += self._purpose(cert, leaf=index == 0)
        if self.host is not None and not hostname_matches(path[0].x509, self.host):
            failures.append(self._hostname(path[0]))
        return failures

    def _trust(self, steps: tuple[PathStep, ...]) -> list[VerifyFailure]:
        top = steps[-1]
        cert = top.certificate
        if not cert.self_signed:
            return [self._missing_issuer(cert)]
        if top.trust_anchor:
            return []
        what = f"the backend's self-signed certificate `{cert.common_name}`" if len(steps) == 1 else "the root"
        if len(steps) > 1:
            what += f" `{cert.common_name}`"
        if top.origin == "aia":
            # Downloaded, so nobody vouched for it: say so rather than "sent by the server".
            how = "was downloaded from an AIA URL (--complete) but is not uploaded to APIM: check it is your root, then"
        else:
            how = "is sent by the server but not uploaded to APIM:"
        return [
            VerifyFailure(
                "untrusted-root",
                f"{what} {how} upload `{self.names[cert]}` to APIM → CA certificates, store Root",
                cert.sha1,
            )
        ]

    def _missing_issuer(self, top: Certificate) -> VerifyFailure:
        issuer = display_name(top.x509.issuer)
        slug = _slug(label(top.x509.issuer))  # the name split gives its file
        from ._chain import ca_issuers_urls

        urls = ca_issuers_urls(top.x509)
        source = f" (download it from {', '.join(map(printable, urls))})" if urls else ""
        where = "sent by the server nor uploaded" if self.with_ca else "in the input nor given with --ca"
        wanted = name_key(top.x509.issuer)
        namesake = next((c for c in self.known if name_key(c.x509.subject) == wanted), None)
        if namesake is not None:
            return VerifyFailure(
                "missing-issuer",
                f"`{namesake.common_name}` (SHA-1 {namesake.sha1[:8]}…) has the name of the issuer of "
                f"`{top.common_name}` but did not sign it (a re-keyed or reissued CA?): get the CA certificate "
                f"that really issued `{top.common_name}` from your CA{source} and upload it to APIM → CA "
                "certificates in place of that one",
                top.sha1,
            )
        if top.role is Role.LEAF:
            # A leaf's issuer is an intermediate in the usual three-tier private PKI.
            message = (
                f"the intermediate `{issuer}` that issued `{top.common_name}` is neither {where}: get it from "
                f"your CA{source} and upload it as `intermediate-{slug}.cer` to APIM → CA certificates, "
                f"store CertificateAuthority (store Root if `{issuer}` is self-signed)"
            )
        else:
            message = (
                f"the root `{issuer}` that issued `{top.common_name}` is neither {where}: get it from your "
                f"CA{source} and upload it as `root-{slug}.cer` to APIM → CA certificates, store Root "
                f"(store CertificateAuthority if `{issuer}` is not self-signed)"
            )
        return VerifyFailure("missing-issuer", message, top.sha1)

    def _validity(self, cert: Certificate) -> list[VerifyFailure]:
        if cert.not_after < self.at:
            if cert.role is Role.LEAF:
                todo = "renew it and install the new certificate on the backend"
            else:
                todo = (
                    f"get the renewed {cert.role.value} from your CA, upload it to APIM → CA certificates, "
                    f"store {cert.apim_store}, in place of `{self.names[cert]}` and install the renewed chain "
                    "on the backend"
                )
            return [
                VerifyFailure(
                    "expired",
                    f"{self._what(cert)} expired on {cert.not_after:%Y-%m-%d %H:%M} UTC "
                    f"(checked at {_iso(self.at)}): {todo}",
                    cert.sha1,
                )
            ]
        if cert.not_before > self.at:
            return [
                VerifyFailure(
                    "not-yet-valid",
                    f"{self._what(cert)} is not valid before {cert.not_before:%Y-%m-%d %H:%M} UTC "
                    f"(checked at {_iso(self.at)}): wait until then, or reissue it with a start date "
                    "in the past (check the issuing machine's clock)",
                    cert.sha1,
                )
            ]
        return []

    def _ca_and_path_length(self, path: list[Certificate]) -> list[VerifyFailure]:
        failures: list[VerifyFailure] = []
        for index in range(1, len(path)):
            cert, child = path[index], path[index - 1]
            ku = read_extension(cert.x509, x509.KeyUsage)
            bc = read_extension(cert.x509, x509.BasicConstraints)
            if ku is not None and not ku.key_cert_sign:
                failures.append(
                    VerifyFailure(
                        "key-usage",
                        f"{self._what(cert)} signed `{child.common_name}` but its key usage lacks keyCertSign, so "
                        f"clients reject what it signs: reissue `{cert.common_name}` with keyCertSign",
                        cert.sha1,
                    )
                )
            top = index == len(path) - 1
            # OpenSSL (check_ca): CA:TRUE; at the top also an X.509 v1 self-signed root, or
            # a certificate without basicConstraints whose key usage allows certificate signing.
            is_ca = (
                bc.ca
                if bc is not None
                else top and ((cert.x509.version is x509.Version.v1 and cert.self_signed) or ku is not None)
            )
            if not is_ca:
                flag = "CA:FALSE" if bc is not None else "no basicConstraints"
                failures.append(
                    VerifyFailure(
                        "not-a-ca",
                        f"`{cert.common_name}` issued `{child.common_name}` but is not a CA certificate ({flag}), "
                        f"so clients reject the chain: reissue `{child.common_name}` from a CA certificate "
                        "(basicConstraints CA:TRUE) and install it on the backend",
                        cert.sha1,
                    )
                )
            if bc is not None and bc.path_length is not None and index > 1:
                # RFC 5280 §4.2.1.9: self-issued intermediates do not count.
                below = sum(1 for c in path[1:index] if name_key(c.x509.subject) != name_key(c.x509.issuer))
                if below > bc.path_length:
                    failures.append(
                        VerifyFailure(
                            "path-length",
                            f"`{cert.common_name}` allows {bc.path_length} intermediate CA"
                            f"{'s' if bc.path_length != 1 else ''} below it (pathlen:{bc.path_length}) but the "
                            f"chain has {below}: issue `{path[1].common_name}`'s certificates from a CA that "
                            "allows it, or reissue the CAs with a larger path length",
                            cert.sha1,
                        )
                    )
        return failures

    def _purpose(self, cert: Certificate, *, leaf: bool) -> list[VerifyFailure]:
        failures: list[VerifyFailure] = []
        purpose = self.purpose
        eku = read_extension(cert.x509, x509.ExtendedKeyUsage)
        if eku is not None and not any(oid in eku for oid in _PURPOSE_EKU[purpose]):
            have = ", ".join(EKU_NAMES.get(o, o.dotted_string) for o in eku) or "none"
            wanted = _PURPOSE_EKU_NAME[purpose]
            fix = f"reissue it with EKU {wanted}" if leaf else f"reissue it with EKU {wanted} or without EKU"
            failures.append(
                VerifyFailure(
                    "extended-key-usage",
                    f"{self._what(cert)} is not for {_PURPOSE_TEXT[purpose]} (extended key usage: {have}): {fix}",
                    cert.sha1,
                )
            )
        if leaf:
            ku = read_extension(cert.x509, x509.KeyUsage)
            if ku is not None and not any(getattr(ku, attr) for attr in _PURPOSE_KU[purpose]):
                failures.append(
                    VerifyFailure(
                        "key-usage",
                        f"{self._what(cert)} has a key usage without "
                        f"{' or '.join(KEY_USAGE_NAMES[a] for a in _PURPOSE_KU[purpose])}, which "
                        f"{_PURPOSE_TEXT[purpose]} needs: reissue it with digitalSignature",
                        cert.sha1,
                    )
                )
        return failures

    def _hostname(self, cert: Certificate) -> VerifyFailure:
        names = _dns_names(cert.x509)
        covered = ", ".join(map(printable, names)) if names else "no DNS name"
        host = printable(self.host or "")
        return VerifyFailure(
            "hostname-mismatch",
            f"{self._what(cert)} covers {covered}, not `{host}`: APIM calls the backend as `{host}`, so "
            f"put a certificate with `{host}` (or a matching wildcard) in its SAN on the backend, or use a "
            "host name the certificate covers in the backend URL",
            cert.sha1,
        )

    def _what(self, cert: Certificate) -> str:
        if cert.role is Role.LEAF or (cert.self_signed and not cert.ca):
            return f"the {_SUBJECT_WORD[self.purpose]} `{cert.common_name}`"
        return f"the {cert.role.value} `{cert.common_name}`"


# -- host names -------------------------------------------------------------------------


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """True when ``cert`` is valid for ``host`` (RFC 6125, as OpenSSL's ``X509_check_host``).

    DNS names of the SAN are used; the subject CN only when the SAN has no DNS name.
    A wildcard is a whole left-most label (``*.a.com``) and stands for exactly one
    label: it matches ``x.a.com`` but neither ``a.com`` nor ``y.x.a.com``; it needs
    two labels after it (``*.com`` matches nothing), and partial wildcards
    (``w*.a.com``) match nothing. IP addresses match IP SAN entries only.
    """
    wanted = host.strip().rstrip(".").lower()
    if wanted.startswith("[") and wanted.endswith("]"):
        wanted = wanted[1:-1]
    try:
        address = ipaddress.ip_address(wanted)
    except ValueError:
        address = None
    san = read_extension(cert, x509.SubjectAlternativeName)
    if address is not None:
        return san is not None and address in san.get_values_for_type(x509.IPAddress)
    try:
        wanted = wanted.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    patterns = list(san.get_values_for_type(x509.DNSName)) if san is not None else []
    if not patterns:
        patterns = [
            attr.value
            for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            if isinstance(attr.value, str)
        ]
    return any(_dns_match(pattern, wanted) for pattern in patterns)


def _dns_match(pattern: str, host: str) -> bool:
    pattern = pattern.strip().rstrip(".").lower()
    if not pattern or not host:
        return False
    if "*" not in pattern:
        return pattern == host
    first, _, rest = pattern.partition(".")
    if first != "*" or "*" in rest or rest.count(".") < 1:
        return False
    label, _, host_rest = host.partition(".")
    return bool(label) and host_rest == rest


def _dns_names(cert: x509.Certificate) -> list[str]:
    san = read_extension(cert, x509.SubjectAlternativeName)
    if san is not None and san.get_values_for_type(x509.DNSName):
        return list(san.get_values_for_type(x509.DNSName))
    return [
        f"CN {a.value}" for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME) if isinstance(a.value, str)
    ]


# -- helpers ----------------------------------------------------------------------------

def _expand_ca(ca: Sequence[str | PathLike[str] | bytes | Source]) -> list[InputLike]:
    items: list[InputLike] = []
    for item in ca:
        if isinstance(item, bytes | Source) or not Path(item).is_dir():
            items.append(item)
            continue
        folder = Path(item)
        try:
            found = sorted(p for p in folder.iterdir() if p.suffix.lower() in CA_FILE_SUFFIXES and p.is_file())
        except OSError as exc:
            raise InputError(f"cannot be listed ({exc.strerror or exc})", path=str(folder)) from None
        if not found:
            raise InputError(
                f"holds no certificate file ({', '.join(CA_FILE_SUFFIXES)}); give the folder split wrote",
                path=str(folder),
            )
        items.extend(str(p) for p in found)
    return items


def _input_name(item: InputLike) -> str:
    if isinstance(item, Source):
        return item.name
    if isinstance(item, bytes):
        return "<bytes>"
    return str(item)


def _origin(cert: Certificate, input_set: set[str], ca_set: set[str]) -> str:
    """``input`` if the backend sends it, else ``ca`` if uploaded, else ``aia`` (downloaded by ``complete``)."""
    if cert.sha256 in input_set:
        return "input"
    return "ca" if cert.sha256 in ca_set or not cert.source.startswith("aia:") else "aia"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
