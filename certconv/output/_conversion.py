"""The value :func:`certconv.convert` returns: one converted file, what is in it and how it is protected."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..base._console import json_text
from ..base._enums import Form, Format, PfxProfile
from ..base._face import publish
from ..bundle._select import Selection
from ..pki._model import Bundle, Certificate, Role
from ._manifest import certificate_json

__all__ = ["CERT_MODE", "CONVERT_SCHEMA", "KEY_MODE", "Conversion", "unprotected_key_note"]

CONVERT_SCHEMA = 1
"""Version of the ``certconv convert --json`` document (certconv/schemas/convert.schema.json)."""

KEY_MODE = 0o600
"""Permission bits of a file holding a private key: its owner alone reads it (where modes restrict)."""
CERT_MODE = 0o644
"""Permission bits of a file holding only public certificates."""


def unprotected_key_note(out: str, *, encrypted: bool) -> str:
    """What to tell the user about the key file ``out`` when the platform could not keep others out of it."""
    why = "this platform cannot restrict the file to you (on Windows it keeps its folder's permissions)"
    if encrypted:
        return f"{out} holds a private key protected by its password alone: {why}; keep it in a folder only you read"
    return (
        f"{out} holds an unencrypted private key and {why}: move it to a folder only you can read, "
        "or write it again with a new password to encrypt the key"
    )


@dataclass(frozen=True, slots=True)
class Conversion:
    """One converted file: what is in it and how it is protected.

    Attributes:
        to: The :class:`Form` written: one of :data:`CONVERT_TARGETS`.
        format: :class:`Format` ``der`` or ``pem``: how the file is encoded (a PFX is ``der``).
        certificates: The certificates written, in file order.
        key_included: The file holds a private key.
        encryption: How the PKCS#12 (or the PEM key) is protected; ``None``
            when the file holds nothing secret.
        notes: Things worth telling the user, e.g. a key that was left out.
        bundle: The bundle the file was made from (its ``warnings`` apply).
        data: The file's bytes (never shown in a repr).
        out: Where it was written; ``None`` until :func:`write_convert` writes it.
        owner_only: For a written file holding a key: whether its permissions,
            read back after writing, keep other users out (never on Windows,
            where ``chmod`` only sets the read-only flag); else ``None``.
        profile: For ``pfx``: the profile it was made for (``appservice``), or ``None``.
        scripts: The import scripts written beside ``out`` (``emit``), by file name.
        aliases: For a truststore or a certificate-only PFX: each certificate's alias (the name
            ``keytool -list`` shows), in certificate order; unique ignoring case, visible characters only.
        selection: Which certificates of the bundle were used (``only``/``sha1``); everything by default.
    """

    to: Form
    format: Format
    certificates: tuple[Certificate, ...]
    key_included: bool
    encryption: str | None
    notes: tuple[str, ...]
    bundle: Bundle = field(repr=False)
    data: bytes = field(repr=False)
    out: str | None = None
    owner_only: bool | None = None
    profile: PfxProfile | None = None
    scripts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    selection: Selection = field(default_factory=Selection)

    @property
    def mode(self) -> int:
        """The permission bits the file is created with: 0600 with a key, else 0644."""
        return KEY_MODE if self.key_included else CERT_MODE

    @property
    def files(self) -> tuple[str, ...]:
        """Every file written: ``out``, then the import scripts beside it; empty when nothing was written."""
        if self.out is None:
            return ()
        folder = Path(self.out).parent
        return (self.out, *(str(folder / name) for name in self.scripts))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv convert --json`` (docs/json.md, ``convert.schema.json``)."""
        roles = self.selection.roles
        return {
            "schema": CONVERT_SCHEMA,
            "tool": f"certconv {__version__}",
            "inputs": list(self.bundle.inputs),
            "out": self.out,
            "files": list(self.files),
            "to": self.to,
            "format": self.format,
            "profile": self.profile,
            "key_included": self.key_included,
            "encryption": self.encryption,
            "mode": f"{self.mode:04o}",
            "owner_only": self.owner_only,
            "selection": {
                "only": [r.value for r in Role if r in roles] if roles is not None else None,
                "sha1": list(self.selection.sha1s),
            },
            "certificates": [certificate_json(c) for c in self.certificates],
            "scripts": list(self.scripts),
            "notes": list(self.notes),
            "warnings": [w.to_dict() for w in self.bundle.warnings],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text ending in a newline."""
        # C1 and bidi controls from certificate names as \uXXXX: the document must not drive a terminal.
        return json_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"


publish(globals())
