"""Names a certificate is for: RFC 6125 host matching and RFC 5280 name constraints.

Pure functions over strings, addresses and :class:`x509.Name` values; the
verification rules (:mod:`certconv.trust._rules`) decide which names of which
certificate they apply to.

DNS names follow RFC 5280 §4.2.1.6 (the preferred name syntax of RFC 1034
§3.5 as amended by RFC 1123 §2.1: labels of letters, digits and hyphens, 1–63
characters, not starting or ending with a hyphen), compared without regard to
case. A wildcard is a whole left-most label (``*.a.com``) and stands for exactly
one label (RFC 6125 §6.4.3), as cryptography's and Go's verifiers read it.
"""

from __future__ import annotations

import ipaddress
import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from ..pki._names import name_key

__all__ = [
    "dns_excluded",
    "dns_pattern",
    "dns_permitted",
    "email_in_subtree",
    "hostname_matches",
    "ip_in_subtree",
    "is_dns_name",
    "matches_host",
    "normalize_host",
    "subject_in_subtree",
]

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+\Z")


def is_dns_name(name: str) -> bool:
    """``name`` is a DNS name in the preferred name syntax (no wildcard, no trailing dot)."""
    if not name or len(name) > 253 or not name.isascii():
        return False
    return all(_LABEL.match(label) for label in name.split("."))


def dns_pattern(pattern: str) -> tuple[bool, str] | None:
    """``(wildcard, base)`` of a DNS SAN entry; ``None`` when it is malformed (partial wildcards included)."""
    wildcard = pattern.startswith("*.")
    base = pattern[2:] if wildcard else pattern
    return (wildcard, base) if is_dns_name(base) else None


def is_dns_pattern(pattern: str) -> bool:
    """``pattern`` is a DNS name or a wildcard of one whole left-most label."""
    return dns_pattern(pattern) is not None


