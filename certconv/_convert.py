"""One bundle in, one file out: the conversions people otherwise do with ``openssl``.

``der``/``pem`` re-encode a single certificate, ``p7b`` packs every certificate
into one PKCS#7, ``fullchain``/``chain`` write the PEM a web server wants, and
``pfx`` builds a PKCS#12 from a certificate, its private key and its chain.

A private key is written only on request (``include_key`` for PEM) or inside a
password-protected PKCS#12, and a file holding a key is created with mode 0600;
where that does not keep others out (Windows, FAT), a note says so and what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from ._api import InputLike, load
from ._atomic import restricts_to_owner, write_files
from ._enums import Form, Format, coerce, values
from ._errors import (
    ConversionError,
    KeyMismatchError,
    NewPasswordRequiredError,
    UnsafeOutputError,
)
from ._model import Bundle, Certificate
from ._password import password_bytes
from ._read import DEFAULT_MAX_INPUT_SIZE
from ._text import fit, ljust, printable, width
from ._x509 import key_spki, public_key_spki

__all__ = ["CONVERT_TARGETS", "Conversion", "conversion_summary", "convert", "convert_bundle", "write_convert"]

CONVERT_TARGETS = values(Form)
"""What ``to`` may be: the values of :class:`Form`."""

_KEY_MODE = 0o600
_CERT_MODE = 0o644
# PBKDF2 rounds of a modern PFX: cryptography's BestAvailableEncryption uses the same,
# and Windows, OpenSSL 3 and Java read it. The MAC keeps OpenSSL's 2048 iterations.
_PBKDF2_ROUNDS = 20_000
# ``openssl pkcs12 -export -legacy`` and old Windows: 3DES for keys and certificates, SHA-1 MAC.
_LEGACY_ROUNDS = 2048

_MODERN = "AES-256-CBC (PBES2, PBKDF2-HMAC-SHA256, 20,000 rounds), SHA-256 MAC"
_LEGACY = "3DES (pbeWithSHA1And3-KeyTripleDES-CBC, 2,048 rounds), SHA-1 MAC"
_CLEAR_CERTS = "none: certificates in the clear, SHA-256 MAC over the empty password"
_PEM_KEY = "PKCS#8, AES-256-CBC (PBES2)"

_PKCS12_KEY_TYPES = (
    rsa.RSAPrivateKey,
    dsa.DSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


@dataclass(frozen=True, slots=True)
class Conversion:
    """One converted file: what is in it and how it is protected.

    Attributes:
        to: The :class:`Form` written: one of :data:`CONVERT_TARGETS`.
        format: :class:`Format` ``der`` or ``pem``: how the file is encoded (a PFX is ``der``).
        certificates: The certificates written, in file order.
        key_included: The file holds a private key.
        encryption: How the PKCS#12 (or the PEM key) is protected; ``None``
            when the file holds nothing secret.
        notes: Things worth telling the user, e.g. a key that was left out.
        bundle: The bundle the file was made from (its ``warnings`` apply).
        data: The file's bytes (never shown in a repr).
        out: Where it was written; ``None`` until :func:`write_convert` writes it.
        owner_only: For a written file holding a key: whether its permissions,
            read back after writing, keep other users out (never on Windows,
            where ``chmod`` only sets the read-only flag); else ``None``.
    """

    to: Form
    format: Format
    certificates: tuple[Certificate, ...]
    key_included: bool
    encryption: str | None
    notes: tuple[str, ...]
    bundle: Bundle = field(repr=False)
    data: bytes = field(repr=False)
    out: str | None = None
    owner_only: bool | None = None

    @property
    def mode(self) -> int:
        """The permission bits the file is created with: 0600 with a key, else 0644."""
        return _KEY_MODE if self.key_included else _CERT_MODE


def convert(
    inputs: InputLike | Sequence[InputLike],
    out: str | PathLike[str] | None,
    *,
    to: Form | str,
    password: str | bytes | None = None,
    new_password: str | bytes | None = None,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    legacy: bool = False,
    include_key: bool = False,
    force: bool = False,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
) -> Conversion:
    """Load ``inputs`` and write them as one file ``out`` in the form ``to``.

    Like ``write_convert(load(inputs, ...), out, ...)``, except that an input may
    hold a private key alone (a ``.key`` file beside its certificate); ``password``
    opens PKCS#12 files and encrypted keys. See :func:`convert_bundle` for the
    other arguments. Nothing is written when anything fails. ``out=None`` writes
    nothing: the bytes are in the result's ``data`` (``certconv convert --out -``
    sends them to standard output).

    Raises:
        CertconvError: a subclass saying what is wrong: the inputs
            (:class:`InputError`), the conversion (:class:`ConversionError`,
            :class:`KeyMismatchError`, :class:`NewPasswordRequiredError`) or the
            output (:class:`OutputError`).
    """
    _check_options(to, format=format, new_password=new_password, legacy=legacy, include_key=include_key)
    bundle = load(inputs, password=password, at=at, max_input_size=max_input_size, keys_alone=True)
    if out is None:
        return convert_bundle(
            bundle, to=to, new_password=new_password, format=format, legacy=legacy, include_key=include_key
        )
    return write_convert(
        bundle,
        out,
        to=to,
        new_password=new_password,
        format=format,
        legacy=legacy,
        include_key=include_key,
        force=force,
    )


def write_convert(
    bundle: Bundle,
    out: str | PathLike[str],
    *,
    to: Form | str,
    new_password: str | bytes | None = None,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    legacy: bool = False,
    include_key: bool = False,
    force: bool = False,
) -> Conversion:
    """Convert ``bundle`` (see :func:`convert_bundle`) and write the file ``out``.

    The file is created with mode 0600 when it holds a private key, else 0644;
    its folder is created when missing. When the platform cannot keep others
    from reading a key file, ``owner_only`` is false and a note says what to do.

    Raises:
        OutputExistsError: ``out`` exists and ``force`` is false. Nothing is written.
        UnsafeOutputError: ``out`` is a folder, its folder is unusable, or it is
            named ``-`` (a file nobody means to create: ``convert(..., out=None)``
            gives the bytes instead).
        ConversionError: see :func:`convert_bundle`.
    """
    if Path(out).name == "-":
        raise UnsafeOutputError(
            "a file named - is not written: pass out=None for the bytes (the command line's --out - "
            "writes them to standard output)",
            path=str(out),
        )
    conversion = convert_bundle(
        bundle, to=to, new_password=new_password, format=format, legacy=legacy, include_key=include_key
    )
    path = Path(out)
    if not path.name or path.name in (".", ".."):
        raise UnsafeOutputError("is not a file name; give the file to write, e.g. --out backend.pfx", path=str(out))
    notes = write_files(path.parent, {path.name: conversion.data}, force=force, mode=conversion.mode)
    owner_only = restricts_to_owner(path) if conversion.key_included else None
    if owner_only is False:
        notes = (*notes, _unprotected_note(conversion, str(out)))
    return dataclasses.replace(conversion, out=str(out), notes=(*conversion.notes, *notes), owner_only=owner_only)


def _unprotected_note(conversion: Conversion, out: str) -> str:
    why = "this platform cannot restrict the file to you (on Windows it keeps its folder's permissions)"
    if conversion.encryption:
        return f"{out} holds a private key protected by its password alone: {why}; keep it in a folder only you read"
    return (
        f"{out} holds an unencrypted private key and {why}: move it to a folder only you can read, "
        "or write it again with a new password to encrypt the key"
    )


def convert_bundle(
    bundle: Bundle,
    *,
    to: Form | str,
    new_password: str | bytes | None = None,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    legacy: bool = False,
    include_key: bool = False,
) -> Conversion:
    """The bytes of ``bundle`` in the form ``to``, without writing anything.

    Args:
        bundle: What :func:`certconv.load` returned.
        to: ``der`` or ``pem``: the one certificate of the bundle re-encoded.
            ``p7b``: every certificate in one PKCS#7 (in DER's sorted order, as
            the SET OF certificates requires; readers chain them by name).
            ``fullchain``: leaf then intermediates as PEM (no root), what nginx and
            Kubernetes want. ``chain``: the intermediates alone. ``pfx``: the
            certificate with the private key, its key and its chain in a new
            PKCS#12, or a certificate-only PKCS#12 when the bundle has no key.
        new_password: Password of the new PKCS#12 (required when it holds a key;
            a certificate-only one without it uses the empty password), or of
            the private key written with ``include_key``.
        format: ``der`` (default, as Windows writes ``.p7b``) or ``pem``; for
            ``p7b`` only.
        legacy: For ``pfx``: 3DES and a SHA-1 MAC for old Windows Server instead
            of AES-256 and SHA-256.
        include_key: For ``pem`` and ``fullchain``: append the private key of the
            leaf (PKCS#8; encrypted when ``new_password`` is given).

    Returns:
        The :class:`Conversion`, its ``data`` ready to write.

    Raises:
        ConversionError: the bundle does not fit ``to`` (several certificates
            for ``der``/``pem``, no leaf for ``fullchain``…), or the options
            contradict each other.
        KeyMismatchError: the private key does not belong to the leaf.
        NewPasswordRequiredError: a PKCS#12 would hold a key without a password.
    """
    to, fmt = _check_options(to, format=format, new_password=new_password, legacy=legacy, include_key=include_key)
    secret = password_bytes(new_password, what="new password")
    if to in (Form.DER, Form.PEM):
        return _single(bundle, to, secret, include_key=include_key)
    if to is Form.P7B:
        return _p7b(bundle, fmt or Format.DER)
    if to in (Form.FULLCHAIN, Form.CHAIN):
        return _pem_chain(bundle, to, secret, include_key=include_key)
    return _pfx(bundle, secret, legacy=legacy)


def _check_options(
    to: str,
    *,
    format: str | None,  # noqa: A002 - the word users know from --format
    new_password: str | bytes | None,
    legacy: bool,
    include_key: bool,
) -> tuple[Form, Format | None]:
    """``to`` and ``format`` as members, once every option is known to fit the others."""
    form = coerce(Form, to, "to")
    fmt = None if format is None else coerce(Format, format, "format")
    if format is not None and form is not Form.P7B:
        raise ConversionError(f"--format applies to --to p7b only; --to {to} decides the encoding itself")
    if legacy and form is not Form.PFX:
        raise ConversionError("--legacy applies to --to pfx only")
    if include_key and form in (Form.DER, Form.P7B, Form.CHAIN):
        raise ConversionError(
            f"--include-key cannot be used with --to {to}: it holds no private key (use --to pem, fullchain or pfx)"
        )
    password_bytes(new_password, what="new password")  # refused before any input is read
    if new_password is not None and form is not Form.PFX and not include_key:
        raise ConversionError(
            f"--new-password protects a private key, and --to {to} writes none (add --include-key for PEM)"
        )
    return form, fmt


# -- the forms -------------------------------------------------------------------------


def _single(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool) -> Conversion:
    if len(bundle.certificates) != 1:
        raise ConversionError(
            f"input holds {len(bundle.certificates)} certificates and --to {to} writes one: "
            "use `certconv split` for one file each, or --to p7b (or fullchain) for all in one file"
        )
    cert = bundle.certificates[0]
    notes: list[str] = []
    if to is Form.DER:
        data = cert.der
        if bundle.private_keys:
            notes.append("the input's private key was not written (a DER certificate cannot hold one)")
        return Conversion(Form.DER, Format.DER, (cert,), False, None, tuple(notes), bundle, data)
    data = cert.x509.public_bytes(serialization.Encoding.PEM)
    encryption = None
    if include_key:
        key = _key_of(bundle, cert)
        data += _pem_key(key, secret)
        encryption = _PEM_KEY if secret else None
    elif bundle.private_keys:
        notes.append("the input's private key was not written (add --include-key to append it)")
    return Conversion(Form.PEM, Format.PEM, (cert,), include_key, encryption, tuple(notes), bundle, data)


def _p7b(bundle: Bundle, fmt: Format) -> Conversion:
    certs = _ordered(bundle)
    encoding = serialization.Encoding.PEM if fmt is Format.PEM else serialization.Encoding.DER
    data = pkcs7.serialize_certificates([c.x509 for c in certs], encoding)
    # DER sorts a SET OF by encoding, so the file's order is not the chain's: report the real one.
    # Sorted here rather than read back from the file: OpenSSL's PKCS#7 parser refuses certificates
    # certconv read (ValueError) and re-warns about ones it already warned about (found by fuzzing).
    in_file = tuple(sorted(certs, key=lambda c: c.der))
    notes = ("the input's private key was not written (a PKCS#7 file cannot hold one)",) if bundle.private_keys else ()
    return Conversion(Form.P7B, fmt, in_file, False, None, notes, bundle, data)


def _pem_chain(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool) -> Conversion:
    path = _leaf_path(bundle, to)
    leaf = path[0]
    # Servers send the leaf and the intermediates; the client has the root already.
    sent = tuple(c for c in path if c is leaf or not c.self_signed)
    certs = sent if to is Form.FULLCHAIN else sent[1:]
    if not certs:
        why = "is self-signed" if leaf.self_signed else "is issued directly by the root"
        raise ConversionError(
            f"'{leaf.common_name}' {why}: there is no intermediate certificate to write (use --to fullchain or pem)"
        )
    # An incomplete chain is written as far as it goes; the bundle's missing-issuer warning says so.
    notes: list[str] = []
    data = b"".join(c.x509.public_bytes(serialization.Encoding.PEM) for c in certs)
    encryption = None
    if include_key:
        data += _pem_key(_key_of(bundle, leaf), secret)
        encryption = _PEM_KEY if secret else None
    elif bundle.private_keys and to is Form.FULLCHAIN:
        notes.append("the input's private key was not written (add --include-key to append it)")
    return Conversion(to, Format.PEM, certs, include_key, encryption, tuple(notes), bundle, data)


def _pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool) -> Conversion:
    if not bundle.private_keys:
        return _certificate_only_pfx(bundle, secret, legacy=legacy)
    leaf = _pfx_subject(bundle)
    key = _key_of(bundle, leaf)
    if not isinstance(key, _PKCS12_KEY_TYPES):
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    if not secret:
        raise NewPasswordRequiredError(
            "a PFX with a private key needs a password: give --new-password-file, --new-password-env "
            "or --new-password (an empty password does not protect the key)"
        )
    path = _path_from(bundle, leaf)
    data = pkcs12.serialize_key_and_certificates(
        _friendly_name(leaf),
        key,
        leaf.x509,
        [pkcs12.PKCS12Certificate(c.x509, _friendly_name(c)) for c in path[1:]],
        _pkcs12_encryption(secret, legacy=legacy),
    )
    notes: list[str] = []
    left_out = [c for c in bundle.certificates if c not in path]
    if left_out:
        notes.append(
            f"{len(left_out)} certificate{'s' if len(left_out) != 1 else ''} not in the chain of "
            f"'{leaf.common_name}' left out"
        )
    encryption = _LEGACY if legacy else _MODERN
    return Conversion(Form.PFX, Format.DER, path, True, encryption, tuple(notes), bundle, data)


def _certificate_only_pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool) -> Conversion:
    certs = _ordered(bundle)
    encryption: serialization.KeySerializationEncryption
    if secret:
        encryption = _pkcs12_encryption(secret, legacy=legacy)
        described = _LEGACY if legacy else _MODERN
    elif legacy:
        raise ConversionError("--legacy encryption needs a password: give --new-password-file or --new-password-env")
    else:
        # What the APIM self-hosted gateway and Java truststores take: no key, empty password.
        encryption = serialization.NoEncryption()
        described = _CLEAR_CERTS
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [pkcs12.PKCS12Certificate(c.x509, _friendly_name(c)) for c in certs], encryption
    )
    notes = ("the input has no private key: this PFX holds certificates only",)
    return Conversion(Form.PFX, Format.DER, certs, False, described, notes, bundle, data)


# -- helpers ---------------------------------------------------------------------------


def _pkcs12_encryption(secret: bytes, *, legacy: bool) -> serialization.KeySerializationEncryption:
    builder = serialization.PrivateFormat.PKCS12.encryption_builder()
    if legacy:
        builder = (
            builder.kdf_rounds(_LEGACY_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303 - old Windows Server reads nothing else
        )
    else:
        builder = (
            builder.kdf_rounds(_PBKDF2_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
        )
    return builder.build(secret)


def _pem_key(key: PrivateKeyTypes, secret: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _friendly_name(cert: Certificate) -> bytes:
    return (cert.friendly_name or cert.common_name).encode("utf-8")


def _ordered(bundle: Bundle) -> tuple[Certificate, ...]:
    """Every certificate once: each chain leaf first, then the rest in bundle order."""
    seen: dict[Certificate, None] = {}
    for chain in bundle.chains:
        seen.update(dict.fromkeys(chain.certificates))
    seen.update(dict.fromkeys(bundle.certificates))
    return tuple(seen)


def _path_from(bundle: Bundle, cert: Certificate) -> tuple[Certificate, ...]:
    """``cert`` and its issuers found in the bundle, up to the top."""
    for chain in bundle.chains:
        if chain.leaf == cert:
            return chain.certificates
    path = [cert]
    while path[-1].issuer_sha1 is not None and len(path) <= len(bundle.certificates):
        issuer = bundle.by_sha1(path[-1].issuer_sha1)
        if issuer in path:
            break
        path.append(issuer)
    return tuple(path)


def _leaf_path(bundle: Bundle, to: str) -> tuple[Certificate, ...]:
    """The one end-entity chain of the bundle (the one with the key, if several)."""
    chains = bundle.chains
    if len(chains) > 1:
        chains = tuple(c for c in chains if c.leaf.has_private_key) or chains
    if len(chains) == 1:
        return chains[0].certificates
    if not chains:
        raise ConversionError(
            f"input holds no end-entity certificate, only CA certificates: --to {to} needs the server's "
            "certificate (use --to p7b or `certconv split` for CA certificates)"
        )
    names = ", ".join(f"'{c.leaf.common_name}'" for c in chains)
    raise ConversionError(
        f"input holds {len(chains)} end-entity certificates ({names}): convert one at a time, "
        "or give the private key of the one you want"
    )


def _pfx_subject(bundle: Bundle) -> Certificate:
    """The certificate the PFX's key belongs to; refuses a key that fits another one."""
    keyed = [c for c in bundle.certificates if c.has_private_key]
    if bundle.chains:
        try:
            leaf = _leaf_path(bundle, Form.PFX)[0]
        except ConversionError:
            if len(keyed) == 1:
                leaf = keyed[0]
            else:
                raise
        if not leaf.has_private_key:
            owner = f"it belongs to '{keyed[0].common_name}'" if keyed else "it belongs to no certificate of the input"
            raise KeyMismatchError(
                f"the private key does not match the leaf '{leaf.common_name}' ({owner}); give the key "
                f"that was made with this certificate's request"
            )
        return leaf
    if len(keyed) == 1:
        return keyed[0]
    if not keyed:
        raise KeyMismatchError(
            "the private key matches no certificate of the input; give the key that belongs to the certificate"
        )
    raise ConversionError(f"input holds private keys of {len(keyed)} certificates: convert one at a time")


def _key_of(bundle: Bundle, cert: Certificate) -> PrivateKeyTypes:
    """The private key whose public half is ``cert``'s public key."""
    wanted = public_key_spki(cert.x509)
    if wanted is None:
        raise KeyMismatchError(
            f"the public key of '{cert.common_name}' is of a type or encoding certconv cannot read, "
            "so no private key can be matched to it"
        )
    for key in bundle.private_keys:
        if key_spki(key) == wanted:
            return key
    if bundle.private_keys:
        raise KeyMismatchError(
            f"the private key does not match '{cert.common_name}'; give the key that belongs to this certificate"
        )
    raise ConversionError(
        f"--include-key: the input has no private key for '{cert.common_name}' "
        "(add the key file as another input, or the PFX that holds it)"
    )


# -- text for people -------------------------------------------------------------------

_DESCRIPTIONS = {
    Form.DER: "DER certificate",
    Form.PEM: "PEM certificate",
    Form.FULLCHAIN: "PEM full chain (leaf, then intermediates)",
    Form.CHAIN: "PEM chain (intermediates only)",
}


def conversion_summary(conversion: Conversion, *, encoding: str | None = None) -> str:
    """What ``certconv convert`` prints: the file, its form, what is in it, and notes.

    ``encoding`` is the encoding the text will be written in (the CLI passes its
    stdout's): characters it lacks are ASCII symbols or escapes, columns stay aligned.
    """

    if conversion.to == "p7b":
        what = f"PKCS#7 ({conversion.format.upper()})"
    elif conversion.to == "pfx":
        what = "PKCS#12 with private key" if conversion.key_included else "PKCS#12, certificates only"
    else:
        what = _DESCRIPTIONS[conversion.to] + (" with private key" if conversion.key_included else "")
    count = len(conversion.certificates)
    out = printable(conversion.out or "(not written)")
    lines = [f"Wrote {out}: {what}, {count} certificate{'s' if count != 1 else ''}"]
    if conversion.encryption:
        lines.append(f"  protection: {conversion.encryption}")
    if conversion.key_included and conversion.owner_only:
        lines.append(f"  file mode: {conversion.mode:04o} (holds a private key)")
    rows = [
        tuple(fit(cell, encoding) for cell in (c.role.value, printable(c.common_name), f"{c.not_after:%Y-%m-%d}"))
        for c in conversion.certificates
    ]
    widths = [max(width(r[i]) for r in rows) for i in range(3)]
    lines += [
        "  " + "  ".join(ljust(cell, w) for cell, w in zip(r, widths, strict=True)) + "  " + c.sha1
        for r, c in zip(rows, conversion.certificates, strict=True)
    ]
    lines += [f"note: {printable(n)}" for n in conversion.notes]
    if conversion.bundle.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w.code}: {printable(w.message)}" for w in conversion.bundle.warnings]
    return fit("\n".join(lines), encoding)
