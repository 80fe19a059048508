"""The rules a path must meet, as :class:`Problem` values worded for APIM's users.

Checked bottom-up as the path search extends a path (cryptography's verifier and
Go's do the same), so a candidate issuer that breaks a rule is known at once:

* :func:`check_certificate` (:mod:`certconv.trust._cert_rules`): every certificate
  (readable, no unknown critical extension, valid at the moment, X.509 v3, serial
  number, key strength, encodings);
* :func:`check_peer`: the certificate under test (usage for the purpose; its SAN and
  the host name in :mod:`certconv.trust._name_rules`);
* :func:`check_issuer`: a CA for everything below it (basicConstraints, keyUsage,
  EKU, path length, key identifiers; name constraints in :mod:`certconv.trust._name_rules`);
* :func:`check_path`: the finished path (signature algorithms, which depend on
  whether the root is private, and the depth limit).

Each problem a leniency excuses carries that leniency; the search decides by
policy whether it fails the path (``strict``) or is recorded as used (``apim``).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import SignatureAlgorithmOID as Sig

from ..base._enums import FailureCode, Leniency
from ..pki._names import EKU_NAMES, KEY_USAGE_NAMES
from ._cert_rules import check_certificate
from ._name_rules import name_constraints, peer_names
from ._policy import REISSUE as _REISSUE
from ._policy import Facts, Problem, Settings

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
    out += peer_names(f, s)
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
    out += name_constraints(path, index, s)
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
