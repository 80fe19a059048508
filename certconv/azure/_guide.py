"""``UPLOAD.md``: numbered portal steps for exactly the files of one split, in English and Simplified Chinese.

Each step names the file, the portal blade, the store (or setting), and the
thumbprint Azure shows afterwards, so a user can check the upload worked. One
renderer walks the sections; the words come from the tables of
:mod:`certconv.azure._guide_text`, one per language. Only certconv's safe file
names and hex thumbprints go into the text verbatim; names from certificates
are reduced to printable characters and Markdown-escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._version import __version__
from ..base._console import printable
from ..base._dates import iso_day
from ..base._enums import AzureTarget
from ..output._manifest import BackendTls, Manifest, ManifestEntry
from ._facts import APIM_CA_LIMIT, APIM_LIST_COMMAND, PORTAL_ZH, targets_of
from ._guide_text import LANGUAGES, GuideText

__all__ = ["UPLOAD_NAME", "upload_guide"]

UPLOAD_NAME = "UPLOAD.md"

_MD_SPECIAL = str.maketrans({ch: f"\\{ch}" for ch in "\\`*_[]<>|#"})
_LABEL = re.compile(r"\[\[(\*?)(.+?)\*?\]\]")


def upload_guide(manifest: Manifest) -> str:
    """The text of ``UPLOAD.md`` for ``manifest`` (English first, then Simplified Chinese)."""
    # Only what the certificates decide goes in (not the input names), so the same
    # certificates in any packaging give the same UPLOAD.md.
    count = len(manifest.entries)
    lines = [
        "# UPLOAD.md — certconv",
        "",
        f"certconv {__version__}, target `{manifest.target}`: "
        f"{count} certificate file{'s' if count != 1 else ''}; details in `manifest.json`.",
        "",
        "[English](#english) · [简体中文](#简体中文)",
        "",
    ]
    for text in LANGUAGES:
        words = _Words(text)
        lines += [text.heading, ""]
        for part in targets_of(manifest.target or AzureTarget.APIM):
            lines += _SECTIONS[part](manifest, words)
        lines += _idle(manifest, words)
    return "\n".join(lines).rstrip("\n") + "\n"


class _Words:
    """One language's messages, filled in: ``words("apim_add", file=...)``."""

    def __init__(self, text: GuideText) -> None:
        self.text = text

    def __call__(self, key: str, **values: Any) -> str:
        template: str = getattr(self.text, key)
        return _LABEL.sub(self._label, template).format(**values)

    def _label(self, match: re.Match[str]) -> str:
        mark, label = match.group(1) or "**", match.group(2)
        gloss = PORTAL_ZH.get(label) if self.text.glossed else None
        return f"{mark}{label}（{gloss}）{mark}" if gloss else f"{mark}{label}{mark}"


def _section(
    title: str, steps: Iterable[list[str]], *, before: Iterable[str] = (), after: Iterable[str] = ()
) -> list[str]:
    """A titled section: ``before``, the steps numbered from 1 (a step's further lines as they are), ``after``."""
    lines = [title, "", *before]
    for n, (first, *rest) in enumerate(steps, start=1):
        lines += [f"{n}. {first}", *rest]
    return [*lines, *after, ""]


def _empty(title: str, message: str) -> list[str]:
    return [title, "", message, ""]


def _with(manifest: Manifest, target: AzureTarget) -> list[tuple[ManifestEntry, str | None, bool | None]]:
    """Entries with a destination of ``target``: (entry, store, trusted), in manifest order."""
    found = []
    for entry in manifest.entries:
        for dest in entry.destinations:
            if dest.target == target:
                found.append((entry, dest.store, dest.trusted))
                break
    return found


def _plain(text: str, limit: int = 80) -> str:
    """``text`` as one line of Markdown-inert characters (no controls, bidi or markup)."""
    kept = printable(text)
    kept = kept if len(kept) <= limit else kept[: limit - 1] + "…"
    return kept.translate(_MD_SPECIAL)


def _code(text: str) -> str:
    """``text`` fit for a Markdown code span: one line of visible characters, no backticks."""
    return printable(text).replace("`", "?")


def _json_block(tls: Mapping[str, Any]) -> list[str]:
    text = json.dumps({"properties": {"tls": tls}}, indent=2)
    return ["   ```json", *("   " + line for line in text.splitlines()), "   ```"]


