"""What a split writes, as values, and ``manifest.json``: the schema in one place.

:class:`Manifest` lists the files of a split (:class:`ManifestEntry`), where each
goes in Azure (:class:`Destination`) and the APIM v2 backend settings
(:class:`BackendTls`); :func:`manifest_json` is the text of ``manifest.json``, and
:func:`listed_files` reads back the files one lists (``verify --ca`` given a split's folder).

:func:`certificate_json` is the one JSON form of a certificate: a manifest entry
is ``file`` and it (and where the file goes); ``inspect --json`` and
``fetch --json`` list it for every certificate. A new JSON document about
certificates should start from it too, so that the same field is always
spelled, and written, the same way (dates by :func:`certconv.base._dates.iso_utc`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..base._console import json_text
from ..base._dates import iso_utc
from ..base._enums import AzureTarget, Form, Format
from ..base._errors import CertconvError
from ..base._face import publish

if TYPE_CHECKING:
    from ..pki._model import Bundle, Certificate

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_SCHEMA",
    "BackendTls",
    "Destination",
    "Manifest",
    "ManifestEntry",
    "certificate_json",
    "listed_files",
    "manifest_json",
]

MANIFEST_NAME = "manifest.json"
"""The manifest's file name inside the output folder."""

MANIFEST_SCHEMA = 1
"""The ``schema`` of ``manifest.json``; raised only on incompatible changes (docs/manifest.md)."""


def certificate_json(cert: Certificate) -> dict[str, Any]:
    """``cert`` as a JSON-ready dict: the fields every certconv JSON document gives a certificate.

    ``role``, ``subject``, ``issuer``, ``serial``, ``not_before``/``not_after``
    (ISO 8601 UTC, four-digit years), ``sha1``/``sha256`` (uppercase hex),
    ``self_signed``, ``ca``, ``issuer_sha1``, ``has_private_key``, ``apim_store``
    and ``source``, in this order (docs/manifest.md).
    """
    return {
        "role": cert.role.value,
        "subject": cert.subject,
        "issuer": cert.issuer,
        "serial": cert.serial,
        "not_before": iso_utc(cert.not_before),
        "not_after": iso_utc(cert.not_after),
        "sha1": cert.sha1,
        "sha256": cert.sha256,
        "self_signed": cert.self_signed,
        "ca": cert.ca,
        "issuer_sha1": cert.issuer_sha1,
        "has_private_key": cert.has_private_key,
        "apim_store": cert.apim_store,
        "source": cert.source,
    }


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a written file (or its thumbprint) goes in Azure.

    Attributes:
        target: :class:`AzureTarget`: ``apim``, ``apim-v2``, ``apim-selfhosted``, ``appgw-v2`` or ``appgw-v1``.
        place: Where in the Azure portal, for people.
        setting: The ARM/REST property it ends up in.
        store: APIM CA-certificate store (``Root`` or ``CertificateAuthority``), else ``None``.
        trusted: Self-hosted gateway ``isTrusted`` (root: true), else ``None``.
    """

    target: AzureTarget
    place: str
    setting: str
    store: str | None = None
    trusted: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The destination as it appears in ``manifest.json``."""
        return {
            "target": self.target,
            "place": self.place,
            "setting": self.setting,
            "store": self.store,
            "is_trusted": self.trusted,
        }


