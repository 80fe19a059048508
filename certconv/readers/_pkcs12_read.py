"""Reading a PKCS#12 file's certificates and key bag with certconv's own bounded code (RFC 7292).

``cryptography``'s ``load_pkcs12`` runs OpenSSL's RSA private-key consistency
check on every key it loads (about 37 ms for RSA-2048 here, most of what opening
a small PFX costs). ``split``, ``inspect`` and ``verify`` only match a key to its
certificate by its public half, so :func:`read_contents` opens the file itself:
the MAC is verified with the password first (a wrong password or a changed file
is never read further), the PBES2 ``encryptedData`` contents are decrypted with
what :class:`certconv.readers._pkcs12_open.Opening` already decrypted to bound them, and
each key bag is handed to ``load_der_private_key(...,
unsafe_skip_rsa_key_validation=True)``. Writing a key out (``convert`` to pfx,
keyvault, appservice, a PEM key) runs the full check (:func:`certconv.pki._x509.checked_key`).

Anything this reader does not follow returns ``None`` and the caller lets
``cryptography`` open the file as before: no MAC or a MAC over more than
:data:`MAX_MAC_ITERATIONS`, PBES1 (RC2/3DES) contents, BER, nested
``safeContentsBag``\\ s, other bag or certificate types, more than one key.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..pki import _der
from ._pkcs12 import DATA, ENCRYPTED_DATA, PBES2, SHROUDED_KEY_BAG, content_info, explicit_octets, oid_of
from ._pkcs12_open import Opening

__all__ = ["MAX_MAC_ITERATIONS", "Contents", "read_contents"]

MAX_MAC_ITERATIONS = 100_000
"""Most MAC iterations verified by the Python PKCS#12 KDF here (2,048, what OpenSSL and Windows write,
take about 2 ms); files asking for more are opened by ``cryptography``, in C."""

_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
_BMP_STRING = 0x1E
_SET = 0x31
_EXPLICIT_0 = 0xA0
_NULL = 0x05


@dataclass(frozen=True, slots=True)
class Contents:
    """What a PKCS#12 file holds: certificates (DER, friendly name), the key's first, and its keys."""

    certificates: tuple[tuple[bytes, str | None], ...]
    keys: tuple[PrivateKeyTypes, ...]


def read_contents(opening: Opening, password: bytes | None) -> Contents | None:
    """The certificates and keys of the file ``opening`` holds, or ``None`` when this reader does not follow it.

    ``opening.check_password(password)`` must have run (it bounds and decrypts the
    encrypted contents). Keys are loaded without the RSA consistency check.
    """
    try:
        if not _strict_frame(opening.data):
            return None
        # First: encrypted contents the password does not decrypt end here, before the MAC's key derivation.
        bags = _bags(opening, password)
    except (_der.DerError, IndexError):
        return None
    if bags is None or opening.mac(password, max_iterations=MAX_MAC_ITERATIONS) is not True:
        return None  # wrong password, no MAC, or a MAC this code does not check: cryptography decides
    certificates: list[tuple[bytes, str | None, bytes | None]] = []
    keys: list[tuple[bytes, bool, bytes | None]] = []
    try:
        for walker, bag in bags:
            fields = walker.children(bag, 2)
            bag_id = oid_of(walker, fields[0])
            attributes = _attributes(walker, fields[2]) if len(fields) > 2 else (None, None)
            value = walker.children(fields[1], 3)[0]
            if bag_id == _CERT_BAG:
                cert_id, cert_value = walker.children(value, 4)[:2]
                if oid_of(walker, cert_id) != _X509_CERTIFICATE:
                    return None
                certificates.append((walker.octets(explicit_octets(walker, cert_value, 5), 6), *attributes))
            elif bag_id in (_KEY_BAG, SHROUDED_KEY_BAG):
                encoded = walker.data[value.start : walker.end(value, 4)]
                keys.append((encoded, bag_id == SHROUDED_KEY_BAG, attributes[1]))
            else:
                return None  # CRL, secret or nested bags: cryptography's reading stays the reference
    except (_der.DerError, IndexError):
        return None
    if len(keys) > 1:
        return None
    loaded = []
    for encoded, shrouded, _ in keys:
        try:
            loaded.append(
                serialization.load_der_private_key(
                    encoded, (password or b"") if shrouded else None, unsafe_skip_rsa_key_validation=True
                )
            )
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return None
    # The certificate whose localKeyId is the key's comes first (cryptography's ``cert``).
    key_id = keys[0][2] if keys else None
    certificates.sort(key=lambda c: key_id is None or c[2] != key_id)
    return Contents(tuple((der, name) for der, name, _ in certificates), tuple(loaded))