def _apim(manifest: Manifest, w: _Words) -> list[str]:
    items = _with(manifest, AzureTarget.APIM)
    if not items:
        return _empty(w("apim_title"), w("apim_none"))
    steps = [[w("apim_open")]]
    steps += [
        [
            w("apim_add", file=entry.file, store=store),
            "   " + w("apim_listed", sha1=entry.certificate.sha1, subject=_plain(entry.certificate.subject)),
        ]
        for entry, store, _ in items
    ]
    steps.append([w("apim_wait")])
    limit = w("apim_limit", limit=APIM_CA_LIMIT, count=len(items))
    current = w("apim_current", command=APIM_LIST_COMMAND)
    return _section(w("apim_title"), steps, before=[w("apim_tiers"), ""], after=["", limit, "", current])


def _apim_v2(manifest: Manifest, w: _Words) -> list[str]:
    if not manifest.backend_tls:
        return _empty(w("v2_title"), w("v2_none"))
    steps = [[w("v2_open")], *(_backend_step(tls, w) for tls in manifest.backend_tls), [w("v2_done")]]
    return _section(w("v2_title"), steps, before=[w("v2_intro"), ""])


def _backend_step(tls: BackendTls, w: _Words) -> list[str]:
    name, sha1 = _code(tls.name), tls.server.sha1
    if tls.by_issuer is not None:
        return [
            w("v2_by_issuer", name=name, issuer=tls.issuer_sha1),
            "",
            *_json_block(tls.by_issuer),
            "",
            "   " + w("v2_or_pin", sha1=sha1),
        ]
    return [w("v2_pin_only", name=name, sha1=sha1), "", *_json_block(tls.by_thumbprint)]


def _selfhosted(manifest: Manifest, w: _Words) -> list[str]:
    items = [(e, t) for e, _, t in _with(manifest, AzureTarget.APIM_SELFHOSTED)]
    if not items:
        return _empty(w("selfhosted_title"), w("selfhosted_none"))
    steps = [[w("selfhosted_open")]]
    steps += [[w("selfhosted_add", file=e.file, sha1=e.certificate.sha1)] for e, _ in items]
    gateway = [w("selfhosted_gateway")]
    for entry, trusted in items:
        tick = w("selfhosted_tick" if trusted else "selfhosted_untick")
        role = w.text.roles[entry.certificate.role]
        flag = f"`isTrusted: {str(trusted).lower()}`"
        gateway.append(w("selfhosted_item", file=entry.file, role=role, tick=tick, flag=flag))
    return _section(w("selfhosted_title"), [*steps, gateway, [w("selfhosted_done")]])


def _appgw(target: AzureTarget, kind: str, first: tuple[str, ...]) -> Callable[[Manifest, _Words], list[str]]:
    """The App Gateway section of ``kind`` (``appgw_v2``/``appgw_v1``): ``first`` steps, one upload per file."""

    def section(manifest: Manifest, w: _Words) -> list[str]:
        items = _with(manifest, target)
        if not items:
            return _empty(w(f"{kind}_title"), w(f"{kind}_none"))
        steps = [[w(key)] for key in first]
        steps += [[w(f"{kind}_add", file=e.file, sha1=e.certificate.sha1)] for e, _, _ in items]
        return _section(w(f"{kind}_title"), [*steps, [w("appgw_health")]])

    return section


def _idle(manifest: Manifest, w: _Words) -> list[str]:
    idle = [e for e in manifest.entries if not e.destinations]
    if not idle:
        return []
    items = [
        w(
            "idle_item",
            file=e.file,
            name=_plain(e.certificate.common_name),
            sha1=e.certificate.sha1,
            expires=iso_day(e.certificate.not_after),
        )
        for e in idle
    ]
    return [w("idle_title"), "", *items, ""]


_SECTIONS: dict[AzureTarget, Callable[[Manifest, _Words], list[str]]] = {
    AzureTarget.APIM: _apim,
    AzureTarget.APIM_V2: _apim_v2,
    AzureTarget.APIM_SELFHOSTED: _selfhosted,
    AzureTarget.APPGW_V2: _appgw(AzureTarget.APPGW_V2, "appgw_v2", ("appgw_v2_open", "appgw_v2_no_well_known")),
    AzureTarget.APPGW_V1: _appgw(AzureTarget.APPGW_V1, "appgw_v1", ("appgw_v1_open",)),
}
