"""The safe file names of a split: one ``.cer`` name per certificate, unique and deterministic.

File names come from certificate subjects, which strangers choose, so each name is
reduced to letters, digits, ``.``, ``_`` and ``-`` behind a role prefix: it can
hold no separator, control or bidi character, cannot start with ``.`` or ``-``,
and cannot be a Windows device name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from ..base._face import publish
from ..pki._model import Certificate
from ..pki._names import label

__all__ = ["file_names", "slug"]

_MAX_SLUG = 60
_MAX_SLUG_BYTES = 120


def file_names(certificates: Sequence[Certificate]) -> dict[Certificate, str]:
    """A safe, unique, deterministic ``.cer`` name for every certificate.

    ``root-My_Self_Root_CA.cer``; when two names would be equal (ignoring case,
    as Windows and macOS do), each of them gets its short thumbprint appended.
    """
    # From the name as it is, not as it is shown: an escape's spelling must not become a file name.
    wanted = {cert: f"{cert.role.value}-{slug(label(cert.x509.subject))}" for cert in certificates}
    names: dict[Certificate, str] = {}
    # Subjects are chosen by strangers, so a crafted one can equal another name plus a short
    # thumbprint, or two can share 8 thumbprint digits: lengthen until no two names are equal.
    for level in range(4):
        taken = {name.casefold() for name in names.values()}
        groups: dict[str, list[Certificate]] = defaultdict(list)
        for cert, stem in wanted.items():
            if cert not in names:
                groups[f"{stem}{_suffix(cert, level)}.cer".casefold()].append(cert)
        for key, certs in groups.items():
            if len(certs) == 1 and key not in taken:
                names[certs[0]] = f"{wanted[certs[0]]}{_suffix(certs[0], level)}.cer"
    return {cert: names[cert] for cert in wanted}


def _suffix(cert: Certificate, level: int) -> str:
    return ("", f"-{cert.sha1[:8]}", f"-{cert.sha1}", f"-{cert.sha256}")[level]




def slug(text: str) -> str:
    """``text`` as a safe piece of a file name: word characters, ``.``, ``_`` and ``-``; never empty."""
    text = unicodedata.normalize("NFKC", text).replace("*", "wildcard")
    kept = "".join(ch if ch in "._-" or _is_word_char(ch) else "_" for ch in text)
    kept = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", kept))[:_MAX_SLUG]
    while len(kept.encode("utf-8")) > _MAX_SLUG_BYTES:  # file systems count bytes (255), not characters
        kept = kept[:-1]
    kept = kept.strip("._- ") or "unnamed"
    base, dot, rest = kept.partition(".")
    if base.upper() in WINDOWS_DEVICE_NAMES:
        # Windows opens the device for `CON`, `nul.txt` or `prn.tar.gz` in any folder: never a file or folder name.
        kept = f"{base}_{dot}{rest}"
    return kept


WINDOWS_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in range(10)]
)
"""Names Windows reserves for devices, whatever follows the first dot (NFKC has made ``COM¹`` ``COM1`` by then)."""


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks of any script (Devanagari and Thai need marks);
    # never controls, format characters (bidi overrides), symbols or separators.
    return unicodedata.category(ch)[0] in "LNM"


publish(globals())
