"""What ``certconv create`` makes, as values: its checked options and the chain, rendered, not yet written.

:class:`ChainPlan` is a split's plan of the new chain (:class:`~certconv.SplitPlan`:
the ``.cer`` files, ``UPLOAD.md``, ``manifest.json``) with the backend's files beside
it; :func:`certconv.plan_chain` makes one and :func:`certconv.write_chain` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._version import __version__
from ..base._enums import KeyProfile
from ..base._face import publish
from ..output._conversion import CERT_MODE, KEY_MODE
from ..output._manifest import Manifest, certificate_json
from ..pki._model import Certificate
from ..trust._new_names import IPAddress
from ._plan import SplitPlan

__all__ = ["CREATE_SCHEMA", "ChainOptions", "ChainPlan"]

CREATE_SCHEMA = 1
"""The ``schema`` of ``certconv create --json``; raised only on incompatible changes."""


@dataclass(frozen=True, slots=True)
class ChainOptions:
    """The options of a new chain, checked (:func:`plan_chain` makes them; never holds the password).

    Attributes:
        out: The output folder, as given.
        hosts: The server certificate's DNS names (A-labels, lower case); empty for a client certificate.
        ips: Its IP addresses.
        client: The client certificate's common name, or ``None`` for a server certificate.
        key: The key type of all three certificates.
        days: Days the leaf is valid (the CAs longer: five and ten years).
        at: When the chain starts to be valid (less an hour, for clocks a little behind).
        protected: A password protects the PFX and every key file; false only with ``no_password``.
        keep_ca_keys: The CA keys are written too (encrypted).
    """

    out: str
    hosts: tuple[str, ...]
    ips: tuple[IPAddress, ...]
    client: str | None
    key: KeyProfile
    days: int
    at: datetime
    protected: bool
    keep_ca_keys: bool

    @property
    def label(self) -> str:
        """What the chain is for: the client name, the first host name or the first address."""
        return self.client or (self.hosts[0] if self.hosts else str(self.ips[0]))


@dataclass(frozen=True, slots=True)
class ChainPlan:
    """A new private chain, made and rendered; written by :func:`write_chain` (then ``written`` is true).

    Attributes:
        options: The checked options.
        split: What a split of the chain writes (the ``.cer`` files, ``UPLOAD.md``,
            ``manifest.json``): the very plan :func:`certconv.plan_split` makes of it.
        root: The new root CA.
        intermediate: The new intermediate CA (path length 0).
        leaf: The backend's server certificate, or the client certificate.
        pfx: Name of the PFX: leaf, intermediate and the leaf's key.
        fullchain: Name of the PEM of leaf and intermediate (nginx's ``ssl_certificate``).
        chain: Name of the PEM of the intermediate alone (``openssl s_server -cert_chain``,
            Apache's ``SSLCertificateChainFile``).
        key_file: Name of the leaf's PEM key (PKCS#8).
        ca_key_files: Names of the root's and intermediate's keys (only with ``keep_ca_keys``).
        files: Every file's bytes by name, in writing order, ``manifest.json`` last (never in a repr).
        notes: Things worth telling the user (after writing: key files others may read).
        written: Whether :func:`write_chain` wrote it.
        owner_only: After writing: whether the key files' permissions keep other users out
            (never on Windows, where ``chmod`` only sets the read-only flag); before, ``None``.
    """

    options: ChainOptions
    split: SplitPlan
    root: Certificate
    intermediate: Certificate
    leaf: Certificate
    pfx: str
    fullchain: str
    chain: str
    key_file: str
    ca_key_files: tuple[str, ...]
    files: Mapping[str, bytes] = field(repr=False)
    notes: tuple[str, ...] = ()
    written: bool = False
    owner_only: bool | None = None

    def __repr__(self) -> str:
        state = "written" if self.written else "planned"
        opts = self.options
        return f"<ChainPlan {opts.out!r} {opts.label!r} {opts.key} {len(self.files)} files {state}>"

    @property
    def out(self) -> Path:
        """The folder the files are for."""
        return Path(self.options.out)

    @property
    def names(self) -> tuple[str, ...]:
        """Every file name, in writing order (``manifest.json`` last)."""
        return tuple(self.files)

    @property
    def manifest(self) -> Manifest:
        """The manifest of the split's files (what ``manifest.json`` holds)."""
        return self.split.manifest

    @property
    def key_files(self) -> tuple[str, ...]:
        """The files holding a private key (created with mode 0600)."""
        return (self.pfx, self.key_file, *self.ca_key_files)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv create --json``: options, the three certificates, every file, notes.

        The certificates are in :func:`certconv.output._manifest.certificate_json`'s form
        (docs/manifest.md); ``manifest.json`` itself is the split's.
        """
        opts = self.options
        return {
            "schema": CREATE_SCHEMA,
            "tool": f"certconv {__version__}",
            "out": opts.out,
            "key": opts.key.value,
            "purpose": "client" if opts.client else "server",
            "hosts": list(opts.hosts),
            "ips": [str(ip) for ip in opts.ips],
            "client": opts.client,
            "password_protected": opts.protected,
            "certificates": [certificate_json(c) for c in (self.root, self.intermediate, self.leaf)],
            "files": [
                {"file": name, "private_key": name in self.key_files, "mode": f"{_mode(self, name):04o}"}
                for name in self.files
            ],
            "written": self.written,
            "owner_only": self.owner_only,
            "notes": list(self.notes),
        }


def _mode(plan: ChainPlan, name: str) -> int:
    return KEY_MODE if name in plan.key_files else CERT_MODE


publish(globals())
