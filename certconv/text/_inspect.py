"""The tree ``certconv inspect`` prints: one per root, each certificate's details underneath, then problems."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..base._console import fit, printable, width
from ..base._dates import iso_day
from ..bundle._details import CertificateDetails, Node
from ..pki._model import Bundle, Certificate

__all__ = ["render_inspection"]



class Inspection(Protocol):
    """What the tree is drawn from: :class:`certconv.Inspection` (one stage up, so named by its shape here)."""

    @property
    def bundle(self) -> Bundle: ...
    @property
    def at(self) -> datetime: ...
    def forest(self) -> list[Node]: ...
    def details_for(self, cert: Certificate) -> CertificateDetails: ...
    def status(self, cert: Certificate) -> str: ...


_RESET = "\033[0m"
_STYLES = {"red": "\033[31m", "yellow": "\033[33m", "dim": "\033[2m", "bold": "\033[1m", "green": "\033[32m"}

_Row = tuple[str, str, "CertificateDetails", str]


def render_inspection(
    inspection: Inspection, *, full: bool = False, color: bool = False, encoding: str | None = None
) -> str:
    """The text of :meth:`certconv.Inspection.render` (see there for the arguments)."""
    paint = _Painter(color)
    bundle = inspection.bundle
    count = len(bundle.certificates)
    keys = len(bundle.private_keys)
    inputs = " + ".join(f"{printable(name)}  {fmt}" for name, fmt in zip(bundle.inputs, bundle.formats, strict=True))
    counts = f"{count} certificate{'s' if count != 1 else ''} · " + (
        f"{keys} private key{'s' if keys != 1 else ''}" if keys else "no private key"
    )
    lines = [f"{paint(inputs, 'bold')} · {counts}"]
    rows: list[_Row] = []
    for index, node in enumerate(roots := inspection.forest()):
        _collect(inspection, node, "", index == len(roots) - 1, rows)
    # Columns by display width in the stream's encoding: a Chinese name takes two per character.
    cells = [fit(prefix + label, encoding) for prefix, label, _, _ in rows]
    label_width = max(map(width, cells), default=0)
    for cell, (_, _, d, child_prefix) in zip(cells, rows, strict=True):
        lines.append(cell + " " * (label_width - width(cell)) + "  " + _summary(inspection, d, paint))
        lines += [child_prefix + "  " + text for text in _detail_lines(d, full, paint)]
    if bundle.warnings:
        lines += ["", paint("Problems:", "bold")]
        lines += [f"  {paint(w.code, 'yellow')}: {printable(w.text)}" for w in bundle.warnings]
    return fit("\n".join(lines), encoding)


def _collect(inspection: Inspection, node: Node, indent: str, last: bool, rows: list[_Row]) -> None:
    cert = node.cert
    branch = "└── " if last else "├── "
    below = indent + ("    " if last else "│   ")
    label = f"{cert.role.value:<12}  {printable(cert.common_name)}"
    detail_prefix = below + ("│" if node.children else " ")
    rows.append((indent + branch, label, inspection.details_for(cert), detail_prefix))
    for index, child in enumerate(node.children):
        _collect(inspection, child, below, index == len(node.children) - 1, rows)


def _summary(inspection: Inspection, d: CertificateDetails, paint: _Painter) -> str:
    parts = [d.key_description, _validity(inspection, d, paint)]
    if d.certificate.has_private_key:
        parts.append(paint("🔑 private key matches", "green"))
    return "  ".join(parts)


def _validity(inspection: Inspection, d: CertificateDetails, paint: _Painter) -> str:
    cert = d.certificate
    days = d.days_left(inspection.at)
    status = inspection.status(cert)
    if status == "not-yet-valid":
        return paint(f"NOT YET VALID until {iso_day(cert.not_before)}", "red")
    if status == "expired":
        return paint(f"EXPIRED {-days} days ago ({iso_day(cert.not_after)})", "red")
    if status == "expiring-soon":
        return paint(f"expires in {days} day{'s' if days != 1 else ''} ({iso_day(cert.not_after)})", "yellow")
    return f"valid until {iso_day(cert.not_after)} ({days} days)"


def _detail_lines(d: CertificateDetails, full: bool, paint: _Painter) -> list[str]:
    cert = d.certificate
    lines = [f"subject: {printable(cert.subject)}"]  # the certificate's maker chose it: one line
    if not cert.self_signed and cert.issuer_sha1 is None:
        lines.append(paint(f"issuer: {printable(cert.issuer)} (not in the input)", "yellow"))
    sha1 = cert.sha1 if full else cert.sha1[:8] + "…"
    sha256 = cert.sha256 if full else cert.sha256[:8] + "…"
    lines.append(f"SHA-1 {sha1} · SHA-256 {sha256} · serial {cert.serial}")
    signature = f"signature: {d.signature_algorithm}"
    if d.weak_signature:
        signature += " " + paint(f"(weak: {d.signature_hash or 'MD'} signatures are rejected by clients)", "red")
    lines.append(signature + " · " + _constraints(d))
    if d.san:
        lines.append("SAN: " + ", ".join(map(printable, d.san)))
    usage = []
    if d.key_usage is not None:
        usage.append("key usage: " + (", ".join(d.key_usage) or "none"))
    if d.extended_key_usage is not None:
        usage.append("EKU: " + (", ".join(d.extended_key_usage) or "none"))
    if usage:
        lines.append(" · ".join(usage))
    access = [
        f"{title}: " + ", ".join(map(printable, urls))
        for title, urls in (("AIA caIssuers", d.ca_issuers), ("OCSP", d.ocsp), ("CRL", d.crl_distribution_points))
        if urls
    ]
    if access:
        lines.append(" · ".join(access))
    store = f"APIM store {cert.apim_store}" if cert.apim_store else "not uploaded to APIM CA certificates"
    lines.append(f"file: {d.file} ({store})")
    return [paint(line, "dim") if "\033" not in line else line for line in lines]


def _constraints(d: CertificateDetails) -> str:
    if d.basic_constraints_ca is None:
        return "no basicConstraints" + (" (X.509 v1 root: a CA)" if d.certificate.ca else "")
    if not d.basic_constraints_ca:
        return "CA:FALSE"
    return "CA:TRUE" + (f", pathlen:{d.path_length}" if d.path_length is not None else "")


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.enabled else text
