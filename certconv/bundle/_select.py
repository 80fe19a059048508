"""Which certificates of a bundle a conversion uses: by role (``only``) and by SHA-1 thumbprint (``sha1``).

A selection narrows the bundle before a form is built, so every ``convert``
form takes it the same way: ``--to der --sha1 HEX`` picks one certificate of a
bundle, ``--to truststore --only root`` trusts the roots alone, ``--to p7b
--only intermediate`` packs the intermediates. Roles stay what the whole input
made them (an intermediate whose root is left out is still an intermediate).

Pure: a bundle in, a smaller bundle out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..base._errors import ConversionError, UsageError
from ..pki._model import Bundle, Certificate, Chain, Role
from ..pki._x509 import key_spki, public_key_spki

__all__ = ["ROLES", "Selection", "check_selection", "select"]

ROLES = tuple(role.value for role in Role)
"""What ``only`` may name: ``root``, ``intermediate``, ``leaf``."""

_HEX40 = re.compile(r"[0-9A-F]{40}")
_SEPARATORS = re.compile(r"[\s:]")


@dataclass(frozen=True, slots=True)
class Selection:
    """A checked selection: the roles kept (``None``: every role) and the thumbprints kept (empty: all)."""

    roles: frozenset[Role] | None = None
    sha1s: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        """Nothing is left out by this selection."""
        return self.roles is None and not self.sha1s

    def describe(self) -> str:
        """The selection in words neither the CLI nor the API owns (``only root, SHA-1 ABCD…``)."""
        return ", ".join([self.roles_words(), *(f"SHA-1 {s}" for s in self.sha1s)][self.roles is None :])

    def roles_words(self) -> str:
        """The roles kept, as :meth:`describe` says them (``only root,intermediate``)."""
        return "only " + ",".join(r.value for r in Role if self.roles is not None and r in self.roles)


def check_selection(only: str | Sequence[str] | None, sha1: str | Sequence[str] | None) -> Selection:
    """Turn ``only`` and ``sha1`` as a caller gives them into a :class:`Selection`.

    ``only`` is ``"root,intermediate"`` or ``["root", "intermediate"]``;
    ``sha1`` one thumbprint or several, in any case, colons or spaces allowed
    (as Windows and OpenSSL print them).

    Raises:
        UsageError: an unknown role, an empty ``only``, or a thumbprint that is
            not 40 hexadecimal digits.
    """
    roles: frozenset[Role] | None = None
    if only is not None:
        names = [n.strip().lower() for n in (only.split(",") if isinstance(only, str) else only)]
        names = [n for n in names if n]
        unknown = [n for n in names if n not in ROLES]
        if unknown or not names:
            shown = ", ".join(repr(n) for n in unknown) if unknown else "nothing"
            raise UsageError(f"only takes roles among {', '.join(ROLES)}, not {shown}")
        roles = frozenset(Role(n) for n in names)
    wanted: list[str] = []
    for item in [sha1] if isinstance(sha1, str) else list(sha1 or ()):
        hexed = _SEPARATORS.sub("", item).upper()
        if not _HEX40.fullmatch(hexed):
            shown = item if len(item) <= 60 and item.isprintable() else "the value given"
            raise UsageError(f"sha1 takes a SHA-1 thumbprint of 40 hexadecimal digits, not {shown!r}")
        if hexed not in wanted:
            wanted.append(hexed)
    return Selection(roles, tuple(wanted))


def select(bundle: Bundle, selection: Selection) -> Bundle:
    """The part of ``bundle`` that ``selection`` keeps.

    Chains keep their selected certificates (a chain whose leaf is left out is
    dropped); private keys of certificates left out are dropped too, so a key
    cannot travel without its certificate.

    Raises:
        ConversionError: a thumbprint that no certificate of the bundle has, one
            that ``only`` excludes, or a selection that keeps nothing.
    """
    if selection.everything:
        return bundle
    by_sha1 = {c.sha1: c for c in bundle.certificates}
    for sha1 in selection.sha1s:
        cert = by_sha1.get(sha1)
        if cert is None:
            raise ConversionError(f"no certificate of the input has SHA-1 {sha1} (inspect shows every thumbprint)")
        if selection.roles is not None and cert.role not in selection.roles:
            raise ConversionError(
                f"SHA-1 {sha1} is the {cert.role.value} '{cert.common_name}', which "
                f"the selection ({selection.roles_words()}) leaves out"
            )

    def kept(cert: Certificate) -> bool:
        if selection.roles is not None and cert.role not in selection.roles:
            return False
        return not selection.sha1s or cert.sha1 in selection.sha1s

    certificates = tuple(c for c in bundle.certificates if kept(c))
    if not certificates:
        held = ", ".join(f"{len(group)} {role.value}" for role, group in _by_role(bundle) if group)
        raise ConversionError(
            f"the selection ({selection.describe()}) keeps no certificate of the input (it holds {held})"
        )
    chains = tuple(
        Chain(tuple(c for c in chain.certificates if kept(c))) for chain in bundle.chains if kept(chain.leaf)
    )
    dropped = {public_key_spki(c.x509) for c in bundle.certificates if c.has_private_key and not kept(c)} - {None}
    keys = tuple(k for k in bundle.private_keys if key_spki(k) not in dropped)
    return dataclasses.replace(bundle, certificates=certificates, chains=chains, private_keys=keys)


def _by_role(bundle: Bundle) -> list[tuple[Role, tuple[Certificate, ...]]]:
    return [(Role.ROOT, bundle.roots), (Role.INTERMEDIATE, bundle.intermediates), (Role.LEAF, bundle.leaves)]
