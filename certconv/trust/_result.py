"""What :func:`certconv.verify` returns, its JSON document and the text ``certconv verify`` prints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._version import __version__
from ..base._console import fit, json_text, ljust, printable, width
from ..base._dates import iso_utc
from ..base._enums import FailureCode, Leniency, Origin, Purpose, VerifyPolicy
from ..base._face import publish
from ..pki._model import Bundle, Certificate
from ..pki._names import display_name
from ._policy import BROWSERS_DISAGREE

__all__ = ["APIM_ERROR", "VERIFY_SCHEMA", "ChainVerdict", "PathStep", "Verification", "VerifyFailure"]

VERIFY_SCHEMA = 2
"""Version of the ``certconv verify --json`` document (2: certconv's own path validation, no ``openssl`` key)."""

APIM_ERROR = "Could not establish trust relationship for the SSL/TLS secure channel"

_PURPOSE_TEXT = {Purpose.SERVER: "TLS server authentication", Purpose.CLIENT: "TLS client authentication"}


@dataclass(frozen=True, slots=True)
class VerifyFailure:
    """One reason a chain is not trusted.

    Attributes:
        code: Stable identifier (a :class:`certconv.FailureCode` value, docs/verify.md lists them):
            ``missing-issuer``, ``untrusted-root``, ``expired``, ``not-yet-valid``, ``not-a-ca``,
            ``key-usage``, ``extended-key-usage``, ``path-length``, ``hostname-mismatch``,
            ``name-constraints``, ``unreadable``, ``critical-extension``, ``signature-algorithm``,
            ``weak-key``, ``profile`` or ``search-limit``.
        message: One sentence: what is wrong and what to do, in APIM's terms.
        sha1: Thumbprint of the certificate concerned, if one is.
    """

    code: str
    message: str
    sha1: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The failure as it appears in ``verify --json``."""
        return {"code": str(self.code), "message": self.message, "sha1": self.sha1}


@dataclass(frozen=True, slots=True)
class PathStep:
    """One certificate of a chain's path, and where it came from.

    Attributes:
        certificate: The certificate.
        origin: ``input`` (stands for what the backend sends), ``ca`` (uploaded, ``--ca``),
            ``store`` (a trust store: ``--ca public``/``system``) or ``aia`` (downloaded from
            an AIA URL with ``complete``; never a trust anchor).
        trust_anchor: It is one of the trusted roots.
        file: The name ``certconv split`` gives it.
    """

    certificate: Certificate
    origin: Origin
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
    """The verdict on one certificate under test.

    Attributes:
        leaf: The certificate verified (an end entity, or the CA given as ``peer``).
        path: Leaf first: the best valid path found, or (none being valid) the one that got furthest.
        failures: Every reason found on that path; empty when the chain is trusted.
        leniencies: Leniencies of the policy the path needs (``apim``; always empty under ``strict``).
        notes: One line per leniency that makes the answer yes where browsers or curl say no.
    """

    leaf: Certificate
    path: tuple[PathStep, ...]
    failures: tuple[VerifyFailure, ...]
    leniencies: tuple[Leniency, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when a path to a trusted root meets every rule of the policy."""
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        """The verdict as it appears in ``verify --json``."""
        return {
            "leaf": self.leaf.sha1,
            "subject": self.leaf.subject,
            "ok": self.ok,
            "path": [step.to_dict() for step in self.path],
            "failures": [f.to_dict() for f in self.failures],
            "leniencies": [str(x) for x in self.leniencies],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of :func:`certconv.verify`: one verdict per certificate under test.

    Attributes:
        bundle: The input (what the backend sends), the ``peer`` included.
        ca_bundle: The ``ca`` certificates (what is uploaded to APIM), ``None`` without ``ca``.
        ca_inputs: The files read for ``ca`` (folders expanded).
        anchors: The trusted roots named one by one: the self-signed certificates of ``ca``
            or, without ``ca`` and ``trust_store``, the input's own (a store's roots are counted
            in ``store_anchors``).
        trust: ``ca`` (uploaded roots, with or without a store), ``store`` (a trust store only)
            or ``input`` (neither: the input's roots).
        at: The moment of verification (UTC, whole seconds).
        host: The host name checked, if any.
        purpose: ``server`` or ``client``.
        chains: One :class:`ChainVerdict` per certificate under test.
        policy: ``apim`` or ``strict``.
        trust_store: What ``trust_store`` was: ``public``, ``system``, ``given`` (certificates) or ``None``.
        store_text: What the store is, for people (``None`` without one).
        store_anchors: How many roots the store holds.
    """

    bundle: Bundle
    ca_bundle: Bundle | None
    ca_inputs: tuple[str, ...]
    anchors: tuple[Certificate, ...]
    trust: Origin
    at: datetime
    host: str | None
    purpose: Purpose
    chains: tuple[ChainVerdict, ...]
    policy: VerifyPolicy = VerifyPolicy.APIM
    trust_store: str | None = None
    store_text: str | None = None
    store_anchors: int = 0

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
            "policy": self.policy,
            "at": iso_utc(self.at),
            "purpose": self.purpose,
            "host": self.host,
            "inputs": list(self.bundle.inputs),
            "ca": list(self.ca_inputs),
            "trust": self.trust,
            "trust_store": self.trust_store,
            "store_anchors": self.store_anchors,
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
        lines = self._trust_lines()
        checked = f"Checked at {iso_utc(self.at)} for {_PURPOSE_TEXT[self.purpose]}, policy {self.policy}"
        lines.append(checked + (f", host {printable(self.host)}" if self.host else ", no host name (use --host)"))
        for chain in self.chains:
            lines += ["", f"{'OK  ' if chain.ok else 'FAIL'}  {printable(chain.leaf.common_name)}"]
            lines += _path_table(chain, encoding)
            # A message quotes SANs and URLs: one printable line each, never a forged verdict.
            lines += [f"  ✗ {f.code}: {printable(f.message)}" for f in chain.failures]
            if chain.leniencies:
                lines.append(
                    f"  ~ accepted by policy {self.policy} thanks to: {', '.join(chain.leniencies)} "
                    "(docs/verify.md; --policy strict refuses them)"
                )
            lines += [f"  ! {note}" for note in chain.notes]
            if chain.failures and self.purpose is Purpose.SERVER and self.policy is VerifyPolicy.APIM:
                lines.append(f'  → APIM would fail with "{APIM_ERROR}"')
        good = sum(1 for chain in self.chains if chain.ok)
        lines += ["", f"{good} of {len(self.chains)} chain{'s' if len(self.chains) != 1 else ''} verified."]
        return fit("\n".join(lines), encoding)

    def _trust_lines(self) -> list[str]:
        names = ", ".join(f"`{printable(c.common_name)}`" for c in self.anchors)
        lines: list[str] = []
        if self.store_text:
            lines.append(f"Trusted roots (store): {self.store_text}, {self.store_anchors} roots")
        if self.ca_bundle is not None:
            lines.append(
                f"Trusted roots (uploaded, --ca): {names}"
                if names
                else "Trusted roots (uploaded, --ca): none: the --ca certificates hold no root, and CA certificates "
                "in store CertificateAuthority are not trusted by themselves"
            )
        if lines:
            return lines
        if names:
            return [
                f"No --ca given: trusting the root in the input itself ({names}); this shows the chain is "
                "complete, APIM trusts it only once that root is uploaded to CA certificates, store Root"
            ]
        return ["No --ca given and the input holds no root: nothing is trusted"]


def browser_notes(leniencies: tuple[Leniency, ...]) -> tuple[str, ...]:
    """The one-line warnings for leniencies that browsers or curl do not have."""
    return tuple(
        f"APIM accepts this, but {BROWSERS_DISAGREE[x]} (leniency {x})" for x in leniencies if x in BROWSERS_DISAGREE
    )


def _path_table(chain: ChainVerdict, encoding: str | None) -> list[str]:
    rows = []
    for step in chain.path:
        cert = step.certificate
        where = {Origin.CA: "uploaded (--ca)", Origin.AIA: "downloaded (AIA)", Origin.STORE: "trust store"}.get(
            step.origin, "in the input"
        )
        if step.trust_anchor:
            where += ", trusted root"
        rows.append((cert.role.value, printable(cert.common_name), f"SHA-1 {cert.sha1[:8]}…", where))
    top = chain.path[-1]
    cut = any(f.code is FailureCode.SEARCH_LIMIT for f in chain.failures)
    if not top.certificate.self_signed and not top.trust_anchor:
        # A search cut short holds a partial path: its issuer is not missing, just not reached.
        what = "issuer not searched further" if cut else "issuer of the certificate above"
        rows.append(("not reached" if cut else "missing", display_name(top.certificate.x509.issuer), "", what))
    # Columns by display width in the stream's encoding: a Chinese name takes two per character.
    cells = [tuple(fit(cell, encoding) for cell in row) for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(3)]
    return [
        "      " + "  ".join(ljust(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
        for row in cells
    ]


publish(globals())
