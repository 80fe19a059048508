"""The names a new certificate is made for, checked before any key is made.

Host names become DNS names in the subjectAlternativeName, so they follow the
rules every verifier applies (:mod:`certconv.trust._hostname`): labels of letters,
digits and hyphens, a wildcard only as the whole left-most label (RFC 6125
§6.4.3), internationalized names as their IDNA A-labels (RFC 5280 §7.2:
``bücher.example`` is written ``xn--bcher-kva.example``). A wildcard may not
cover a public suffix (``*.com``, ``*.co.uk``): browsers refuse such
certificates, and no backend owns every name below one. The suffixes known are
every single label (a top-level domain) and :data:`PUBLIC_SUFFIXES`, a short
built-in list of common multi-label ones, not Mozilla's whole Public Suffix List.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Sequence

from ..base._console import printable
from ..base._errors import Option, UsageError, hint
from ._hostname import is_dns_name, is_dns_pattern

__all__ = ["MAX_CLIENT_NAME", "PUBLIC_SUFFIXES", "IPAddress", "check_client_name", "check_hosts", "check_ips"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_CLIENT_NAME = 64
"""Longest client name in UTF-8 bytes: the upper bound of a commonName (RFC 5280 Appendix A, ``ub-common-name``)."""

PUBLIC_SUFFIXES = frozenset(
    {
        # Country second levels people meet most (from the Public Suffix List's ICANN section).
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au",
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
        "com.hk", "com.tw", "com.sg", "com.my",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
        "co.kr", "or.kr", "co.in", "net.in", "org.in", "co.nz", "org.nz", "co.za", "org.za",
        "com.br", "net.br", "org.br", "com.mx", "com.ar", "com.tr", "co.il", "com.ua",
        # Cloud and hosting suffixes from the Public Suffix List's private section, Azure's first.
        "azurewebsites.net", "scm.azurewebsites.net", "cloudapp.net", "cloudapp.azure.com", "azure-api.net",
        "azurefd.net", "azureedge.net", "trafficmanager.net", "azurecontainerapps.io", "azurestaticapps.net",
        "blob.core.windows.net", "web.core.windows.net", "servicebus.windows.net",
        "amazonaws.com", "s3.amazonaws.com", "cloudfront.net", "elasticbeanstalk.com",
        "appspot.com", "web.app", "firebaseapp.com", "run.app",
        "github.io", "gitlab.io", "herokuapp.com", "netlify.app", "vercel.app", "pages.dev", "workers.dev",
    }
)  # fmt: skip
"""Multi-label public suffixes a wildcard may not sit directly on (every single label is refused too)."""


def check_hosts(hosts: Sequence[str]) -> tuple[str, ...]:
    """The DNS names of a server certificate, as they go into its SAN: A-labels, lower case, each once.

    A trailing dot is dropped; a U-label name becomes its A-label form.

    Raises:
        UsageError: a name that is empty, not a DNS name, an IP address (those are
            ``ips``), a wildcard that is not a whole left-most label, or a wildcard
            on a public suffix. The message quotes the name printably.
    """
    if isinstance(hosts, str):
        hosts = [hosts]
    names: dict[str, None] = {}
    for given in hosts:
        names.setdefault(_dns_name(given))
    return tuple(names)


def _dns_name(given: str) -> str:
    shown = printable(repr(given))
    name = given.strip().rstrip(".")
    if not name:
        raise UsageError(f"host {shown} is empty: give a DNS name such as backend.example")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise UsageError(f"host {shown} is an IP address", hint=hint("give it with {}", Option.IPS))
    wildcard = name.startswith("*.")
    base = name[2:] if wildcard else name
    if "*" in base:
        raise UsageError(
            f"host {shown}: a wildcard must be the whole left-most label (*.example.com), and only that one"
        )
    if not base.isascii():
        base = _a_labels(base, shown)
    base = base.lower()
    for label in base.split("."):
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise UsageError(f"host {shown}: {label!r} is not a valid IDNA A-label") from None
    if not is_dns_name(base) or not is_dns_pattern(f"*.{base}" if wildcard else base):
        raise UsageError(
            f"host {shown} is not a DNS name (labels of letters, digits and hyphens, 1 to 63 characters, "
            "not starting or ending with a hyphen)"
        )
    if wildcard and ("." not in base or base in PUBLIC_SUFFIXES):
        raise UsageError(
            f"host {shown}: a wildcard directly on the public suffix {base!r} would cover names nobody owns alone; "
            "browsers refuse it (give a name of yours, *.api.example.com)"
        )
    return f"*.{base}" if wildcard else base


def _a_labels(name: str, shown: str) -> str:
    """``name`` with its U-labels as A-labels, refused where IDNA 2003 and IDNA 2008 would differ.

    Python's codec is IDNA 2003, which maps some characters to others (``ß`` → ``ss``,
    full-width letters to ASCII); IDNA 2008, which browsers resolve, keeps them. A
    name that does not come back from its A-labels unchanged is one of those: the
    certificate would be for another name than the one typed.
    """
    try:
        ascii_name = name.encode("idna").decode("ascii")
        back = ascii_name.encode("ascii").decode("idna")
    except UnicodeError:
        raise UsageError(f"host {shown} is not a name IDNA can write in ASCII") from None
    if back != unicodedata.normalize("NFC", name).lower():
        raise UsageError(
            f"host {shown} would become {ascii_name!r}, another name under IDNA 2008; give the A-label (xn--…) you mean"
        )
    return ascii_name


def check_ips(ips: Sequence[str | IPAddress]) -> tuple[IPAddress, ...]:
    """The IP addresses of a server certificate's SAN, each once.

    Raises:
        UsageError: a value that is not an IPv4 or IPv6 address (a network or a
            scoped address included: a certificate holds plain addresses).
    """
    if isinstance(ips, str):
        ips = [ips]
    found: dict[IPAddress, None] = {}
    for given in ips:
        if isinstance(given, ipaddress.IPv4Address | ipaddress.IPv6Address):
            address = given
        else:
            try:
                address = ipaddress.ip_address(str(given).strip().strip("[]"))
            except ValueError:
                raise UsageError(f"ip {printable(repr(given))} is not an IPv4 or IPv6 address") from None
        if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
            raise UsageError(f"ip {printable(repr(given))} has a zone (%…), which a certificate cannot hold")
        found.setdefault(address)
    return tuple(found)


def check_client_name(name: str) -> str:
    """The common name of a client certificate: printable text of 1 to :data:`MAX_CLIENT_NAME` bytes in UTF-8.

    Raises:
        UsageError: an empty or longer name, or one with control characters.
    """
    text = name.strip()
    if not text:
        raise UsageError("the client name is empty: give the name the backend knows APIM by, e.g. apim-prod")
    # The bound is on the encoded value (UTF8String): 33 emoji are 132 bytes, and cryptography refuses them.
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_CLIENT_NAME:
        raise UsageError(
            f"the client name is {size} bytes in UTF-8; a common name holds at most {MAX_CLIENT_NAME} "
            "(fewer characters outside ASCII)"
        )
    if printable(text) != text:
        raise UsageError(f"the client name {printable(repr(text))} holds control or invisible characters")
    return text
