"""Bundle in, files out: safe names, all-or-nothing writes, ``manifest.json``.

Names come from certificate subjects, which strangers choose, so each name is
reduced to letters, digits, ``.``, ``_`` and ``-`` behind a role prefix: it can
hold no separator, control or bidi character, cannot start with ``.`` or ``-``,
and cannot be a Windows device name. :mod:`certconv._atomic` writes the files:
all of them or none, even when the run is killed or races another.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from ._atomic import write_files
from ._azure import default_format, plan, targets_of
from ._enums import AzureTarget, Format, SnippetLanguage, coerce, values
from ._errors import UsageError
from ._model import Bundle, Certificate, Manifest
from ._names import label
from ._snippets import check_languages, render_snippets
from ._text import json_text
from ._upload_guide import UPLOAD_NAME, upload_guide

__all__ = ["FORMATS", "MANIFEST_NAME", "file_names", "manifest_json", "write_split"]

FORMATS = values(Format)
MANIFEST_NAME = "manifest.json"
_MAX_SLUG = 60
_MAX_SLUG_BYTES = 120


def file_names(certificates: Sequence[Certificate]) -> dict[Certificate, str]:
    """A safe, unique, deterministic ``.cer`` name for every certificate.

    ``root-My_Self_Root_CA.cer``; when two names would be equal (ignoring case,
    as Windows and macOS do), each of them gets its short thumbprint appended.
    """
    # From the name as it is, not as it is shown: an escape's spelling must not become a file name.
    wanted = {cert: f"{cert.role.value}-{_slug(label(cert.x509.subject))}" for cert in certificates}
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


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("*", "wildcard")
    kept = "".join(ch if ch in "._-" or _is_word_char(ch) else "_" for ch in text)
    kept = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", kept))[:_MAX_SLUG]
    while len(kept.encode("utf-8")) > _MAX_SLUG_BYTES:  # file systems count bytes (255), not characters
        kept = kept[:-1]
    return kept.strip("._- ") or "unnamed"


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks of any script (Devanagari and Thai need marks);
    # never controls, format characters (bidi overrides), symbols or separators.
    return unicodedata.category(ch)[0] in "LNM"


def manifest_json(manifest: Manifest) -> str:
    """``manifest.json``'s text: one top-level key per line, one list item per line.

    A certificate per line stays readable and greppable, and lets the encoder
    written in C do the work: ``indent=`` would switch ``json`` to its pure-Python
    encoder, a second of a 10,000-certificate split.
    """
    doc = manifest.to_dict()
    lines = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_json(item)}" for item in value)
            lines.append(f"  {_json(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {_json(key)}: {_json(value)}")
    # C1 and bidi controls as \uXXXX: `cat manifest.json` must not drive the terminal either.
    return json_text("{\n" + ",\n".join(lines) + "\n}\n")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def check_split_options(
    out: str | PathLike[str], *, format: str | None, target: str, emit: Sequence[str]  # noqa: A002
) -> tuple[AzureTarget, Format, list[SnippetLanguage]]:
    """Check :func:`write_split`'s options before any work; return the target, format and snippet languages.

    Raises:
        UsageError: an empty ``out``, an unknown ``format``, ``target`` or ``emit``
            language, ``emit`` given as a string, or ``emit`` with a target or format it cannot serve.
    """
    if not str(out):
        raise UsageError("the output folder name is empty")
    targets = targets_of(target)
    chosen = coerce(AzureTarget, target, "target")
    langs = check_languages(emit)
    fmt = default_format(chosen) if format is None else coerce(Format, format, "format")
    if langs and AzureTarget.APIM not in targets:
        raise UsageError(f"snippets (emit) set APIM's CA certificates: use target apim or all, not {target}")
    if langs and fmt is not Format.DER:
        raise UsageError("snippets (emit) reference the DER .cer files: use format der")
    return chosen, fmt, langs


def write_split(
    bundle: Bundle,
    out: str | PathLike[str],
    *,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    force: bool = False,
    target: AzureTarget | str = AzureTarget.APIM,
    emit: Sequence[SnippetLanguage | str] = (),
) -> Manifest:
    """Write one ``.cer`` per certificate of ``bundle``, what ``target`` adds, ``UPLOAD.md`` and ``manifest.json``.

    Args:
        bundle: What :func:`certconv.load` returned.
        out: Output folder; created (with parents) when missing.
        format: ``der`` or ``pem`` for the ``.cer`` files; default: what the
            target uploads (``pem``, Base-64, for ``appgw-v2``/``appgw-v1``, else ``der``).
        force: Replace files that exist already.
        target: Where the files go (:data:`certconv.TARGETS`): ``apim`` (default),
            ``apim-v2``, ``apim-selfhosted``, ``appgw-v2``, ``appgw-v1`` or ``all``.
        emit: Snippet languages (a list of :class:`certconv.SnippetLanguage` or their
            values, :data:`certconv.SNIPPET_LANGUAGES`) that set APIM's CA certificates;
            needs target ``apim`` or ``all`` and DER files.

    Returns:
        The :class:`Manifest` of what was written; its ``notes`` say what was
        cleaned up after an interrupted earlier run on ``out``.

    Raises:
        UsageError: see :func:`check_split_options`.
        TargetError: ``emit`` without CA certificates, or with more than 10.
        OutputExistsError: A file exists and ``force`` is false. Nothing is written.
        OutputBusyError: Another run is writing into ``out``. Nothing is written.
        UnsafeOutputError: ``out`` is not a usable folder. Nothing is written.
        OutputError: The system refused a step (a file held open by another
            program for 2 s, a full disk); what was done is undone.
    """
    chosen, fmt, langs = check_split_options(out, format=format, target=target, emit=emit)
    planned = plan(bundle, file_names(bundle.certificates), target=chosen, format=fmt)
    snippets = render_snippets(planned.entries, langs) if langs else {}
    manifest = Manifest(
        out=str(out),
        format=fmt,
        entries=planned.entries,
        bundle=bundle,
        target=chosen,
        documents=(UPLOAD_NAME, *snippets),
        backend_tls=planned.backend_tls,
    )
    files = {**planned.data, **snippets}
    files[UPLOAD_NAME] = upload_guide(manifest).encode("utf-8")
    files[MANIFEST_NAME] = manifest_json(manifest).encode("utf-8")
    notes = write_files(Path(out), files, force=force, last=MANIFEST_NAME)
    return dataclasses.replace(manifest, notes=notes) if notes else manifest