@dataclass(frozen=True, slots=True)
class BackendTls:
    """APIM v2 backend ``properties.tls`` that trusts one backend certificate.

    Attributes:
        server: The backend's own (end-entity) certificate.
        name: The name ``serverX509Names`` matches (the server certificate's CN).
        issuer_sha1: Thumbprint of the server certificate's issuer, or ``None``
            when the input does not hold it (then only pinning works).
    """

    server: Certificate
    name: str
    issuer_sha1: str | None

    @property
    def by_issuer(self) -> dict[str, Any] | None:
        """``tls`` trusting certificates named ``name`` issued by ``issuer_sha1`` (survives renewal)."""
        if self.issuer_sha1 is None:
            return None
        return {
            "validateCertificateChain": True,
            "validateCertificateName": True,
            "serverX509Names": [{"name": self.name, "issuerCertificateThumbprint": self.issuer_sha1}],
        }

    @property
    def by_thumbprint(self) -> dict[str, Any]:
        """``tls`` pinning exactly this server certificate (must change when it is renewed)."""
        return {
            "validateCertificateChain": True,
            "validateCertificateName": True,
            "serverCertificateThumbprints": [self.server.sha1],
        }

    def to_dict(self) -> dict[str, Any]:
        """The settings as they appear in ``manifest.json`` (``backend_tls``)."""
        return {
            "server_sha1": self.server.sha1,
            "server_subject": self.server.subject,
            "tls_by_issuer": self.by_issuer,
            "tls_by_thumbprint": self.by_thumbprint,
        }


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One written file and the certificate in it.

    Attributes:
        file: The file name inside the output folder.
        certificate: The certificate it holds.
        form: :class:`Form` ``der`` or ``pem`` (``.cer``), ``pfx`` (certificate-only
            PKCS#12, empty password); ``None`` for an entry made by hand, which
            ``to_dict`` then writes without ``form`` and ``destinations``.
        destinations: Where the file goes for the chosen target; empty: nowhere.
    """

    file: str
    certificate: Certificate
    form: Form | None = None
    destinations: tuple[Destination, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The entry as it appears in ``manifest.json``: ``file``, :func:`certificate_json`, form and destinations."""
        placed: dict[str, Any] = {}
        if self.form is not None:  # written by split: say in which form and where it goes
            placed = {"form": self.form, "destinations": [d.to_dict() for d in self.destinations]}
        return {"file": self.file, **certificate_json(self.certificate), **placed}


@dataclass(frozen=True, slots=True)
class Manifest:
    """What :func:`certconv.split` wrote, as recorded in ``manifest.json``.

    Attributes:
        out: The output folder.
        format: :class:`Format` ``der`` or ``pem``: the encoding of the ``.cer`` files.
        entries: One per written certificate file, in bundle order.
        bundle: The bundle the files were written from.
        target: The Azure target the files were written for (``apim``…).
        documents: Other files written: ``UPLOAD.md`` and snippets.
        backend_tls: APIM v2 backend TLS settings (target ``apim-v2`` or ``all``).
        notes: One line each about this run, not the files (so not in
            ``manifest.json``): what was undone or finished of an interrupted
            earlier run on ``out``, cleanup left to the next run.
    """

    out: str
    format: Format
    entries: tuple[ManifestEntry, ...]
    bundle: Bundle
    target: AzureTarget | None = None
    documents: tuple[str, ...] = ()
    backend_tls: tuple[BackendTls, ...] = ()
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Not the whole bundle: a split of a trust store would print thousands of certificates.
        count = len(self.entries)
        return f"<Manifest {self.out!r} {count} file{'s' if count != 1 else ''} target={self.target}>"

    @property
    def files(self) -> tuple[str, ...]:
        """Names of the written certificate files (``manifest.json`` not included)."""
        return tuple(e.file for e in self.entries)

    def file_for(self, cert: Certificate) -> str:
        """The file name the certificate was written to."""
        for entry in self.entries:
            if entry.certificate == cert:
                return entry.file
        raise KeyError(cert.sha1)

    def to_dict(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict (schema 1)."""

        return {
            "schema": MANIFEST_SCHEMA,
            "tool": f"certconv {__version__}",
            "inputs": list(self.bundle.inputs),
            "format": self.format,
            "target": self.target,
            "certificates": [e.to_dict() for e in self.entries],
            "chains": [list(chain.sha1s) for chain in self.bundle.chains],
            "warnings": [w.to_dict() for w in self.bundle.warnings],
            "backend_tls": [b.to_dict() for b in self.backend_tls],
            "documents": list(self.documents),
        }


def manifest_json(manifest: Manifest) -> str:
    """``manifest.json``'s text: one top-level key per line, one list item per line.

    A certificate per line stays readable and greppable, and lets the encoder
    written in C do the work: ``indent=`` would switch ``json`` to its pure-Python
    encoder, a second of a 10,000-certificate split.
    """
    lines = []
    for key, value in manifest.to_dict().items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_json(item)}" for item in value)
            lines.append(f"  {_json(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {_json(key)}: {_json(value)}")
    # C1 and bidi controls as \uXXXX: `cat manifest.json` must not drive the terminal either.
    return json_text("{\n" + ",\n".join(lines) + "\n}\n")


def listed_files(folder: Path, suffixes: tuple[str, ...], max_size: int) -> list[Path] | None:
    """The files with one of ``suffixes`` that ``folder``'s ``manifest.json`` lists; ``None`` without one.

    A folder ``certconv create`` wrote also holds the backend's PFX and keys, which are not
    CA certificates (and need a password): the manifest names only what split wrote.
    A manifest certconv cannot use (damaged, naming files that are gone) is ignored.
    """
    from ..readers._open import read_bounded

    if not (folder / MANIFEST_NAME).is_file():
        return None
    try:
        data = read_bounded(folder / MANIFEST_NAME, max_size, what="manifest", too_large="limit")
        entries = json.loads(data)["certificates"]
        names = {entry["file"] for entry in entries}
    except (CertconvError, ValueError, KeyError, TypeError):
        return None
    if not names or not all(isinstance(n, str) and n == Path(n).name and n not in (".", "..") for n in names):
        return None
    found = sorted(folder / n for n in names if Path(n).suffix.lower() in suffixes)
    return found if found and all(p.is_file() for p in found) else None


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


publish(globals())
