"""One bundle in, one file out: the conversions people otherwise do with ``openssl``.

``der``/``pem`` re-encode a single certificate, ``p7b`` packs every certificate
into one PKCS#7, ``fullchain``/``chain`` write the PEM a web server wants, and
``pfx`` builds a PKCS#12 from a certificate, its private key and its chain,
``truststore`` a PKCS#12 Java reads as trusted certificates, and ``keyvault`` the
PEM ``az keyvault certificate import`` takes. ``only``/``sha1`` narrow the
certificates any form uses (:mod:`certconv._select`).

A private key is written only on request (``include_key`` for PEM, or a form
that exists to carry one: ``pfx``, ``keyvault``), and a file holding a key is
created with mode 0600;
where that does not keep others out (Windows, FAT), a note says so and what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from ._api import InputLike, load
from ._atomic import restricts_to_owner, write_files
from ._enums import Form, Format, PfxProfile, coerce, values
from ._errors import (
    ConversionError,
    KeyMismatchError,
    NewPasswordRequiredError,
    Option,
    UnsafeOutputError,
    UsageError,
    hint,
)
from ._model import Bundle, Certificate, Role
from ._password import password_bytes
from ._read import DEFAULT_MAX_INPUT_SIZE
from ._select import Selection, check_selection, select
from ._truststore import java_truststore
from ._x509 import key_spki, public_key_spki, read_extension

__all__ = ["CONVERT_TARGETS", "Conversion", "convert", "convert_bundle", "write_convert"]

CONVERT_TARGETS = values(Form)
"""What ``to`` may be: the values of :class:`Form`."""

PFX_PROFILES = values(PfxProfile)
"""What ``profile`` may be (for ``to="pfx"``): ``appservice``, the PFX Azure App Service requires."""

# Microsoft, "Add and manage TLS/SSL certificates in Azure App Service", Private certificate
# requirements: a password-protected PFX encrypted with triple DES, a private key of at least
# 2048 bits, and every intermediate and the root of the chain.
APP_SERVICE_DOC = (
    "https://learn.microsoft.com/azure/app-service/configure-ssl-certificate#private-certificate-requirements"
)
# Microsoft, "Get started with Key Vault certificates", Formats of Import we support: a PEM file
# with the certificate and a PKCS#8, unencrypted key, and no other metadata in the file.
KEY_VAULT_PEM_DOC = (
    "https://learn.microsoft.com/azure/key-vault/certificates/certificate-scenarios#formats-of-import-we-support"
)
_APP_SERVICE_MIN_RSA = 2048
_ROOT_HINT_OPTIONS = (Option.INCLUDE_ROOT, Option.ONLY, Option.SHA1)

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

# Key Vault exports (and so imports for certificates) RSA and EC keys only
# ("About Azure Key Vault certificates": exportable keys are allowed only with RSA and EC).
_KEY_VAULT_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)

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
        profile: For ``pfx``: the profile it was made for (``appservice``), or ``None``.
        scripts: The import scripts written beside ``out`` (``emit``), by file name.
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
    profile: PfxProfile | None = None
    scripts: tuple[str, ...] = ()

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
    include_root: bool = False,
    include_leaf: bool = False,
    profile: PfxProfile | str | None = None,
    only: str | Sequence[str] | None = None,
    sha1: str | Sequence[str] | None = None,
    emit: str | Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
) -> Conversion:
    """Load ``inputs`` and write them as one file ``out`` in the form ``to``.

    Like ``write_convert(load(inputs, ...), out, ...)``, except that an input may
    hold a private key alone (a ``.key`` file beside its certificate); ``password``
    opens PKCS#12 files and encrypted keys. See :func:`convert_bundle` and
    :func:`write_convert` for the other arguments. Nothing is written when
    anything fails. ``out=None`` writes
    nothing: the bytes are in the result's ``data`` (``certconv convert --out -``
    sends them to standard output).

    Raises:
        CertconvError: a subclass saying what is wrong: the inputs
            (:class:`InputError`), the conversion (:class:`ConversionError`,
            :class:`KeyMismatchError`, :class:`NewPasswordRequiredError`) or the
            output (:class:`OutputError`); :class:`UsageError` for options the
            call does not take.
    """
    _check_options(
        to,
        format=format,
        new_password=new_password,
        legacy=legacy,
        include_key=include_key,
        include_root=include_root,
        include_leaf=include_leaf,
        profile=profile,
        only=only,
        sha1=sha1,
        emit=emit,
    )
    bundle = load(inputs, password=password, at=at, max_input_size=max_input_size, keys_alone=True)
    if out is None:
        if emit:
            raise UsageError("emit writes import scripts beside the file: give out, not out=None (standard output)")
        return convert_bundle(
            bundle,
            to=to,
            new_password=new_password,
            format=format,
            legacy=legacy,
            include_key=include_key,
            include_root=include_root,
            include_leaf=include_leaf,
            profile=profile,
            only=only,
            sha1=sha1,
        )
    return write_convert(
        bundle,
        out,
        to=to,
        new_password=new_password,
        format=format,
        legacy=legacy,
        include_key=include_key,
        include_root=include_root,
        include_leaf=include_leaf,
        profile=profile,
        only=only,
        sha1=sha1,
        emit=emit,
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
    include_root: bool = False,
    include_leaf: bool = False,
    profile: PfxProfile | str | None = None,
    only: str | Sequence[str] | None = None,
    sha1: str | Sequence[str] | None = None,
    emit: str | Sequence[str] = (),
    force: bool = False,
) -> Conversion:
    """Convert ``bundle`` (see :func:`convert_bundle`) and write the file ``out``.

    The file is created with mode 0600 when it holds a private key, else 0644;
    its folder is created when missing. When the platform cannot keep others
    from reading a key file, ``owner_only`` is false and a note says what to do.

    Args:
        emit: ``azcli`` and/or ``powershell`` (``"azcli,powershell"`` or a
            list): also write the script that imports ``out`` into Azure, beside
            it: ``az keyvault certificate import`` / ``Import-AzKeyVaultCertificate``
            for ``keyvault`` and ``pfx``, ``az webapp config ssl upload`` /
            ``New-AzWebAppSSLBinding`` for ``pfx`` with ``profile="appservice"``.
            The scripts are written with the file, all or nothing.

    Raises:
        OutputExistsError: ``out`` (or a script) exists and ``force`` is false. Nothing is written.
        UnsafeOutputError: ``out`` is a folder, its folder is unusable, or it is
            named ``-`` (a file nobody means to create: ``convert(..., out=None)``
            gives the bytes instead).
        ConversionError: see :func:`convert_bundle`.
    """
    if Path(out).name == "-":
        raise UnsafeOutputError(
            "a file named - is not written",
            path=str(out),
            hint=hint("pass {} None for the bytes", Option.OUT),
        )
    from ._import_scripts import check_emit, render_import_scripts

    languages = check_emit(emit, to=coerce(Form, to, "to"))
    conversion = convert_bundle(
        bundle,
        to=to,
        new_password=new_password,
        format=format,
        legacy=legacy,
        include_key=include_key,
        include_root=include_root,
        include_leaf=include_leaf,
        profile=profile,
        only=only,
        sha1=sha1,
    )
    path = Path(out)
    if not path.name or path.name in (".", ".."):
        raise UnsafeOutputError(
            "is not a file name", path=str(out), hint=hint("give the file to write with {}", Option.OUT)
        )
    scripts = {}
    if languages:
        scripts = render_import_scripts(
            path.name,
            languages,
            to=conversion.to,
            profile=conversion.profile,
            key_included=conversion.key_included,
            leaf=conversion.certificates[0],
        )
    notes = write_files(path.parent, {path.name: conversion.data, **scripts}, force=force, mode=conversion.mode)
    owner_only = restricts_to_owner(path) if conversion.key_included else None
    if owner_only is False:
        notes = (*notes, _unprotected_note(conversion, str(out)))
    return dataclasses.replace(
        conversion, out=str(out), scripts=tuple(scripts), notes=(*conversion.notes, *notes), owner_only=owner_only
    )


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
    include_root: bool = False,
    include_leaf: bool = False,
    profile: PfxProfile | str | None = None,
    only: str | Sequence[str] | None = None,
    sha1: str | Sequence[str] | None = None,
) -> Conversion:
    """The bytes of ``bundle`` in the form ``to``, without writing anything.

    Args:
        bundle: What :func:`certconv.load` returned.
        to: ``der`` or ``pem``: the one certificate of the bundle re-encoded.
            ``p7b``: every certificate in one PKCS#7 (in DER's sorted order, as
            the SET OF certificates requires; readers chain them by name).
            ``fullchain``: leaf then intermediates as PEM (no root unless
            ``include_root``), what nginx and Kubernetes want. ``chain``: the
            intermediates alone. ``pfx``: the certificate with the private key,
            its key and its intermediates (the root too with ``include_root``)
            in a new PKCS#12, or a certificate-only PKCS#12 of every certificate
            when the bundle has no key. ``truststore``: the CA certificates
            (roots and intermediates; leaves too with ``include_leaf``) as a
            PKCS#12 Java reads as ``trustedCertEntry`` entries.
            ``keyvault``: the PEM Key Vault imports: the leaf's private key
            (PKCS#8, unencrypted), the leaf, its intermediates (and the root
            with ``include_root``).
        new_password: Password of the new PKCS#12 (required when it holds a key;
            a certificate-only one or a truststore without it uses the empty
            password), or of the private key written with ``include_key``.
        format: ``der`` (default, as Windows writes ``.p7b``) or ``pem``; for
            ``p7b`` only.
        legacy: For ``pfx`` and ``truststore``: 3DES and a SHA-1 MAC for old
            Windows Server instead of AES-256 and SHA-256.
        include_key: For ``pem`` and ``fullchain``: append the private key of the
            leaf (PKCS#8; encrypted when ``new_password`` is given).
        include_root: For ``fullchain``, ``chain``, ``pfx`` and ``keyvault``: add
            the root at the end of the chain.
        include_leaf: For ``truststore``: trust the end-entity certificates too.
        profile: For ``pfx``: ``appservice`` writes what Azure App Service
            requires: 3DES, the whole chain with its root, an RSA key of 2048
            bits or more (:data:`APP_SERVICE_DOC`).
        only: Use only certificates of these roles: ``"root,intermediate"`` or
            a list of ``root``, ``intermediate``, ``leaf``.
        sha1: Use only the certificates with these SHA-1 thumbprints (one or a
            list; any case, colons allowed). With ``only``, a certificate must
            match both.

    Returns:
        The :class:`Conversion`, its ``data`` ready to write.

    Raises:
        ConversionError: the bundle does not fit ``to`` (several certificates
            for ``der``/``pem``, no leaf for ``fullchain``…), the selection keeps
            no certificate, or the options contradict each other.
        KeyMismatchError: the private key does not belong to the leaf.
        NewPasswordRequiredError: a PKCS#12 would hold a key without a password.
        UsageError: an unknown form, profile, role or a malformed thumbprint.
    """
    form, fmt, pfx_profile, selection = _check_options(
        to,
        format=format,
        new_password=new_password,
        legacy=legacy,
        include_key=include_key,
        include_root=include_root,
        include_leaf=include_leaf,
        profile=profile,
        only=only,
        sha1=sha1,
    )
    secret = password_bytes(new_password, what="new password")
    chosen = select(bundle, selection)
    conversion = _form(
        chosen,
        form,
        secret,
        fmt=fmt,
        legacy=legacy,
        include_key=include_key,
        include_root=include_root,
        include_leaf=include_leaf,
        profile=pfx_profile,
    )
    if not selection.everything:
        note = f"{selection.describe()}: {len(chosen.certificates)} of {len(bundle.certificates)} certificates selected"
        conversion = dataclasses.replace(conversion, notes=(note, *conversion.notes), bundle=bundle)
    return conversion


def _form(
    bundle: Bundle,
    to: Form,
    secret: bytes | None,
    *,
    fmt: Format | None,
    legacy: bool,
    include_key: bool,
    include_root: bool,
    include_leaf: bool,
    profile: PfxProfile | None,
) -> Conversion:
    if to in (Form.DER, Form.PEM):
        return _single(bundle, to, secret, include_key=include_key)
    if to is Form.P7B:
        return _p7b(bundle, fmt or Format.DER)
    if to in (Form.FULLCHAIN, Form.CHAIN):
        return _pem_chain(bundle, to, secret, include_key=include_key, include_root=include_root)
    if to is Form.TRUSTSTORE:
        return _truststore(bundle, secret, legacy=legacy, include_leaf=include_leaf)
    if to is Form.KEYVAULT:
        return _keyvault(bundle, include_root=include_root)
    if profile is PfxProfile.APPSERVICE:
        return _app_service_pfx(bundle, secret)
    return _pfx(bundle, secret, legacy=legacy, include_root=include_root)


def _check_options(
    to: Form | str,
    *,
    format: Format | str | None,  # noqa: A002 - the word users know from --format
    new_password: str | bytes | None,
    legacy: bool,
    include_key: bool,
    include_root: bool = False,
    include_leaf: bool = False,
    profile: PfxProfile | str | None = None,
    only: str | Sequence[str] | None = None,
    sha1: str | Sequence[str] | None = None,
    emit: str | Sequence[str] = (),
) -> tuple[Form, Format | None, PfxProfile | None, Selection]:
    """The options as members and a :class:`Selection`, once every option is known to fit the others."""
    to = coerce(Form, to, "to")
    fmt = None if format is None else coerce(Format, format, "format")
    pfx_profile = None if profile is None else coerce(PfxProfile, profile, "profile")
    if format is not None and to is not Form.P7B:
        raise ConversionError(
            f"an encoding applies to the p7b form only; the {to} form decides its encoding itself",
            hint=hint("leave {} out", Option.FORMAT),
        )
    if profile is not None and to is not Form.PFX:
        raise ConversionError(
            f"the {profile} profile applies to the pfx form only", hint=hint("leave {} out", Option.PROFILE)
        )
    if legacy and to not in (Form.PFX, Form.TRUSTSTORE):
        raise ConversionError(
            "legacy encryption applies to the pfx and truststore forms only", hint=hint("leave {} out", Option.LEGACY)
        )
    if legacy and pfx_profile is PfxProfile.APPSERVICE:
        raise ConversionError(
            "the appservice profile already uses 3DES and a SHA-1 MAC", hint=hint("drop {}", Option.LEGACY)
        )
    if include_key and to in (Form.DER, Form.P7B, Form.CHAIN, Form.TRUSTSTORE, Form.KEYVAULT):
        why = "always holds the private key" if to is Form.KEYVAULT else "holds no private key"
        raise ConversionError(
            f"the {to} form {why}: the private key is added only to the pem and fullchain forms",
            hint=hint("leave {} out", Option.INCLUDE_KEY),
        )
    if include_root and to not in (Form.FULLCHAIN, Form.CHAIN, Form.PFX, Form.KEYVAULT):
        why = "trusts the roots already" if to is Form.TRUSTSTORE else "writes no chain"
        raise ConversionError(
            f"the root is added only to the fullchain, chain, pfx and keyvault forms; the {to} form {why}",
            hint=hint("leave {} out ({} and {} pick certificates for any form)", *_ROOT_HINT_OPTIONS),
        )
    if include_leaf and to is not Form.TRUSTSTORE:
        raise ConversionError(
            "the leaf is added only to the truststore form (other forms write the leaf already)",
            hint=hint("leave {} out", Option.INCLUDE_LEAF),
        )
    password_bytes(new_password, what="new password")  # refused before any input is read
    if new_password is not None and to is Form.KEYVAULT:
        raise ConversionError(
            "Key Vault's PEM import takes the private key unencrypted, so the keyvault form takes no new password "
            f"({KEY_VAULT_PEM_DOC}); for a password-protected file use the pfx form",
            hint=hint("leave {} out", Option.NEW_PASSWORD),
        )
    if new_password is not None and to not in (Form.PFX, Form.TRUSTSTORE) and not include_key:
        raise ConversionError(
            f"a new password protects a private key, and the {to} form writes none",
            hint=hint("leave {} out, or add {} for PEM", Option.NEW_PASSWORD, Option.INCLUDE_KEY),
        )
    from ._import_scripts import check_emit

    check_emit(emit, to=to)
    return to, fmt, pfx_profile, check_selection(only, sha1)


# -- the forms -------------------------------------------------------------------------


def _single(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool) -> Conversion:
    if len(bundle.certificates) != 1:
        raise ConversionError(
            f"input holds {len(bundle.certificates)} certificates and the {to} form writes one: "
            "split the bundle for one file each, or convert to p7b (or fullchain) for all in one file"
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
        notes.append("the input's private key was not written (it is appended only on request)")
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


def _pem_chain(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool, include_root: bool) -> Conversion:
    path = _leaf_path(bundle, to)
    leaf = path[0]
    notes: list[str] = []
    # Servers send the leaf and the intermediates; the client has the root already.
    sent = _sent(path, include_root=include_root, notes=notes)
    certs = sent if to is Form.FULLCHAIN else sent[1:]
    if not certs:
        why = "is self-signed" if leaf.self_signed else "is issued directly by the root"
        raise ConversionError(
            f"'{leaf.common_name}' {why}: there is no intermediate certificate to write (convert to fullchain or pem)",
            hint=hint("or add {}", Option.INCLUDE_ROOT),
        )
    # An incomplete chain is written as far as it goes; the bundle's missing-issuer warning says so.
    data = b"".join(c.x509.public_bytes(serialization.Encoding.PEM) for c in certs)
    encryption = None
    if include_key:
        data += _pem_key(_key_of(bundle, leaf), secret)
        encryption = _PEM_KEY if secret else None
    elif bundle.private_keys and to is Form.FULLCHAIN:
        notes.append("the input's private key was not written (it is appended only on request)")
    return Conversion(to, Format.PEM, certs, include_key, encryption, tuple(notes), bundle, data)


def _sent(path: Sequence[Certificate], *, include_root: bool, notes: list[str]) -> tuple[Certificate, ...]:
    """The leaf and its intermediates, and the root at the end when asked for and present."""
    leaf = path[0]
    certs = tuple(c for c in path if c is leaf or not c.self_signed)
    top = path[-1]
    if include_root:
        if top.self_signed and top is not leaf:
            certs += (top,)
        elif not top.self_signed:
            notes.append(
                f"root asked for, but the chain of '{leaf.common_name}' ends at '{top.common_name}', whose issuer "
                "is not in the input, so no root was written (add the root certificate as another input)"
            )
    return certs


def _pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool, include_root: bool) -> Conversion:
    if not bundle.private_keys:
        return _certificate_only_pfx(bundle, secret, legacy=legacy)
    leaf, key = _pfx_key(bundle)
    if not secret:
        raise NewPasswordRequiredError(
            "a PFX with a private key needs a password (an empty password does not protect the key)",
            hint=hint("give one with {}", Option.NEW_PASSWORD),
        )
    notes: list[str] = []
    path = _path_from(bundle, leaf)
    certs = _sent(path, include_root=include_root, notes=notes)
    if not include_root and path[-1].self_signed and path[-1] is not leaf:
        notes.append(f"the root '{path[-1].common_name}' was left out (it is added only on request)")
    data = _serialize_pfx(leaf, key, certs[1:], _pkcs12_encryption(secret, legacy=legacy))
    left_out = [c for c in bundle.certificates if c not in path]
    if left_out:
        notes.append(
            f"{len(left_out)} certificate{'s' if len(left_out) != 1 else ''} not in the chain of "
            f"'{leaf.common_name}' left out"
        )
    encryption = _LEGACY if legacy else _MODERN
    return Conversion(Form.PFX, Format.DER, certs, True, encryption, tuple(notes), bundle, data)


def _app_service_pfx(bundle: Bundle, secret: bytes | None) -> Conversion:
    """What App Service requires (:data:`APP_SERVICE_DOC`): 3DES, a 2048-bit key, the chain up to its root."""
    if not bundle.private_keys:
        raise ConversionError(
            "the appservice profile needs the private key of the certificate: App Service takes a PFX with its key "
            "(add the key file, or the PFX that holds it, as another input)"
        )
    leaf, key = _pfx_key(bundle)
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < _APP_SERVICE_MIN_RSA:
        raise ConversionError(
            f"App Service requires a private key of at least {_APP_SERVICE_MIN_RSA} bits, and the key of "
            f"'{leaf.common_name}' has {key.key_size}: the certificate needs a new key ({APP_SERVICE_DOC})"
        )
    if not secret:
        raise NewPasswordRequiredError(
            "App Service requires a password-protected PFX", hint=hint("give a password with {}", Option.NEW_PASSWORD)
        )
    path = _path_from(bundle, leaf)
    if not path[-1].self_signed:
        raise ConversionError(
            f"App Service requires every intermediate and the root in the PFX, and the chain of "
            f"'{leaf.common_name}' ends at '{path[-1].common_name}', whose issuer is not in the input: "
            f"add the missing certificates as more inputs ({APP_SERVICE_DOC})"
        )
    notes: list[str] = []
    if isinstance(key, ec.EllipticCurvePrivateKey):
        notes.append("App Service accepts EC keys, but its requirements page covers RSA only")
    if not _serves_tls(leaf):
        notes.append(
            f"'{leaf.common_name}' has no extended key usage for server authentication: App Service can hold it, "
            "but not bind it to a custom domain"
        )
    certs = _sent(path, include_root=True, notes=notes)
    data = _serialize_pfx(leaf, key, certs[1:], _pkcs12_encryption(secret, legacy=True))
    left_out = [c for c in bundle.certificates if c not in path]
    if left_out:
        notes.append(
            f"{len(left_out)} certificate{'s' if len(left_out) != 1 else ''} not in the chain of "
            f"'{leaf.common_name}' left out"
        )
    return Conversion(
        Form.PFX, Format.DER, certs, True, _LEGACY, tuple(notes), bundle, data, profile=PfxProfile.APPSERVICE
    )


def _certificate_only_pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool) -> Conversion:
    certs = _ordered(bundle)
    encryption, described = _store_encryption(secret, legacy=legacy)
    # Java's trusted-certificate attribute on each bag, so keytool lists them; OpenSSL and Windows read it as before.
    data = java_truststore(certs, encryption)
    notes = ("the input has no private key: this PFX holds certificates only",)
    return Conversion(Form.PFX, Format.DER, certs, False, described, notes, bundle, data)


def _truststore(bundle: Bundle, secret: bytes | None, *, legacy: bool, include_leaf: bool) -> Conversion:
    certs = tuple(c for c in bundle.certificates if include_leaf or c.role is not Role.LEAF)
    if not certs:
        raise ConversionError(
            "input holds no CA certificate (root or intermediate) to trust: add the CA certificates as inputs",
            hint=hint("or add {} to trust the end-entity certificates themselves", Option.INCLUDE_LEAF),
        )
    encryption, described = _store_encryption(secret, legacy=legacy)
    notes: list[str] = []
    if not secret:
        notes.append(
            "the truststore password is empty (keytool -storepass '' and javax.net.ssl.trustStorePassword= open it); "
            "it holds public certificates only, give a new password for one"
        )
    leaves = [c for c in bundle.certificates if c not in certs]
    if leaves:
        notes.append(
            f"{len(leaves)} end-entity certificate{'s' if len(leaves) != 1 else ''} left out "
            "(Java trusts the CAs that issued them; they are added only on request)"
        )
    if bundle.private_keys:
        notes.append("the input's private key was not written (a truststore holds certificates only)")
    data = java_truststore(certs, encryption)
    return Conversion(Form.TRUSTSTORE, Format.DER, certs, False, described, tuple(notes), bundle, data)


def _keyvault(bundle: Bundle, *, include_root: bool) -> Conversion:
    """The PEM Key Vault imports (:data:`KEY_VAULT_PEM_DOC`): PKCS#8 key, unencrypted, then the certificates."""
    path = _leaf_path(bundle, Form.KEYVAULT)
    leaf = path[0]
    if not bundle.private_keys:
        raise ConversionError(
            f"the keyvault form needs the private key of '{leaf.common_name}': Key Vault imports a certificate "
            "with its key (add the key file, or the PFX that holds it, as another input)"
        )
    key = _key_of(bundle, leaf)
    if not isinstance(key, _KEY_VAULT_KEY_TYPES):
        raise ConversionError(
            f"the private key of '{leaf.common_name}' is neither RSA nor EC, the key types Key Vault certificates hold"
        )
    notes: list[str] = []
    certs = _sent(path, include_root=include_root, notes=notes)
    # Only PEM blocks, no "Bag Attributes" or other text: Key Vault refuses metadata in the file.
    data = _pem_key(key, None) + b"".join(c.x509.public_bytes(serialization.Encoding.PEM) for c in certs)
    if not include_root and path[-1].self_signed and path[-1] is not leaf:
        notes.append(f"the root '{path[-1].common_name}' was left out (it is added only on request)")
    left_out = [c for c in bundle.certificates if c not in path]
    if left_out:
        notes.append(
            f"{len(left_out)} certificate{'s' if len(left_out) != 1 else ''} not in the chain of "
            f"'{leaf.common_name}' left out"
        )
    encryption = "none: the key is unencrypted PKCS#8, as Key Vault's PEM import requires"
    return Conversion(Form.KEYVAULT, Format.PEM, certs, True, encryption, tuple(notes), bundle, data)


# -- helpers ---------------------------------------------------------------------------


def _pfx_key(bundle: Bundle) -> tuple[Certificate, PrivateKeyTypes]:
    leaf = _pfx_subject(bundle)
    key = _key_of(bundle, leaf)
    if not isinstance(key, _PKCS12_KEY_TYPES):
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    return leaf, key


def _serialize_pfx(
    leaf: Certificate,
    key: PrivateKeyTypes,
    cas: Sequence[Certificate],
    encryption: serialization.KeySerializationEncryption,
) -> bytes:
    if not isinstance(key, _PKCS12_KEY_TYPES):  # _pfx_key checked; this narrows the type
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    return pkcs12.serialize_key_and_certificates(
        _friendly_name(leaf),
        key,
        leaf.x509,
        [pkcs12.PKCS12Certificate(c.x509, _friendly_name(c)) for c in cas],
        encryption,
    )


def _store_encryption(secret: bytes | None, *, legacy: bool) -> tuple[serialization.KeySerializationEncryption, str]:
    """How a certificate-only PKCS#12 is protected, and how the summary says it."""
    if secret:
        return _pkcs12_encryption(secret, legacy=legacy), _LEGACY if legacy else _MODERN
    if legacy:
        raise ConversionError("legacy encryption needs a password", hint=hint("give one with {}", Option.NEW_PASSWORD))
    # What the APIM self-hosted gateway and Java take: no key, the empty password.
    return serialization.NoEncryption(), _CLEAR_CERTS


def _serves_tls(cert: Certificate) -> bool:
    """No extendedKeyUsage (any use), or one that lists serverAuth or anyExtendedKeyUsage."""
    eku = read_extension(cert.x509, x509.ExtendedKeyUsage)
    if eku is None:
        return True
    return ExtendedKeyUsageOID.SERVER_AUTH in eku or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in eku


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
            f"input holds no end-entity certificate, only CA certificates: the {to} form needs the server's "
            "certificate (convert to p7b, or split the bundle, for CA certificates)"
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
        f"the private key was asked for, but the input has none for '{cert.common_name}' "
        "(add the key file as another input, or the PFX that holds it)"
    )
