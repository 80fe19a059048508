"""Scripts that import a converted file into Azure (``convert --emit azcli,powershell``).

* ``--to keyvault`` (PEM) and ``--to pfx``: ``az keyvault certificate import`` /
  ``Import-AzKeyVaultCertificate``. The Azure CLI recognises a PEM file by its
  content; Az.KeyVault (4.6 and later) by the ``.pem`` extension.
* ``--to pfx --profile appservice``: ``az webapp config ssl upload`` then
  ``az webapp config ssl bind`` by thumbprint / ``New-AzWebAppSSLBinding``.

A script sits beside the file it imports and finds it from its own folder. The
only text from outside certconv in a script is the file's name, quoted for the
language (single quotes, escaped); certificate names reach it only as Key Vault's
allowed characters (letters, digits, ``-``) and thumbprints as hex. Passwords
are never written: the scripts read them from the environment or a prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from ..base._enums import Form, PfxProfile, SnippetLanguage
from ..base._errors import ConversionError, Option, UsageError, hint
from ..pki._model import Certificate

__all__ = ["IMPORT_LANGUAGES", "check_emit", "render_import_scripts", "script_names"]

IMPORT_LANGUAGES = (SnippetLanguage.AZCLI.value, SnippetLanguage.POWERSHELL.value)
"""What ``convert(emit=...)`` accepts."""

KEY_VAULT_IMPORT_DOC = "https://learn.microsoft.com/cli/azure/keyvault/certificate#az-keyvault-certificate-import"
POWERSHELL_IMPORT_DOC = "https://learn.microsoft.com/powershell/module/az.keyvault/import-azkeyvaultcertificate"
APP_SERVICE_UPLOAD_DOC = "https://learn.microsoft.com/cli/azure/webapp/config/ssl#az-webapp-config-ssl-upload"
APP_SERVICE_BINDING_DOC = "https://learn.microsoft.com/powershell/module/az.websites/new-azwebappsslbinding"

# Key Vault's certificate-name pattern (REST "Import Certificate": ^[0-9a-zA-Z-]+$), 127 characters at most.
_NOT_NAME = re.compile(r"[^0-9A-Za-z-]+")
_MAX_NAME = 127


def check_emit(emit: str | Sequence[str], *, to: str) -> list[SnippetLanguage]:
    """The languages of ``emit`` (``"azcli,powershell"`` or a list), checked against the form.

    Raises:
        UsageError: a language other than ``azcli`` or ``powershell``.
        ConversionError: ``emit`` for a form no Azure import takes.
    """
    langs = [lang.strip() for lang in emit.split(",")] if isinstance(emit, str) else list(emit)
    langs = list(dict.fromkeys(lang for lang in langs if lang))
    unknown = [lang for lang in langs if lang not in IMPORT_LANGUAGES]
    if unknown:
        raise UsageError(f"convert's emit languages are {', '.join(IMPORT_LANGUAGES)}, not {', '.join(unknown)}")
    if langs and to not in (Form.KEYVAULT, Form.PFX):
        raise ConversionError(
            f"import commands are written for the keyvault and pfx forms, not {to} "
            "(split writes APIM's CA-certificate snippets)",
            hint=hint("leave {} out", Option.EMIT),
        )
    return [SnippetLanguage(lang) for lang in langs]


def script_names(file_name: str, *, app_service: bool) -> dict[SnippetLanguage, str]:
    """The script file of each language for the converted file ``file_name``."""
    stem = PurePath(file_name).stem or file_name
    what = "appservice-upload" if app_service else "keyvault-import"
    return {SnippetLanguage.AZCLI: f"{stem}.{what}.azcli.sh", SnippetLanguage.POWERSHELL: f"{stem}.{what}.ps1"}


def render_import_scripts(
    file_name: str,
    languages: Sequence[SnippetLanguage],
    *,
    to: Form,
    profile: PfxProfile | None,
    key_included: bool,
    leaf: Certificate,
) -> dict[str, bytes]:
    """The import script of each of ``languages`` (file name → bytes) for the file ``file_name``.

    ``to``, ``profile`` and ``key_included`` describe the file (a
    :class:`~certconv.Conversion`'s), ``leaf`` is its first certificate.

    Raises:
        ConversionError: the file holds no private key (Key Vault and App Service
            import a certificate with its key).
    """
    if not key_included:
        raise ConversionError(
            "import commands asked for, but this PFX holds no private key, and Key Vault and App Service "
            "import a certificate with "
            "its key (add the key file, or the PFX that holds it, as another input)"
        )
    app_service = profile is PfxProfile.APPSERVICE
    names = script_names(file_name, app_service=app_service)
    texts = {}
    for lang in languages:
        azcli = lang is SnippetLanguage.AZCLI
        if app_service:
            texts[lang] = _appservice_sh(file_name, leaf.sha1) if azcli else _appservice_ps1(file_name)
        else:
            pfx = to is Form.PFX
            name = vault_name(leaf.common_name)
            texts[lang] = _keyvault_sh(file_name, name, pfx=pfx) if azcli else _keyvault_ps1(file_name, name, pfx=pfx)
    # Windows PowerShell 5.1 reads a .ps1 without a byte-order mark in the ANSI code page: UTF-8 with one.
    return {
        names[lang]: text.encode("utf-8-sig" if lang is SnippetLanguage.POWERSHELL else "utf-8")
        for lang, text in texts.items()
    }


def vault_name(common_name: str) -> str:
    """A Key Vault certificate name from a certificate's name: ``*.backend.example`` → ``wildcard-backend-example``."""
    text = common_name.replace("*", "wildcard")
    return _NOT_NAME.sub("-", text).strip("-")[:_MAX_NAME].strip("-") or "certificate"


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _ps(text: str) -> str:
    # PowerShell single-quoted strings also end at the typographic quotes U+2018..U+201B.
    return "'" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", text) + "'"


def _keyvault_sh(file_name: str, name: str, *, pfx: bool) -> str:
    lines = [
        "#!/usr/bin/env bash",
        "# certconv: import the certificate and its private key into Azure Key Vault.",
        f"# {KEY_VAULT_IMPORT_DOC}",
        "# Set VAULT_NAME"
        + (" and PFX_PASSWORD (the PFX's password)" if pfx else "")
        + " (CERT_NAME for another name), then run this script with bash.",
        "set -euo pipefail",
        ': "${VAULT_NAME:?set VAULT_NAME to the name of the key vault}"',
        f'CERT_NAME="${{CERT_NAME:-{name}}}"',
    ]
    if pfx:
        lines.append(': "${PFX_PASSWORD:?set PFX_PASSWORD to the password of the PFX}"')
    lines += [
        'here="$(cd "$(dirname "$0")" && pwd)"',
        "",
        'az keyvault certificate import --vault-name "$VAULT_NAME" --name "$CERT_NAME" \\',
        f'  --file "$here"/{_sh(file_name)}' + (' --password "$PFX_PASSWORD"' if pfx else ""),
        "",
    ]
    return "\n".join(lines)


def _keyvault_ps1(file_name: str, name: str, *, pfx: bool) -> str:
    lines = [
        "# certconv: import the certificate and its private key into Azure Key Vault. Needs Az.KeyVault"
        + ("." if pfx else " 4.6 or later (PEM import)."),
        f"# {POWERSHELL_IMPORT_DOC}",
        "param(",
        "    [Parameter(Mandatory)] [string] $VaultName,",
        f"    [string] $Name = {_ps(name)}" + ("," if pfx else ""),
    ]
    if pfx:
        lines.append("    [Parameter(Mandatory)] [SecureString] $Password")
    lines += [
        ")",
        "$ErrorActionPreference = 'Stop'",
        "",
        "Import-AzKeyVaultCertificate -VaultName $VaultName -Name $Name `",
        f"    -FilePath (Join-Path $PSScriptRoot {_ps(file_name)})" + (" -Password $Password" if pfx else ""),
        "",
    ]
    return "\n".join(lines)


def _appservice_sh(file_name: str, sha1: str) -> str:
    lines = [
        "#!/usr/bin/env bash",
        "# certconv: upload the PFX to Azure App Service and bind it to a custom domain (SNI).",
        f"# {APP_SERVICE_UPLOAD_DOC}",
        "# Set RESOURCE_GROUP, WEBAPP_NAME, PFX_PASSWORD (and CUSTOM_DOMAIN), then run this script with bash.",
        "set -euo pipefail",
        ': "${RESOURCE_GROUP:?set RESOURCE_GROUP}"',
        ': "${WEBAPP_NAME:?set WEBAPP_NAME}"',
        ': "${PFX_PASSWORD:?set PFX_PASSWORD to the password of the PFX}"',
        'here="$(cd "$(dirname "$0")" && pwd)"',
        "",
        'az webapp config ssl upload --resource-group "$RESOURCE_GROUP" --name "$WEBAPP_NAME" \\',
        f'  --certificate-file "$here"/{_sh(file_name)} --certificate-password "$PFX_PASSWORD"',
        "# Without CUSTOM_DOMAIN, App Service picks the host name the certificate matches.",
        'az webapp config ssl bind --resource-group "$RESOURCE_GROUP" --name "$WEBAPP_NAME" \\',
        f'  --certificate-thumbprint {sha1} --ssl-type SNI ${{CUSTOM_DOMAIN:+--hostname "$CUSTOM_DOMAIN"}}',
        "",
    ]
    return "\n".join(lines)


def _appservice_ps1(file_name: str) -> str:
    lines = [
        "# certconv: upload the PFX to Azure App Service and bind it to a custom domain (SNI). Needs Az.Websites.",
        f"# {APP_SERVICE_BINDING_DOC}",
        "param(",
        "    [Parameter(Mandatory)] [string] $ResourceGroupName,",
        "    [Parameter(Mandatory)] [string] $WebAppName,",
        "    [Parameter(Mandatory)] [string] $HostName,",
        "    [Parameter(Mandatory)] [SecureString] $Password",
        ")",
        "$ErrorActionPreference = 'Stop'",
        "",
        "# New-AzWebAppSSLBinding takes the password as plain text; it stays in this process.",
        "$plain = [System.Net.NetworkCredential]::new('', $Password).Password",
        "New-AzWebAppSSLBinding -ResourceGroupName $ResourceGroupName -WebAppName $WebAppName -Name $HostName `",
        f"    -CertificateFilePath (Join-Path $PSScriptRoot {_ps(file_name)}) -CertificatePassword $plain "
        "-SslState SniEnabled",
        "",
    ]
    return "\n".join(lines)