def normalize_host(host: str) -> str | ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The host as it is compared: an address, a lower-case A-label DNS name, or ``None`` if it is neither.

    A trailing dot (an absolute name) and brackets around an IPv6 address are
    dropped; a U-label name (``bücher.example``) becomes its IDNA A-label form.
    """
    wanted = host.strip().rstrip(".")
    if wanted.startswith("[") and wanted.endswith("]"):
        wanted = wanted[1:-1]
    try:
        return ipaddress.ip_address(wanted)
    except ValueError:
        pass
    try:
        wanted = wanted.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return wanted if is_dns_name(wanted) else None


def matches_host(pattern: str, host: str) -> bool:
    """The DNS SAN entry ``pattern`` covers the (normalized) DNS name ``host``.

    ``*.a.com`` matches ``x.a.com``, neither ``a.com`` nor ``y.x.a.com``; a wildcard needs
    two labels after it (``*.com`` matches nothing); partial wildcards (``w*.a.com``) and
    malformed entries match nothing.
    """
    parsed = dns_pattern(pattern.strip().rstrip("."))
    if parsed is None:
        return False
    wildcard, base = parsed
    base = base.lower()
    if not wildcard:
        return base == host
    if base.count(".") < 1:
        return False
    label, _, rest = host.partition(".")
    return bool(label) and rest == base


# -- name constraints (RFC 5280 §4.2.1.10) ----------------------------------------------


def _within(name: str, base: str) -> bool:
    """``name`` is ``base`` or below it, label by label, ignoring case."""
    name, base = name.lower(), base.lower()
    return name == base or name.endswith("." + base)


def dns_constraint(base: str, *, leading_period: bool) -> tuple[str, bool] | None:
    """``(domain, subdomains_only)`` of a dNSName constraint; ``None`` when it is malformed.

    RFC 5280 has no leading period for DNS constraints (``.corp.example`` is
    malformed); OpenSSL and Windows read it as "names below corp.example", and
    ``leading_period`` reads it so too.
    """
    if base.startswith(".") and leading_period and is_dns_name(base[1:]):
        return base[1:], True
    return (base, False) if is_dns_name(base) else None


def dns_permitted(pattern: str, domain: str, subdomains_only: bool) -> bool | None:
    """Every name the SAN entry ``pattern`` stands for lies within the constraint; ``None``: malformed entry."""
    parsed = dns_pattern(pattern)
    if parsed is None:
        return None
    wildcard, base = parsed
    if wildcard:
        # *.x stands for one label below x: all of them lie within the domain when x does.
        return _within(base, domain)
    return _within(base, domain) and not (subdomains_only and base.lower() == domain.lower())


def dns_excluded(pattern: str, domain: str, subdomains_only: bool) -> bool | None:
    """Some name the SAN entry ``pattern`` stands for lies within the excluded subtree; ``None``: malformed.

    A wildcard overlaps an excluded subtree that holds one of its names: ``*.example.com``
    is excluded by ``bar.example.com`` (CVE-2025-61727), as by ``example.com``.
    """
    parsed = dns_pattern(pattern)
    if parsed is None:
        return None
    wildcard, base = parsed
    if not wildcard:
        return _within(base, domain) and not (subdomains_only and base.lower() == domain.lower())
    if _within(base, domain):
        return True
    parent = domain.partition(".")[2]
    return parent.lower() == base.lower()


def ip_in_subtree(address: ipaddress.IPv4Address | ipaddress.IPv6Address, network: object) -> bool:
    """The address lies in the iPAddress constraint (a network; another address family never matches)."""
    return isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network) and address in network


def _mailbox(value: str) -> tuple[str, str] | None:
    local, at, domain = value.rpartition("@")
    if not at or not local or "@" in local or not is_dns_name(domain):
        return None
    if not all(_ATEXT.match(part) for part in local.split(".")):
        return None
    return local, domain


def is_email(value: str) -> bool:
    """``value`` is a mailbox RFC 5280 §4.2.1.6 can hold (no quoted local parts)."""
    return _mailbox(value) is not None


def email_in_subtree(email: str, constraint: str) -> bool | None:
    """The rfc822Name ``email`` lies within ``constraint``; ``None`` when either is malformed.

    ``a@x.com`` is one mailbox, ``x.com`` every mailbox at that host, ``.x.com``
    every mailbox at a host below it (RFC 5280 §4.2.1.10).
    """
    box = _mailbox(email)
    if box is None:
        return None
    if constraint.startswith("."):
        if not is_dns_name(constraint[1:]):
            return None
        return box[1].lower().endswith(constraint.lower())
    wanted = _mailbox(constraint)
    if wanted is not None:
        # The local part is case-sensitive, the host is not.
        return box[0] == wanted[0] and box[1].lower() == wanted[1].lower()
    if not is_dns_name(constraint):
        return None
    return box[1].lower() == constraint.lower()


def subject_in_subtree(subject: x509.Name, base: x509.Name) -> bool:
    """``subject`` lies within the directoryName subtree ``base``: ``base``'s RDNs start it."""
    have, want = name_key(subject), name_key(base)
    return have[: len(want)] == want


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """True when ``cert`` is valid for ``host`` (RFC 6125, as OpenSSL's ``X509_check_host``).

    DNS names of the SAN are used; the subject CN only when the SAN has no DNS name
    (as Windows and OpenSSL do; ``verify --policy strict`` does not). A wildcard is a
    whole left-most label (``*.a.com``) and stands for exactly one label: it matches
    ``x.a.com`` but neither ``a.com`` nor ``y.x.a.com``; it needs two labels after it
    (``*.com`` matches nothing), and partial wildcards (``w*.a.com``) match nothing.
    IP addresses match IP SAN entries only. Unreadable extensions match nothing.
    """
    wanted = normalize_host(host)
    if wanted is None:
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        return False  # fail closed: a SAN that cannot be read covers nothing
    if not isinstance(wanted, str):
        return san is not None and wanted in san.get_values_for_type(x509.IPAddress)
    patterns = list(san.get_values_for_type(x509.DNSName)) if san is not None else []
    if not patterns:
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        patterns = [a.value for a in names if isinstance(a.value, str)]
    return any(matches_host(pattern, wanted) for pattern in patterns)
