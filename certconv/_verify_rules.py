"""The rules a path must meet, as :class:`Problem` values worded for APIM's users.

Checked bottom-up as the path search extends a path (cryptography's verifier and
Go's do the same), so a candidate issuer that breaks a rule is known at once:

* :func:`check_certificate`: every certificate (readable, no unknown critical
  extension, valid at the moment, X.509 v3, serial number, key strength);
* :func:`check_peer`: the certificate under test (usage for the purpose, SAN, host name);
* :func:`check_issuer`: a CA for everything below it (basicConstraints, keyUsage,
  EKU, path length, name constraints, key identifiers);
* :func:`check_path`: the finished path (signature algorithms, which depend on
  whether the root is private, and the depth limit).

Each problem a leniency excuses carries that leniency; the search decides by
policy whether it fails the path (``strict``) or is recorded as used (``apim``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.oid import SignatureAlgorithmOID as Sig

from . import _hostname as hn
from ._enums import Validity
from ._names import EKU_NAMES, KEY_USAGE_NAMES
from ._text import printable
from ._verify_policy import Facts, FailureCode, Leniency, Policy, Problem
from ._x509 import iso_utc, validity

__all__ = ["PURPOSE_EKU", "Settings", "check_certificate", "check_issuer", "check_path", "check_peer"]

C = FailureCode
L = Leniency

PURPOSE_EKU = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
_PURPOSE_KU = {
    "server": ("digital_signature", "key_encipherment", "key_agreement"),
    "client": ("digital_signature", "key_agreement"),
}
_PURPOSE_TEXT = {"server": "TLS server authentication", "client": "TLS client authentication"}
_ANY_EKU = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE

# CA/B Forum Baseline Requirements §7.1.3.2, and SHA-1 for private chains under the leniency.
_GOOD_SIGNATURES = frozenset(
    {
        Sig.RSA_WITH_SHA256,
        Sig.RSA_WITH_SHA384,
        Sig.RSA_WITH_SHA512,
        Sig.RSASSA_PSS,
        Sig.ECDSA_WITH_SHA256,
        Sig.ECDSA_WITH_SHA384,
        Sig.ECDSA_WITH_SHA512,
    }
)
_SHA1_SIGNATURES = frozenset({Sig.RSA_WITH_SHA1, Sig.ECDSA_WITH_SHA1})
_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})  # §6.1.5
_REISSUE = "reissue it"


@dataclass(frozen=True, slots=True)
class Settings:
    """What one verification checks against (checked once by the caller)."""

    policy: Policy
    at: datetime
    purpose: str
    host: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    host_given: bool = False
    max_depth: int | None = None
    public: frozenset[str] = frozenset()
    """SHA-256 thumbprints of anchors from a public store (no SHA-1 leniency under them)."""


def check_certificate(f: Facts, index: int, s: Settings, *, anchor: bool) -> list[Problem]:
    """Rules for every certificate of a path."""
    if f.unreadable is not None:
        return [Problem(C.UNREADABLE, index, f"has extensions that cannot be read ({f.unreadable})", _REISSUE)]
    out: list[Problem] = []
    for oid in f.unknown_critical:
        out.append(
            Problem(
                C.CRITICAL_EXTENSION,
                index,
                f"has a critical extension {oid} certconv does not know, which a client must reject (RFC 5280 §4.2)",
                "reissue it without it, or not critical",
            )
        )
    cert = f.cert
    state = validity(cert, s.at)  # the one validity check (not-yet-valid first, as OpenSSL)
    if state is Validity.EXPIRED:
        out.append(
            Problem(
                C.EXPIRED,
                index,
                f"expired on {_minute(cert.not_valid_after_utc)} UTC (checked at {iso_utc(s.at)})",
                "renew it",
            )
        )
    elif state is Validity.NOT_YET_VALID:
        out.append(
            Problem(
                C.NOT_YET_VALID,
                index,
                f"is not valid before {_minute(cert.not_valid_before_utc)} UTC (checked at {iso_utc(s.at)})",
                "wait until then, or reissue it with a start date in the past (check the issuing machine's clock)",
            )
        )
    if cert.version is not x509.Version.v3:
        out.append(
            Problem(
                C.PROFILE,
                index,
                "is an X.509 v1 certificate, not v3",
                "reissue it as v3",
                L.LEGACY_ROOT if anchor and f.self_signed else None,
            )
        )
    if len(cert.issuer) == 0:
        out.append(Problem(C.PROFILE, index, "has an empty issuer name (RFC 5280 §4.1.2.4)", _REISSUE))
    for kind in (x509.AuthorityKeyIdentifier, x509.SubjectKeyIdentifier, x509.AuthorityInformationAccess):
        ext = f.get(kind)
        if ext is not None and ext.critical:
            out.append(
                Problem(
                    C.PROFILE,
                    index,
                    f"marks its {_EXT_NAMES[kind]} critical, which RFC 5280 forbids",
                    _REISSUE,
                    L.ISSUANCE_RULES,
                )
            )
    if not anchor:
        out += _serial(f, index)
    out += _key(f, index)
    out += _encoding(f, index)
    return out


_EXT_NAMES: dict[type[x509.ExtensionType], str] = {
    x509.AuthorityKeyIdentifier: "authority key identifier",
    x509.SubjectKeyIdentifier: "subject key identifier",
    x509.AuthorityInformationAccess: "authority information access",
}
_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


def _encoding(f: Facts, index: int) -> list[Problem]:
    """What cryptography parses without a word: the inner signature algorithm, time encodings, EC parameters."""
    from ._der import DerError, children, decode_oid, read_tlv

    out: list[Problem] = []
    try:
        outer = children(f.der, read_tlv(f.der), 3)
        tbs = children(f.der, outer[0], 8)
        at = 1 if tbs[0].tag == 0xA0 else 0
        inner_alg, validity, spki = tbs[at + 1], tbs[at + 3], tbs[at + 5]
        if f.der[inner_alg.start : inner_alg.end] != f.der[outer[1].start : outer[1].end]:
            out.append(
                Problem(
                    C.PROFILE,
                    index,
                    "names different signature algorithms inside and outside its signed part (RFC 5280 §4.1.1.2)",
                    _REISSUE,
                )
            )
        for moment in children(f.der, validity, 2):
            value = moment.value(f.der)
            if moment.tag == 0x18 and value[:4].isdigit() and 1950 <= int(value[:4]) < 2050:
                out.append(
                    Problem(
                        C.PROFILE,
                        index,
                        "encodes a validity date before 2050 as GeneralizedTime (RFC 5280 §4.1.2.5)",
                        _REISSUE,
                        L.ISSUANCE_RULES,
                    )
                )
                break
        algorithm = children(f.der, children(f.der, spki, 2)[0], 2)
        if decode_oid(algorithm[0].value(f.der)) == _EC_PUBLIC_KEY and (len(algorithm) < 2 or algorithm[1].tag != 6):
            out.append(
                Problem(
                    C.WEAK_KEY,
                    index,
                    "conveys its ECDSA key with explicit curve parameters instead of a "
                    "named curve (CA/Browser Forum §7.1.3.1.2)",
                    "reissue it with a named curve (P-256)",
                )
            )
    except (DerError, IndexError):
        out.append(Problem(C.UNREADABLE, index, "has a certificate structure certconv cannot follow", _REISSUE))
    return out


def _minute(moment: datetime) -> str:
    return iso_utc(moment)[:16].replace("T", " ")


def _serial(f: Facts, index: int) -> list[Problem]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a negative serial warns on every read
        serial = f.cert.serial_number
    if serial <= 0:
        wrong = "zero" if serial == 0 else "negative"
    elif serial.bit_length() > 160:
        wrong = "longer than 20 octets"
    else:
        return []
    return [
        Problem(
            C.PROFILE, index, f"has a serial number that is {wrong} (RFC 5280 §4.1.2.2)", _REISSUE, L.ISSUANCE_RULES
        )
    ]


def _key(f: Facts, index: int) -> list[Problem]:
    """CA/B Forum §6.1.5 and §7.1.3.1: RSA of at least 2048 bits (a multiple of 8), or ECDSA P-256/384/521."""
    try:
        key = f.cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return [
            Problem(
                C.WEAK_KEY,
                index,
                "has a public key of a type TLS clients do not accept",
                "reissue it with an RSA (2048 bits or more) or ECDSA P-256 key",
            )
        ]
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048 or key.key_size % 8:
            return [
                Problem(
                    C.WEAK_KEY,
                    index,
                    f"has an RSA key of {key.key_size} bits",
                    "reissue it with an RSA key of 2048 bits or more (a multiple of 8)",
                )
            ]
        return []
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVES:
        return []
    kind = (
        f"an ECDSA key on curve {key.curve.name}"
        if isinstance(key, ec.EllipticCurvePublicKey)
        else (f"a {type(key).__name__.removeprefix('_').replace('PublicKey', '')} key")
    )
    return [
        Problem(
            C.WEAK_KEY,
            index,
            f"has {kind}, which TLS clients do not accept in certificates",
            "reissue it with an RSA (2048 bits or more) or ECDSA P-256/P-384 key",
        )
    ]


def check_peer(f: Facts, s: Settings) -> list[Problem]:
    """Rules for the certificate under test (index 0)."""
    if f.unreadable is not None:
        return []
    out: list[Problem] = []
    bc, ku = f.get(x509.BasicConstraints), f.value(x509.KeyUsage)
    if ku is not None and ku.key_cert_sign and not f.is_ca:
        out.append(
            Problem(
                C.KEY_USAGE,
                0,
                "may sign certificates (keyCertSign) but is not a CA (RFC 5280 §4.2.1.9)",
                "reissue it without keyCertSign",
            )
        )
    if f.get(x509.NameConstraints) is not None and not f.is_ca:
        out.append(Problem(C.PROFILE, 0, "has name constraints, which only a CA may have", _REISSUE))
    if f.is_ca and s.purpose == "server":
        out.append(
            Problem(
                C.PROFILE,
                0,
                "is a CA certificate (CA:TRUE), which a server's certificate must not be (CA/Browser Forum §7.1.2.7.8)",
                "reissue it with basicConstraints CA:FALSE",
                L.CA_AS_PEER,
            )
        )
    if bc is not None and not bc.critical and f.is_ca:
        out.append(
            Problem(C.PROFILE, 0, "has a basicConstraints extension that is not critical", _REISSUE, L.ISSUANCE_RULES)
        )
    out += _peer_usage(f, s)
    out += _peer_names(f, s)
    if not f.self_signed and f.value(x509.AuthorityKeyIdentifier) is None:
        out.append(
            Problem(C.PROFILE, 0, "has no authority key identifier (RFC 5280 §4.2.1.1)", _REISSUE, L.KEY_IDENTIFIERS)
        )
    return out


def _peer_usage(f: Facts, s: Settings) -> list[Problem]:
    out: list[Problem] = []
    wanted = PURPOSE_EKU[s.purpose]
    eku = f.get(x509.ExtendedKeyUsage)
    name = EKU_NAMES[wanted]
    # No EKU means any usage (RFC 5280 §4.2.1.12): Windows, OpenSSL and cryptography all accept it.
    if eku is not None:
        usages = list(eku.value)
        if wanted not in usages:
            have = ", ".join(EKU_NAMES.get(o, o.dotted_string) for o in usages) or "none"
            out.append(
                Problem(
                    C.EXTENDED_KEY_USAGE,
                    0,
                    f"is not for {_PURPOSE_TEXT[s.purpose]} (extended key usage: {have})",
                    f"reissue it with EKU {name}",
                )
            )
        elif _ANY_EKU in usages:
            out.append(
                Problem(
                    C.EXTENDED_KEY_USAGE,
                    0,
                    "has anyExtendedKeyUsage in its EKU (CA/Browser Forum §7.1.2.7.10)",
                    f"reissue it with EKU {name} alone",
                    L.ISSUANCE_RULES,
                )
            )
        if eku.critical:
            out.append(
                Problem(
                    C.PROFILE,
                    0,
                    "has a critical extended key usage (CA/Browser Forum §7.1.2.7.10)",
                    _REISSUE,
                    L.ISSUANCE_RULES,
                )
            )
    ku = f.value(x509.KeyUsage)
    if ku is not None and not f.is_ca and not any(getattr(ku, a) for a in _PURPOSE_KU[s.purpose]):
        needed = " or ".join(KEY_USAGE_NAMES[a] for a in _PURPOSE_KU[s.purpose])
        out.append(
            Problem(
                C.KEY_USAGE,
                0,
                f"has a key usage without {needed}, which {_PURPOSE_TEXT[s.purpose]} needs",
                "reissue it with digitalSignature",
            )
        )
    return out


def _peer_names(f: Facts, s: Settings) -> list[Problem]:
    out: list[Problem] = []
    san = f.get(x509.SubjectAlternativeName)
    dns = [str(v) for v in f.san_values(x509.DNSName)]
    ips = [v for v in f.san_values(x509.IPAddress) if isinstance(v, ipaddress.IPv4Address | ipaddress.IPv6Address)]
    empty_subject = len(f.cert.subject) == 0
    if san is None:
        if s.purpose == "server" and not f.is_ca:
            out.append(
                Problem(
                    C.PROFILE,
                    0,
                    "has no subject alternative name, only a CN",
                    "reissue it with its host names in the SAN",
                    L.CN_AS_HOST,
                )
            )
    else:
        if empty_subject and not san.critical:
            out.append(
                Problem(
                    C.PROFILE, 0, "has an empty subject and a SAN that is not critical (RFC 5280 §4.2.1.6)", _REISSUE
                )
            )
        elif not empty_subject and san.critical:
            out.append(
                Problem(
                    C.PROFILE,
                    0,
                    "has a critical SAN although its subject is not empty (CA/Browser Forum §7.1.2.7.12)",
                    _REISSUE,
                    L.ISSUANCE_RULES,
                )
            )
        for entry in dns:
            if not hn.is_dns_pattern(entry):
                out.append(
                    Problem(
                        C.UNREADABLE,
                        0,
                        f"has a malformed DNS name `{printable(entry)}` in its SAN",
                        "reissue it with valid host names (letters, digits, hyphens)",
                    )
                )
        for cn in f.common_names:
            twin = _respelled(cn, dns, ips)
            if twin is not None:
                out.append(
                    Problem(
                        C.PROFILE,
                        0,
                        f"has the CN `{printable(cn)}`, which names the SAN entry "
                        f"`{printable(twin)}` but is not a character-for-character copy of it "
                        "(CA/Browser Forum §7.1.4.3)",
                        _REISSUE,
                        L.ISSUANCE_RULES,
                    )
                )
    if s.host_given:
        out += _host(f, s, dns, ips)
    return out


def _respelled(cn: str, dns: list[str], ips: Sequence[object]) -> str | None:
    """The SAN entry ``cn`` names in another spelling (case, U-label, an address in hex or with zeros)."""
    if cn in dns or any(cn == str(ip) for ip in ips):
        return None
    address = _loose_address(cn)
    if address is not None:
        return next((str(ip) for ip in ips if ip == address), None)
    try:
        # Label by label: a U-label becomes its punycode A-label (RFC 3492) without IDNA's mapping rules.
        folded = ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii") for label in cn.split(".")
        ).lower()
    except UnicodeError:
        return None
    return next((d for d in dns if d.lower() == folded), None)


def _loose_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` read as an address the way lenient parsers do (``0xC0A80101``, ``192.168.001.001``, upper case)."""
    try:
        return ipaddress.ip_address(text.lower() if ":" in text else text)
    except ValueError:
        pass
    parts = text.split(".")
    try:
        numbers = [int(p, 16) if p.lower().startswith("0x") else int(p, 10) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 1 and 0 <= numbers[0] < 2**32:
        return ipaddress.IPv4Address(numbers[0])
    if len(numbers) == 4 and all(0 <= n < 256 for n in numbers):
        return ipaddress.IPv4Address(".".join(map(str, numbers)))
    return None


def _host(f: Facts, s: Settings, dns: list[str], ips: Sequence[object]) -> list[Problem]:
    host = s.host
    if isinstance(host, str):
        if any(hn.matches_host(p, host) for p in dns):
            return []
        if not dns and any(hn.matches_host(cn, host) for cn in f.common_names):
            # Windows (and OpenSSL) take the CN when the SAN has no DNS name; browsers do not.
            return [
                Problem(
                    C.HOSTNAME_MISMATCH,
                    0,
                    f"has `{host}` only in its CN, not in a SAN",
                    "reissue it with the host name in the SAN",
                    L.CN_AS_HOST,
                )
            ]
    elif host is not None and host in ips:
        return []
    covered = ", ".join(printable(n) for n in dns + [str(i) for i in ips]) or (
        ", ".join(f"CN {printable(c)}" for c in f.common_names) or "no host name"
    )
    return [Problem(C.HOSTNAME_MISMATCH, 0, f"covers {covered}, not the host", "")]


def check_issuer(path: Sequence[Facts], index: int, s: Settings, *, anchor: bool) -> list[Problem]:
    """Rules for ``path[index]`` as the CA of everything below it."""
    f = path[index]
    if f.unreadable is not None:
        return []
    child = path[index - 1]
    out: list[Problem] = []
    bc = f.get(x509.BasicConstraints)
    ku = f.value(x509.KeyUsage)
    if bc is None or not bc.value.ca:
        legacy = (
            anchor
            and f.self_signed
            and bc is None
            and (f.cert.version is x509.Version.v1 or (ku is not None and ku.key_cert_sign))
        )
        flag = "CA:FALSE" if bc is not None else "no basicConstraints"
        out.append(
            Problem(
                C.NOT_A_CA,
                index,
                f"issued `{child.name}` but is not a CA certificate ({flag})",
                f"reissue `{child.name}` from a CA certificate (basicConstraints CA:TRUE)",
                L.LEGACY_ROOT if legacy else None,
            )
        )
    elif not bc.critical:
        out.append(
            Problem(
                C.PROFILE,
                index,
                "marks basicConstraints not critical (RFC 5280 §4.2.1.9)",
                _REISSUE,
                L.LEGACY_ROOT if anchor and f.self_signed else L.ISSUANCE_RULES,
            )
        )
    if ku is None:
        if f.cert.version is x509.Version.v3 and not anchor:
            out.append(
                Problem(
                    C.KEY_USAGE,
                    index,
                    "has no key usage (CA/Browser Forum §7.1.2.10.7)",
                    "reissue it with keyUsage keyCertSign, cRLSign",
                    L.ISSUANCE_RULES,
                )
            )
    elif not ku.key_cert_sign:
        out.append(
            Problem(
                C.KEY_USAGE,
                index,
                f"signed `{child.name}` but its key usage lacks keyCertSign, so clients reject what it signs",
                "reissue it with keyCertSign",
            )
        )
    out += _ca_eku(f, index, s, anchor)
    if bc is not None and bc.value.ca and bc.value.path_length is not None and index > 1:
        # RFC 5280 §4.2.1.9: self-issued intermediates do not count, nor does the certificate under test.
        below = sum(1 for c in path[1:index] if not c.self_issued)
        limit = bc.value.path_length
        if below > limit:
            out.append(
                Problem(
                    C.PATH_LENGTH,
                    index,
                    f"allows {limit} intermediate CA{'s' if limit != 1 else ''} "
                    f"below it (pathlen:{limit}) but the chain has {below}",
                    "issue the certificates "
                    "below from a CA that allows it, or reissue the CAs with a larger path length",
                )
            )
    out += _key_identifiers(f, index, anchor)
    pc = f.get(x509.PolicyConstraints)
    if pc is not None and not pc.critical:
        out.append(
            Problem(
                C.PROFILE,
                index,
                "has policy constraints that are not critical (RFC 5280 §4.2.1.11)",
                _REISSUE,
                L.ISSUANCE_RULES,
            )
        )
    out += _name_constraints(path, index, s)
    return out


def _ca_eku(f: Facts, index: int, s: Settings, anchor: bool) -> list[Problem]:
    eku = f.get(x509.ExtendedKeyUsage)
    if eku is None:
        return []
    wanted = PURPOSE_EKU[s.purpose]
    usages = list(eku.value)
    if wanted not in usages and _ANY_EKU not in usages:
        have = ", ".join(EKU_NAMES.get(o, o.dotted_string) for o in usages) or "none"
        return [
            Problem(
                C.EXTENDED_KEY_USAGE,
                index,
                f"is not for {_PURPOSE_TEXT[s.purpose]} (extended key usage: {have})",
                f"reissue it with EKU {EKU_NAMES[wanted]} or without EKU",
            )
        ]
    if anchor and f.self_signed:
        return [
            Problem(
                C.PROFILE,
                index,
                "is a root with an extended key usage (CA/Browser Forum §7.1.2.1.2)",
                "use a root without EKU",
                L.ISSUANCE_RULES,
            )
        ]
    return []


def _key_identifiers(f: Facts, index: int, anchor: bool) -> list[Problem]:
    out: list[Problem] = []
    ski = f.value(x509.SubjectKeyIdentifier)
    aki = f.value(x509.AuthorityKeyIdentifier)
    if ski is None:
        out.append(
            Problem(C.PROFILE, index, "has no subject key identifier (RFC 5280 §4.2.1.2)", _REISSUE, L.KEY_IDENTIFIERS)
        )
    if aki is None:
        if not f.self_signed and not anchor:
            out.append(
                Problem(
                    C.PROFILE, index, "has no authority key identifier (RFC 5280 §4.2.1.1)", _REISSUE, L.KEY_IDENTIFIERS
                )
            )
    elif aki.key_identifier is None or aki.authority_cert_issuer is not None:
        out.append(
            Problem(
                C.PROFILE,
                index,
                "has an authority key identifier without keyIdentifier or with issuer "
                "and serial (CA/Browser Forum §7.1.2.11.1)",
                _REISSUE,
                L.KEY_IDENTIFIERS,
            )
        )
    elif f.self_signed and ski is not None and aki.key_identifier != ski.digest:
        out.append(
            Problem(
                C.PROFILE,
                index,
                "is a root whose authority key identifier is not its subject key identifier",
                _REISSUE,
                L.KEY_IDENTIFIERS,
            )
        )
    return out


def _name_constraints(path: Sequence[Facts], index: int, s: Settings) -> list[Problem]:
    nc_ext = path[index].get(x509.NameConstraints)
    if nc_ext is None:
        return []
    nc = nc_ext.value
    permitted, excluded = list(nc.permitted_subtrees or ()), list(nc.excluded_subtrees or ())
    if not permitted and not excluded:
        return [Problem(C.NAME_CONSTRAINTS, index, "has empty name constraints (RFC 5280 §4.2.1.10)", _REISSUE)]
    out: list[Problem] = []
    leading = s.policy.allows(L.NC_LEADING_PERIOD)
    names = sum(_name_count(path[j]) for j in range(index))
    if names * (len(permitted) + len(excluded)) > NAME_CHECK_BUDGET:
        # Quadratic by design (limbo's nc-dos cases: 2,048 constraints × 4,096 names); real CAs need dozens.
        return [
            Problem(
                C.NAME_CONSTRAINTS,
                index,
                f"has {len(permitted) + len(excluded):,} name constraints for "
                f"{names:,} names below it, more than certconv checks ({NAME_CHECK_BUDGET:,} comparisons)",
                "use a CA with fewer name constraints, or certificates with fewer names",
            )
        ]
    for tree in permitted + excluded:
        if isinstance(tree, x509.DNSName) and hn.dns_constraint(tree.value, leading_period=False) is None:
            if hn.dns_constraint(tree.value, leading_period=True) is None:
                return [
                    Problem(
                        C.NAME_CONSTRAINTS,
                        index,
                        f"has a malformed DNS name constraint `{printable(tree.value)}`",
                        _REISSUE,
                    )
                ]
            out.append(
                Problem(
                    C.NAME_CONSTRAINTS,
                    index,
                    f"has the DNS name constraint `{printable(tree.value)}` "
                    "with a leading period, which RFC 5280 does not allow",
                    f"reissue it with `{printable(tree.value[1:])}`",
                    L.NC_LEADING_PERIOD,
                )
            )
            if not leading:
                return out
    for j in range(index):
        below = path[j]
        if j > 0 and below.self_issued:
            continue  # RFC 5280 §4.2.1.10: not applied to self-issued intermediates
        wrong = _names_outside(below, j, permitted, excluded, s, leading)
        if wrong is not None:
            out.append(
                Problem(
                    C.NAME_CONSTRAINTS,
                    index,
                    f"may only certify names within its name constraints, and `{below.name}` has {wrong}",
                    f"reissue `{below.name}` with names the CA may certify, or use a CA whose constraints allow them",
                )
            )
    return out


NAME_CHECK_BUDGET = 1 << 16
"""Most name-against-constraint comparisons for one CA (cryptography allows 2**20 for a whole path)."""


def _name_count(f: Facts) -> int:
    san = f.value(x509.SubjectAlternativeName)
    return (len(san) if san is not None else 0) + 1 + len(list(f.cert.subject))


def _names_outside(
    f: Facts,
    index: int,
    permitted: list[x509.GeneralName],
    excluded: list[x509.GeneralName],
    s: Settings,
    leading: bool,
) -> str | None:
    """A phrase for the first name of ``f`` the constraints forbid, or ``None`` when all are allowed."""
    names: list[x509.GeneralName] = []
    san = f.value(x509.SubjectAlternativeName)
    if san is not None:
        names += list(san)
    if len(f.cert.subject):
        names.append(x509.DirectoryName(f.cert.subject))
        # RFC 5280 §4.2.1.10: e-mail addresses in the subject are rfc822Names for the constraints.
        emails = f.cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
        names += [x509.RFC822Name(a.value) for a in emails if isinstance(a.value, str) and a.value.isascii()]
    if index == 0 and s.policy.allows(L.CN_AS_HOST) and not f.san_values(x509.DNSName):
        # The CN stands in for the host name (Windows): DNS constraints apply to it, or a CA
        # constrained to corp.example could certify any host through a CN (CVE-2025-61727's cousin).
        names += [x509.DNSName(cn) for cn in f.common_names if hn.is_dns_name(cn) and "." in cn]
    for name in names:
        same = [t for t in permitted if type(t) is type(name)]
        if same:
            verdicts = [_inside(name, t, leading, permitted=True) for t in same]
            if None in verdicts:
                return f"the name `{_show(name)}`, which cannot be compared with them (malformed or unsupported)"
            if not any(verdicts):
                return f"`{_show(name)}` outside the permitted names"
        for tree in (t for t in excluded if type(t) is type(name)):
            verdict = _inside(name, tree, leading, permitted=False)
            if verdict is None:
                return f"the name `{_show(name)}`, which cannot be compared with them (malformed or unsupported)"
            if verdict:
                return f"`{_show(name)}` in an excluded subtree ({_show(tree)})"
    return None


def _inside(name: x509.GeneralName, tree: x509.GeneralName, leading: bool, *, permitted: bool) -> bool | None:
    if isinstance(name, x509.DNSName) and isinstance(tree, x509.DNSName):
        parsed = hn.dns_constraint(tree.value, leading_period=leading)
        if parsed is None:
            return None
        check = hn.dns_permitted if permitted else hn.dns_excluded
        return check(name.value, *parsed)
    if isinstance(name, x509.IPAddress) and isinstance(tree, x509.IPAddress):
        return hn.ip_in_subtree(name.value, tree.value)  # type: ignore[arg-type]
    if isinstance(name, x509.RFC822Name) and isinstance(tree, x509.RFC822Name):
        return hn.email_in_subtree(name.value, tree.value)
    if isinstance(name, x509.DirectoryName) and isinstance(tree, x509.DirectoryName):
        return hn.subject_in_subtree(name.value, tree.value)
    return None  # URI, otherName…: not compared, so a constraint on them cannot be honoured


def _show(name: x509.GeneralName) -> str:
    value = name.value
    return printable(value.rfc4514_string() if isinstance(value, x509.Name) else str(value))


def check_path(path: Sequence[Facts], reached: bool, s: Settings) -> list[Problem]:
    """Rules for the finished path: signature algorithms and the depth limit."""
    out: list[Problem] = []
    private = reached and path[-1].sha256 not in s.public
    signed = path[:-1] if reached else path
    for index, f in enumerate(signed):
        if index == len(path) - 1 and f.self_signed:
            continue  # a root's own signature proves nothing and is not checked
        oid = f.cert.signature_algorithm_oid
        if oid in _GOOD_SIGNATURES:
            continue
        if oid in _SHA1_SIGNATURES:
            out.append(
                Problem(
                    C.SIGNATURE_ALGORITHM,
                    index,
                    "is signed with SHA-1",
                    "reissue it signed with SHA-256",
                    L.SHA1_PRIVATE if private else None,
                )
            )
        else:
            label = getattr(oid, "_name", None) or oid.dotted_string
            out.append(
                Problem(
                    C.SIGNATURE_ALGORITHM,
                    index,
                    f"is signed with {label}, which TLS clients do not accept",
                    "reissue it signed with SHA-256",
                )
            )
    if s.max_depth is not None:
        middle = path[1:-1] if reached else path[1:]
        count = sum(1 for f in middle if not f.self_issued)
        if count > s.max_depth:
            out.append(
                Problem(
                    C.PATH_LENGTH,
                    len(path) - 1,
                    f"is reached through {count} intermediate CAs, more than the {s.max_depth} allowed",
                    "use a shorter chain",
                )
            )
    return out
