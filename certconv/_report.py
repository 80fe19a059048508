"""Text for people: what ``certconv split`` prints. Pure functions returning strings."""

from __future__ import annotations

from ._model import Manifest, Role

__all__ = ["split_summary"]

_STORE_HELP = {
    "Root": "Root  (trusted root CA)",
    "CertificateAuthority": "CertificateAuthority  (intermediate CA)",
}


def split_summary(manifest: Manifest) -> str:
    """The console summary of a split: a table, then where each file goes in APIM."""
    bundle = manifest.bundle
    kind = "DER" if manifest.format == "der" else "Base-64 (PEM)"
    count = len(manifest.entries)
    lines = [
        f"Wrote {count} certificate{'s' if count != 1 else ''} to {manifest.out} ({kind} .cer) and manifest.json",
        "",
    ]
    rows = [("ROLE", "SUBJECT", "EXPIRES", "SHA-1 THUMBPRINT", "FILE")]
    for entry in manifest.entries:
        cert = entry.certificate
        rows.append(
            (
                cert.role.value,
                _shorten(cert.common_name, 40),
                f"{cert.not_after:%Y-%m-%d}",
                cert.sha1,
                entry.file,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=False)), row[4]]) for row in rows]

    ca_entries = [e for e in manifest.entries if e.certificate.role is not Role.LEAF]
    leaf_files = [e.file for e in manifest.entries if e.certificate.role is Role.LEAF]
    if ca_entries:
        width = max(len(e.file) for e in ca_entries)
        lines += ["", "Upload to Azure API Management → Security → CA certificates → + Add, one file each:"]
        for entry in ca_entries:
            store = entry.certificate.apim_store or ""
            lines.append(f"  {entry.file.ljust(width)}  store {_STORE_HELP[store]}")
        lines.append(
            "APIM then lists each with the SHA-1 thumbprint shown above; applying the change takes about 15 minutes."
        )
    if leaf_files:
        lines.append(
            f"Do not upload {', '.join(leaf_files)} to CA certificates: the backend presents its own certificate."
        )
    if bundle.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w.code}: {w.message}" for w in bundle.warnings]
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
