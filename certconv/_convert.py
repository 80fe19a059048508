"""One bundle in, one file out: the conversions people otherwise do with ``openssl``.

``der``/``pem`` re-encode a single certificate, ``p7b`` packs every certificate
into one PKCS#7, ``fullchain``/``chain`` write the PEM a web server wants, and
``pfx`` builds a PKCS#12 from a certificate, its private key and its chain,
``truststore`` a PKCS#12 Java reads as trusted certificates, and ``keyvault`` the
PEM ``az keyvault certificate import`` takes. ``only``/``sha1`` narrow the
certificates any form uses (:mod:`certconv.bundle._select`).

A private key is written only on request (``include_key`` for PEM, or a form
that exists to carry one: ``pfx``, ``keyvault``), and a file holding a key is
created with mode 0600;
where that does not keep others out (Windows, FAT), a note says so and what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TypedDict

from ._api import InputLike, load
from .azure._import_scripts import check_emit
from .base._enums import Form, Format, PfxProfile, coerce, values
from .base._errors import Option, UnsafeOutputError, UsageError, hint
from .base._face import publish
from .bundle._select import select
from .output._atomic import write_files
from .output._conversion import Conversion, unprotected_key_note
from .output._conversion_checks import check_options
from .output._encodings import keyvault, p7b, pem_chain, single
from .output._out_folder import restricts_to_owner
from .output._pkcs12_write import app_service_pfx, pfx, truststore
from .pki._model import Bundle
from .readers._password import password_bytes
from .readers._read import DEFAULT_MAX_INPUT_SIZE

__all__ = ["CONVERT_TARGETS", "PFX_PROFILES", "Conversion", "convert", "convert_bundle", "write_convert"]

CONVERT_TARGETS = values(Form)
"""What ``to`` may be: the values of :class:`Form`."""

PFX_PROFILES = values(PfxProfile)
"""What ``profile`` may be (for ``to="pfx"``): ``appservice``, the PFX Azure App Service requires."""


class _FormOptions(TypedDict):
    """The options that say what is converted, passed on unchanged from :func:`convert`."""

    to: Form | str
    new_password: str | bytes | None
    format: Format | str | None
    legacy: bool
    include_key: bool
    include_root: bool
    include_leaf: bool
    profile: PfxProfile | str | None
    only: str | Sequence[str] | None
    sha1: str | Sequence[str] | None


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
    form: _FormOptions = {
        "to": to,
        "new_password": new_password,
        "format": format,
        "legacy": legacy,
        "include_key": include_key,
        "include_root": include_root,
        "include_leaf": include_leaf,
        "profile": profile,
        "only": only,
        "sha1": sha1,
    }
    checked, *_ = check_options(**form)
    check_emit(emit, to=checked)  # the import scripts are Azure's: checked by the azure stage
    bundle = load(inputs, password=password, at=at, max_input_size=max_input_size, keys_alone=True)
    if out is None:
        if emit:
            raise UsageError("emit writes import scripts beside the file: give out, not out=None (standard output)")
        return convert_bundle(bundle, **form)
    return write_convert(bundle, out, **form, emit=emit, force=force)


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
    from .azure._import_scripts import check_emit, render_import_scripts

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
        notes = (*notes, unprotected_key_note(str(out), encrypted=bool(conversion.encryption)))
    return dataclasses.replace(
        conversion, out=str(out), scripts=tuple(scripts), notes=(*conversion.notes, *notes), owner_only=owner_only
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
            bits or more (:data:`certconv.output._pkcs12_write.APP_SERVICE_DOC`).
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
    form, fmt, pfx_profile, selection = check_options(
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
    return dataclasses.replace(conversion, selection=selection)


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
        return single(bundle, to, secret, include_key=include_key)
    if to is Form.P7B:
        return p7b(bundle, fmt or Format.DER)
    if to in (Form.FULLCHAIN, Form.CHAIN):
        return pem_chain(bundle, to, secret, include_key=include_key, include_root=include_root)
    if to is Form.TRUSTSTORE:
        return truststore(bundle, secret, legacy=legacy, include_leaf=include_leaf)
    if to is Form.KEYVAULT:
        return keyvault(bundle, include_root=include_root)
    if profile is PfxProfile.APPSERVICE:
        return app_service_pfx(bundle, secret)
    return pfx(bundle, secret, legacy=legacy, include_root=include_root)


publish(globals())