def _strict_frame(data: bytes) -> bool:
    """Whether the parts the MAC does not cover are exactly what RFC 7292 §4 says, in DER.

    PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo (data, [0] OCTET STRING),
    macData SEQUENCE { DigestInfo { AlgorithmIdentifier, OCTET STRING }, macSalt OCTET STRING,
    iterations INTEGER } }. A bit flipped there must not load where ``cryptography`` refuses it.
    """
    pfx = _der.read_tlv(data)
    if pfx.tag != _der.SEQUENCE or pfx.end != len(data):
        return False
    version, auth_safe, mac_data = _exactly(data, pfx, [_der.INTEGER, _der.SEQUENCE, _der.SEQUENCE])
    if data[version.start : version.end] != b"\x02\x01\x03":
        return False
    _, explicit = _exactly(data, auth_safe, [_der.OID, _EXPLICIT_0])
    _exactly(data, explicit, [_der.OCTET_STRING])
    digest_info, _, _ = _exactly(data, mac_data, [_der.SEQUENCE, _der.OCTET_STRING, _der.INTEGER])
    algorithm, _ = _exactly(data, digest_info, [_der.SEQUENCE, _der.OCTET_STRING])
    fields = _der.children(data, algorithm, limit=3)
    if len(fields) == 2 and data[fields[1].start : fields[1].end] == b"\x05\x00":
        _exactly(data, algorithm, [_der.OID, _NULL])  # sha256 with NULL parameters, as OpenSSL writes
    else:
        _exactly(data, algorithm, [_der.OID])
    return True


def _exactly(data: bytes, parent: _der.Tlv, tags: list[int]) -> list[_der.Tlv]:
    """The children of ``parent``, which must be exactly ``tags``, definite, and fill it."""
    found = _der.children(data, parent, limit=len(tags) + 1)
    if [t.tag for t in found] != tags or found[-1].end is None or found[-1].end != parent.end:
        raise _der.DerError("not the PFX frame RFC 7292 describes")
    return found


def _bags(opening: Opening, password: bytes | None) -> list[tuple[_der.Walker, _der.Tlv]] | None:
    """Every SafeBag of the file, in order; ``None`` when a content is not one this reader decrypts."""
    w = _der.Walker(opening.data)
    pfx = w.children(w.tlv(0))
    content_type, content = content_info(w, pfx[1], 1)
    if content_type != DATA or content is None:
        return None
    inner = _der.Walker(w.octets(explicit_octets(w, content, 2), 3))
    found: list[tuple[_der.Walker, _der.Tlv]] = []
    encrypted_index = 0
    for info in inner.children(inner.tlv(0)):
        content_type, content = content_info(inner, info, 1)
        if content is None:
            continue
        if content.tag != _EXPLICIT_0:
            return None
        if content_type == DATA:
            plain = inner.octets(explicit_octets(inner, content, 2), 3)
        elif content_type == ENCRYPTED_DATA:
            # EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE { contentType,
            #                   contentEncryptionAlgorithm, [0] IMPLICIT encryptedContent } }
            info_fields = inner.children(inner.children(inner.children(content, 2)[0], 3)[1], 4)
            if len(info_fields) < 3 or oid_of(inner, inner.children(info_fields[1], 5)[0]) != PBES2:
                return None  # PBES1 (RC2, 3DES): cryptography opens it
            decrypted = opening.decrypted_contents(encrypted_index, password)
            encrypted_index += 1
            if not decrypted:
                return None
            plain = decrypted
        else:
            return None
        bags = _der.Walker(plain)
        found.extend((bags, bag) for bag in bags.children(bags.tlv(0), 1))
    return found


def _attributes(w: _der.Walker, attributes: _der.Tlv) -> tuple[str | None, bytes | None]:
    """friendlyName and localKeyId of a bag (PKCS #9); others are ignored."""
    if attributes.tag != _SET:
        raise _der.DerError("expected bag attributes")
    name = key_id = None
    for attribute in w.children(attributes, 3):
        attr_id, values = w.children(attribute, 4)[:2]
        first = w.children(values, 5)[0]
        oid = oid_of(w, attr_id)
        if oid == _FRIENDLY_NAME and first.tag == _BMP_STRING:
            name = first.value(w.data).decode("utf-16-be", "replace")
        elif oid == _LOCAL_KEY_ID:
            key_id = first.value(w.data)
    return name, key_id
