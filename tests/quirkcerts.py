"""Certificates with the DER quirks real tools write, built by hand (each test makes its own).

Every certificate here is properly signed over its own TBS bytes, so a reader that
checks the signature over the original bytes finds it valid. The quirks:

* ``ecdsa-null``: ``ecdsa-with-SHA256`` with explicit NULL parameters (old JDK keytool);
* ``critical-false``: an extension that writes ``critical FALSE`` out (DER omits defaults);
* ``explicit-v1``: version ``[0] INTEGER 0`` written out (v1 is the default);
* ``ber-boolean``: BOOLEAN TRUE encoded as ``0x01`` instead of ``0xFF`` (basicConstraints' critical and cA);
* ``unsorted-set``: a multi-valued RDN whose SET OF is not in DER order;
* ``unique-ids``: an X.509 v2 certificate with issuer/subject unique identifiers;
* ``rsa-params``: an RSA signature algorithm whose parameters are an empty SEQUENCE, not NULL;
* ``printable``: a PrintableString holding ``_`` and ``@``, which PrintableString does not allow;
* ``year-zero``: notBefore in year 0 (GeneralizedTime ``00000101000000Z``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

QUIRKS = (
    "ecdsa-null",
    "critical-false",
    "explicit-v1",
    "ber-boolean",
    "unsorted-set",
    "unique-ids",
    "rsa-params",
    "printable",
    "year-zero",
)

_OID_ECDSA_SHA256 = b"\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02"
_OID_RSA_SHA256 = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
_OID_CN = b"\x06\x03\x55\x04\x03"
_OID_O = b"\x06\x03\x55\x04\x0a"
_OID_BC = b"\x06\x03\x55\x1d\x13"
_OID_KU = b"\x06\x03\x55\x1d\x0f"


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def name(cn: str, *, tag: int = 0x0C, o: str | None = None, unsorted: bool = False) -> bytes:
    """A Name; with ``o``, one RDN holding CN and O (``unsorted``: CN first, out of DER order)."""
    cn_atv = seq(_OID_CN, tlv(tag, cn.encode()))
    if o is None:
        return seq(tlv(0x31, cn_atv))
    o_atv = seq(_OID_O, tlv(0x0C, o.encode()))
    pair = sorted([cn_atv, o_atv])
    if unsorted:
        pair.reverse()
    return seq(tlv(0x31, b"".join(pair)))


def utc(moment: dt.datetime) -> bytes:
    return tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())


def extension(oid: bytes, value: bytes, *, critical: bytes | None = None) -> bytes:
    """``critical`` is the BOOLEAN's raw element (``None``: omitted, as DER wants for FALSE)."""
    return seq(oid, critical or b"", tlv(0x04, value))


def basic_constraints(ca: bool, *, boolean: bytes = b"\xff") -> bytes:
    """basicConstraints, critical; ``boolean`` is how TRUE is encoded (its critical flag and, for a CA, cA)."""
    return extension(_OID_BC, seq(tlv(0x01, boolean)) if ca else seq(), critical=tlv(0x01, boolean))


def key_usage_cert_sign() -> bytes:
    return extension(_OID_KU, tlv(0x03, b"\x01\x06"), critical=tlv(0x01, b"\xff"))  # keyCertSign, cRLSign


def make(
    key: PrivateKeyTypes,
    *,
    quirk: str | None = None,
    subject: str = "quirk",
    issuer: str | None = None,
    signer: PrivateKeyTypes | None = None,
    ca: bool = True,
    serial: int = 0x1234,
    not_before: dt.datetime | None = None,
    extra_extensions: Sequence[bytes] = (),
    v1: bool = False,
    raw_serial: bytes | None = None,
) -> bytes:
    """A DER certificate of ``key``, signed by ``signer`` (itself by default), with ``quirk``.

    ``v1``: a strict-DER X.509 v1 certificate (no version field, no extensions). ``raw_serial``:
    the serial's element as given (a BER long-form length no tolerant reader fixes).
    """
    signer = signer or key
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = not_before or now - dt.timedelta(days=1)
    if isinstance(signer, rsa.RSAPrivateKey):
        # rsa-params: parameters that are not NULL (an empty SEQUENCE)
        alg = seq(_OID_RSA_SHA256, seq() if quirk == "rsa-params" else tlv(0x05, b""))
    else:
        alg = seq(_OID_ECDSA_SHA256, tlv(0x05, b"") if quirk == "ecdsa-null" else b"")
    version = tlv(0xA0, integer(2))
    if quirk == "explicit-v1":
        version = tlv(0xA0, integer(0))
    elif quirk == "unique-ids":
        version = tlv(0xA0, integer(1))
    string_tag = 0x13 if quirk == "printable" else 0x0C
    subject_text = subject + ("_x@y" if quirk == "printable" else "")
    issuer_text = (issuer or subject) + ("_x@y" if quirk == "printable" and issuer is None else "")
    o = "Org" if quirk == "unsorted-set" else None
    subject_name = name(subject_text, tag=string_tag, o=o, unsorted=quirk == "unsorted-set")
    issuer_name = subject_name if issuer is None else name(issuer_text, o=None)
    validity = seq(
        tlv(0x18, b"00000101000000Z") if quirk == "year-zero" else utc(start),
        utc(now + dt.timedelta(days=365)),
    )
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    exts = list(extra_extensions)
    if v1:
        version = b""  # strict DER X.509 v1: no version field, no extensions
    if v1 or quirk in ("explicit-v1", "unique-ids"):
        exts = []
    else:
        if quirk == "ber-boolean":
            exts.insert(0, basic_constraints(ca, boolean=b"\x01"))
        else:
            exts.insert(0, basic_constraints(ca))
        if quirk == "critical-false":
            # subjectKeyIdentifier with critical FALSE written out
            exts.append(extension(b"\x06\x03\x55\x1d\x0e", tlv(0x04, b"\x01" * 20), critical=tlv(0x01, b"\x00")))
    parts = [version, raw_serial or integer(serial), alg, issuer_name, validity]
    parts += [subject_name, spki]
    if quirk == "unique-ids":
        parts += [tlv(0x81, b"\x00\xab\xcd"), tlv(0x82, b"\x00\x12\x34")]
    if exts:
        parts.append(tlv(0xA3, seq(*exts)))
    tbs = seq(*parts)
    return seq(tbs, alg, tlv(0x03, b"\x00" + sign(signer, tbs)))


def sign(signer: PrivateKeyTypes, data: bytes) -> bytes:
    if isinstance(signer, rsa.RSAPrivateKey):
        return signer.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(signer, ec.EllipticCurvePrivateKey):
        return signer.sign(data, ec.ECDSA(hashes.SHA256()))
    raise TypeError(type(signer).__name__)


def key_for(quirk: str | None) -> PrivateKeyTypes:
    if quirk == "rsa-params":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())
