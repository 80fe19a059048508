"""Rules for every certificate of a path: readable, known critical extensions, validity, profile, key.

Part of :mod:`certconv.trust._rules`; each problem a leniency excuses names it.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..base._dates import iso_utc
from ..base._enums import FailureCode, Leniency, Quirk, Validity
from ..pki._der import DerError, children, decode_oid, read_tlv
from ..pki._x509 import validity
from ._policy import REISSUE as _REISSUE
from ._policy import Facts, Problem, Settings

__all__ = ["check_certificate"]

C = FailureCode
L = Leniency
_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})  # CA/B Forum §6.1.5


def check_certificate(f: Facts, index: int, s: Settings, *, anchor: bool) -> list[Problem]:
    """Rules for every certificate of a path; computed once per certificate, moment and role."""
    key = ("certificate", anchor, s.at)
    found = f.memo.get(key)
    if found is None:
        found = f.memo[key] = tuple(_check_certificate(f, s, anchor=anchor))
    return [replace(p, index=index) for p in found] if index else list(found)


def _check_certificate(f: Facts, s: Settings, *, anchor: bool) -> list[Problem]:
    index = 0  # placed by check_certificate
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
    if f.quirks:
        out.append(
            Problem(
                C.PROFILE,
                index,
                f"is not strict DER ({'; '.join(q.text for q in f.quirks)}), so strict parsers (browsers, "
                "cryptography, Go) refuse it",
                _REISSUE,
                # Windows keeps certificate times as FILETIME, which starts in 1601: year 0 it cannot read.
                None if Quirk.YEAR_ZERO in f.quirks else L.LENIENT_DER,
            )
        )
    if cert.version is not x509.Version.v3:
        out.append(
            Problem(
                C.PROFILE,
                index,
                f"is an X.509 {'v2' if Quirk.X509_V2 in f.quirks else 'v1'} certificate, not v3",
                "reissue it as v3",
                # A v1 CA below the anchor fails as not-a-CA in any case (it has no basicConstraints).
                L.LEGACY_ROOT if anchor and f.self_signed else L.V1_END_ENTITY,
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
