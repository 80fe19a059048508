"""What ``certconv convert`` prints: the file, its form, what is in it, and notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base._console import fit, ljust, printable, width
from ..base._dates import iso_day
from ..base._enums import Form, PfxProfile
from ..base._face import publish

if TYPE_CHECKING:
    from ..output._conversion import Conversion

__all__ = ["render_conversion"]

_DESCRIPTIONS = {
    Form.DER: "DER certificate",
    Form.PEM: "PEM certificate",
    Form.FULLCHAIN: "PEM full chain (leaf, then intermediates)",
    Form.CHAIN: "PEM chain (intermediates only)",
    Form.TRUSTSTORE: "Java truststore (PKCS#12, trusted certificates)",
    Form.KEYVAULT: "Key Vault PEM (private key, then certificates)",
}


def render_conversion(conversion: Conversion, *, encoding: str | None = None) -> str:
    """What ``certconv convert`` prints: the file, its form, what is in it, and notes.

    ``encoding`` is the encoding the text will be written in (the CLI passes its
    stdout's): characters it lacks are ASCII symbols or escapes, columns stay aligned.
    """

    if conversion.to is Form.P7B:
        what = f"PKCS#7 ({conversion.format.upper()})"
    elif conversion.to is Form.PFX:
        what = "PKCS#12 with private key" if conversion.key_included else "PKCS#12, certificates only"
        if conversion.profile is PfxProfile.APPSERVICE:
            what += " for App Service"
    elif conversion.to is Form.KEYVAULT:
        what = _DESCRIPTIONS[Form.KEYVAULT]
    else:
        what = _DESCRIPTIONS[conversion.to] + (" with private key" if conversion.key_included else "")
    count = len(conversion.certificates)
    out = printable(conversion.out or "(not written)")
    lines = [f"Wrote {out}: {what}, {count} certificate{'s' if count != 1 else ''}"]
    if conversion.encryption:
        lines.append(f"  protection: {conversion.encryption}")
    if conversion.key_included and conversion.owner_only:
        lines.append(f"  file mode: {conversion.mode:04o} (holds a private key)")
    rows = [
        tuple(fit(cell, encoding) for cell in (c.role.value, printable(c.common_name), iso_day(c.not_after)))
        for c in conversion.certificates
    ]
    widths = [max(width(r[i]) for r in rows) for i in range(3)]
    lines += [
        "  " + "  ".join(ljust(cell, w) for cell, w in zip(r, widths, strict=True)) + "  " + c.sha1
        for r, c in zip(rows, conversion.certificates, strict=True)
    ]
    if conversion.scripts:
        lines.append(f"  import scripts: {', '.join(printable(s) for s in conversion.scripts)}")
    lines += [f"note: {printable(n)}" for n in conversion.notes]
    if conversion.bundle.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w.code}: {printable(w.text)}" for w in conversion.bundle.warnings]
    return fit("\n".join(lines), encoding)


publish(globals())
