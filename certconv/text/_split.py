"""What ``certconv split`` prints: a table of the files, then where each goes for the target."""

from __future__ import annotations

from collections.abc import Callable

from ..azure._facts import APIM_CA_LIMIT, APIM_LIST_COMMAND, FACTS, SNIPPET_FILES, STORE_HELP, targets_of
from ..azure._guide import UPLOAD_NAME
from ..base._console import fit, ljust, printable, shorten, width
from ..base._dates import iso_day
from ..base._enums import AzureTarget, Form, SnippetLanguage
from ..base._face import publish
from ..output._manifest import MANIFEST_NAME, Destination, Manifest, ManifestEntry
from ..pki._model import Certificate, Role

__all__ = ["render_split"]


def render_split(manifest: Manifest, *, encoding: str | None = None) -> str:
    """The console summary of a split: a table, then where each file goes for the target.

    ``encoding`` is the encoding the text will be written in (the CLI passes its
    stdout's): characters it lacks are ASCII symbols or escapes, columns stay aligned.
    """
    bundle = manifest.bundle
    kind = "DER" if manifest.format == "der" else "Base-64 (PEM)"
    cer_entries = _cer_entries(manifest)
    count = len(cer_entries)
    wrote = [f"{count} certificate{'s' if count != 1 else ''} to {printable(manifest.out)} ({kind} .cer)"]
    extra = [e for e in manifest.entries if e not in cer_entries]
    pfx = sum(1 for e in extra if e.form == "pfx")
    b64 = sum(1 for e in extra if e.form == "pem")
    if pfx:
        wrote.append(f"{pfx} certificate-only .pfx")
    if b64:
        wrote.append(f"{b64} Base-64 .cer")
    snippets = [d for d in manifest.documents if d != UPLOAD_NAME]
    if snippets:
        wrote.append(f"{len(snippets)} snippet{'s' if len(snippets) != 1 else ''}")
    wrote += [d for d in manifest.documents if d == UPLOAD_NAME]
    target = f" for target {manifest.target}" if manifest.target else ""
    lines = [f"Wrote {', '.join(wrote)} and {MANIFEST_NAME}{target}", ""]
    rows = [("ROLE", "SUBJECT", "EXPIRES", "SHA-1 THUMBPRINT", "FILE")]
    for entry in cer_entries:
        cert = entry.certificate
        rows.append(
            (
                cert.role.value,
                shorten(printable(cert.common_name), 40),
                iso_day(cert.not_after),
                cert.sha1,
                entry.file,
            )
        )
    # Columns by display width in the stream's encoding: a Chinese name takes two per character.
    cells = [tuple(fit(cell, encoding) for cell in row) for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(4)]
    lines += ["  ".join([*(ljust(cell, w) for cell, w in zip(row[:4], widths, strict=False)), row[4]]) for row in cells]

    for part in targets_of(manifest.target or AzureTarget.APIM):
        lines += ["", *_TARGET_LINES[part](manifest)]
    if snippets:
        lines += [
            "",
            f"Snippets: {', '.join(snippets)}",
            "They REPLACE APIM's whole CA-certificate list (they do not append): every CA certificate above is in "
            f"them, at most {APIM_CA_LIMIT} fit.",
            f"What the service has now: {APIM_LIST_COMMAND}",
        ]
        scripts = {SNIPPET_FILES[SnippetLanguage.AZCLI], SNIPPET_FILES[SnippetLanguage.POWERSHELL]} & set(snippets)
        if scripts:
            lines.append(
                f"{' and '.join(sorted(scripts))} read that list first and stop, writing nothing, rather than "
                "remove a certificate the service has (--replace / -Replace replaces on purpose)."
            )
    if UPLOAD_NAME in manifest.documents:
        chinese = "简体中文" if fit("简体中文", encoding) == "简体中文" else "Simplified Chinese"
        lines += ["", f"Step by step (English, {chinese}): {UPLOAD_NAME}"]
    if bundle.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w.code}: {printable(w.text)}" for w in bundle.warnings]
    return fit("\n".join(lines), encoding)


def _cer_entries(manifest: Manifest) -> list[ManifestEntry]:
    """One ``.cer`` entry per certificate: those in the manifest's format, first seen."""
    seen: set[Certificate] = set()
    found = []
    for entry in manifest.entries:
        if entry.form in (None, Form(manifest.format)) and entry.certificate not in seen:
            seen.add(entry.certificate)
            found.append(entry)
    return found


