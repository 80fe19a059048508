"""What ``certconv inspect`` shows: every detail of every certificate, as a tree or as JSON.

Data, not text: :class:`Inspection` holds the details of every certificate of a
bundle (:mod:`certconv.bundle._details` reads them) with the tree
(:meth:`Inspection.forest`) and gives the JSON-ready dict (:meth:`Inspection.to_dict`).
The tree people read is the text stage's
(:mod:`certconv.text._inspect`; :meth:`Inspection.render` hands over to it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._api import InputLike, load
from ._version import __version__
from .base._args import DEFAULT_TIMEOUT, check_moment
from .base._console import json_text
from .base._dates import iso_utc
from .base._face import publish
from .bundle._details import CertificateDetails, Node, describe, forest, status
from .output._file_names import file_names
from .output._manifest import certificate_json
from .pki._model import Bundle, Certificate
from .readers._read import DEFAULT_MAX_INPUT_SIZE

if TYPE_CHECKING:
    from .network._proxy import ProxyConfig

__all__ = ["INSPECT_SCHEMA", "Inspection", "inspect", "inspect_bundle"]

INSPECT_SCHEMA = 1
"""Version of the ``certconv inspect --json`` document; raised only on incompatible changes."""





@dataclass(frozen=True, slots=True)
class Inspection:
    """A bundle with the details of each certificate, judged at one moment.

    Attributes:
        bundle: What was loaded.
        details: One :class:`CertificateDetails` per certificate, in bundle order.
        at: The moment validity and days left are judged at (UTC).
    """

    bundle: Bundle
    details: tuple[CertificateDetails, ...]
    at: datetime
    _by_sha256: dict[str, CertificateDetails] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One look-up per certificate: scanning the details for each one made inspect quadratic
        # (40,000 certificates took 167 s).
        object.__setattr__(self, "_by_sha256", {d.certificate.sha256: d for d in self.details})

    def details_for(self, cert: Certificate) -> CertificateDetails:
        """The details of one certificate of the bundle."""
        item = self._by_sha256.get(cert.sha256)
        if item is None or item.certificate != cert:
            raise KeyError(cert.sha1)
        return item

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv inspect --json`` (see docs/inspect.md)."""

        bundle = self.bundle
        return {
            "schema": INSPECT_SCHEMA,
            "tool": f"certconv {__version__}",
            "at": iso_utc(self.at),
            "inputs": [{"name": n, "format": f} for n, f in zip(bundle.inputs, bundle.formats, strict=True)],
            "private_keys": len(bundle.private_keys),
            "certificates": [self._certificate_dict(d) for d in self.details],
            "chains": [list(chain.sha1s) for chain in bundle.chains],
            "tree": [self._tree_dict(node) for node in forest(bundle)],
            "warnings": [w.to_dict() for w in bundle.warnings],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text ending in a newline."""
        return json_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"

    def _certificate_dict(self, d: CertificateDetails) -> dict[str, Any]:
        c = d.certificate
        return {
            # The fields of a manifest.json entry, then what only inspect shows.
            "file": d.file,
            **certificate_json(c),
            "common_name": c.common_name,
            "friendly_name": c.friendly_name,
            "source": c.source,
            "status": status(c, self.at),
            "days_left": d.days_left(self.at),
            "key": {"type": d.key_type, "size": d.key_size, "curve": d.curve},
            "signature_algorithm": d.signature_algorithm,
            "signature_hash": d.signature_hash,
            "weak_signature": d.weak_signature,
            "san": list(d.san),
            "key_usage": list(d.key_usage) if d.key_usage is not None else None,
            "extended_key_usage": list(d.extended_key_usage) if d.extended_key_usage is not None else None,
            "basic_constraints": (
                {"ca": d.basic_constraints_ca, "path_length": d.path_length}
                if d.basic_constraints_ca is not None
                else None
            ),
            "ca_issuers": list(d.ca_issuers),
            "ocsp": list(d.ocsp),
            "crl_distribution_points": list(d.crl_distribution_points),
        }

    def _tree_dict(self, node: Node) -> dict[str, Any]:
        return {"sha1": node.cert.sha1, "children": [self._tree_dict(child) for child in node.children]}

    def forest(self) -> list[Node]:
        """The certificates as trees, each under the issuer certconv chose, tops first (see :class:`Node`)."""
        return forest(self.bundle)

    def status(self, cert: Certificate) -> str:
        """``valid``, ``expiring-soon`` (within 30 days), ``expired`` or ``not-yet-valid`` at :attr:`at`."""
        return status(cert, self.at)

    def render(self, *, full: bool = False, color: bool = False, encoding: str | None = None) -> str:
        """The tree ``certconv inspect`` prints: one per root, problems underneath.

        Names, SANs, URLs and input names are shown printable (controls and bidi
        characters as escapes, see :func:`certconv.console.printable`).

        Args:
            full: Show thumbprints whole instead of their first 8 digits.
            color: Highlight expired / soon-expiring certificates and problems with
                ANSI colours (the CLI passes ``True`` only on a terminal without ``NO_COLOR``).
            encoding: The encoding the text will be written in (the CLI passes its
                stdout's); characters it lacks are ASCII symbols or escapes, and the
                tree stays aligned. ``None``: any character.
        """
        # The text is the output layer's (certconv.text._inspect), loaded when first asked for.
        from .text._inspect import render_inspection

        return render_inspection(self, full=full, color=color, encoding=encoding)


def inspect(
    inputs: InputLike | Sequence[InputLike],
    *,
    password: str | bytes | None = None,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    proxy: ProxyConfig | None = None,
) -> Inspection:
    """Load ``inputs`` and describe every certificate in them.

    Args:
        inputs: As for :func:`certconv.load`.
        password: As for :func:`certconv.load`.
        at: When validity and days left are judged (default now).
        max_input_size: As for :func:`certconv.load`.
        complete: Download missing issuers over AIA first, as for :func:`certconv.load`.
        timeout: Seconds per AIA download (with ``complete``).
        proxy: Proxies for the AIA downloads, as for :func:`certconv.load`.

    Returns:
        The :class:`Inspection`; ``render()`` gives the tree, ``to_dict()`` the JSON document.

    Raises:
        CertconvError: a subclass saying what is wrong with which input.
    """
    at = check_moment(at) or datetime.now(UTC)
    # A key file may come beside its certificate: inspect says whether they match.
    bundle = load(
        inputs,
        password=password,
        at=at,
        max_input_size=max_input_size,
        complete=complete,
        timeout=timeout,
        keys_alone=True,
        proxy=proxy,
    )
    return inspect_bundle(bundle, at=at)


def inspect_bundle(bundle: Bundle, *, at: datetime | None = None) -> Inspection:
    """Describe every certificate of an already loaded ``bundle``."""
    names = file_names(bundle.certificates)
    return Inspection(
        bundle=bundle,
        details=tuple(describe(c, file=names[c]) for c in bundle.certificates),
        at=check_moment(at) or datetime.now(UTC),
    )


publish(globals())