def _placed(manifest: Manifest, target: AzureTarget) -> list[tuple[ManifestEntry, Destination]]:
    return [(e, d) for e in manifest.entries for d in e.destinations if d.target == target]


def _apim_lines(manifest: Manifest) -> list[str]:
    placed = _placed(manifest, AzureTarget.APIM)
    lines: list[str] = []
    if placed:
        width = max(len(e.file) for e, _ in placed)
        lines.append(f"Upload to Azure {_path(AzureTarget.APIM)} → + Add, one file each:")
        for entry, dest in placed:
            store = dest.store or ""
            lines.append(f"  {entry.file.ljust(width)}  store {store}  ({STORE_HELP[store]})")
        lines.append(
            "APIM then lists each with the SHA-1 thumbprint shown above; applying the change takes about 15 minutes."
        )
    else:
        lines.append("Nothing to upload to APIM CA certificates: the input holds no root or intermediate CA.")
    leaf_files = [e.file for e in _cer_entries(manifest) if e.certificate.role is Role.LEAF]
    if leaf_files:
        lines.append(
            f"Do not upload {', '.join(leaf_files)} to CA certificates: the backend presents its own certificate."
        )
    return lines


def _apim_v2_lines(manifest: Manifest) -> list[str]:
    if not manifest.backend_tls:
        return ["APIM v2 tiers: no backend (end-entity) certificate in the input, so no backend TLS settings."]
    lines = ["APIM v2 tiers (no CA upload): set the backend's properties.tls, with validateCertificateChain and"]
    lines.append("validateCertificateName true, to one of:")
    for tls in manifest.backend_tls:
        if tls.issuer_sha1 is not None:
            lines.append(f"  serverX509Names: name {tls.name!r}, issuerCertificateThumbprint {tls.issuer_sha1}")
        lines.append(f"  serverCertificateThumbprints: [{tls.server.sha1}]  (pins {tls.name!r}; renewal changes it)")
    return lines


def _selfhosted_lines(manifest: Manifest) -> list[str]:
    placed = _placed(manifest, AzureTarget.APIM_SELFHOSTED)
    if not placed:
        return ["Self-hosted gateway: no CA certificate in the input, nothing to add."]
    width = max(len(e.file) for e, _ in placed)
    lines = [
        f"Self-hosted gateway: upload each .pfx to {_path(AzureTarget.APIM_SELFHOSTED)} (password empty),",
        f"then add it under {_path(AzureTarget.APIM_SELFHOSTED, 1)}:",
    ]
    lines += [f"  {e.file.ljust(width)}  isTrusted {str(d.trusted).lower()}" for e, d in placed]
    return lines


def _path(target: AzureTarget, step: int = 0, *, service: str | None = None) -> str:
    """Step ``step`` of the target's portal place, ``service`` in place of the one it names."""
    path = FACTS[target].steps[step]
    return " → ".join((service, *path[1:]) if service else path)


def _appgw_lines(target: AzureTarget, service: str, missing: str) -> Callable[[Manifest], list[str]]:
    def lines(manifest: Manifest) -> list[str]:
        placed = _placed(manifest, target)
        title = _path(target, service=service)
        if not placed:
            return [f"{title}: {missing}"]
        return [f"{title}, Base-64 .cer:", *(f"  {e.file}  SHA-1 {e.certificate.sha1}" for e, _ in placed)]

    return lines


_TARGET_LINES: dict[AzureTarget, Callable[[Manifest], list[str]]] = {
    AzureTarget.APIM: _apim_lines,
    AzureTarget.APIM_V2: _apim_v2_lines,
    AzureTarget.APIM_SELFHOSTED: _selfhosted_lines,
    AzureTarget.APPGW_V2: _appgw_lines(
        AzureTarget.APPGW_V2,
        "Application Gateway v2",
        "no root CA in the input (add it, or run certconv fetch --complete)",
    ),
    AzureTarget.APPGW_V1: _appgw_lines(
        AzureTarget.APPGW_V1,
        "Application Gateway v1",
        "no backend (end-entity) certificate in the input",
    ),
}


publish(globals())
