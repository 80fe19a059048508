"""Infrastructure-as-code snippets that set APIM's CA certificates (``split(emit=...)``).

Every snippet sets ``properties.certificates`` of ``Microsoft.ApiManagement/service``
(REST/ARM ``encodedCertificate`` + ``storeName``), listing every CA certificate of
the split exactly once: roots in store ``Root``, intermediates in
``CertificateAuthority``. Bicep, Terraform and PowerShell reference the written
DER ``.cer`` files (which sit next to the snippet); ARM, REST and the Azure CLI
script embed the base64 of the same DER bytes. Writing that property replaces
the whole list, so each snippet says so, and the 10-certificate limit, in a comment.

Names in the generated code are certconv's safe file names and uppercase hex
thumbprints only: no text from a certificate reaches a snippet unescaped.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence

from ..base._enums import AzureTarget, Form, SnippetLanguage
from ..base._errors import TargetError
from ..output._manifest import ManifestEntry
from ._facts import API_VERSION, APIM_CA_LIMIT, SERVICE_URL, SNIPPET_FILES

__all__ = ["ca_entries", "note_lines", "render_snippets"]


def ca_entries(entries: Sequence[ManifestEntry]) -> tuple[ManifestEntry, ...]:
    """The DER ``.cer`` entries bound for APIM's CA certificates, one per certificate, roots first."""
    chosen: list[ManifestEntry] = []
    for entry in entries:
        if entry.form != Form.DER or not any(d.target == AzureTarget.APIM and d.store for d in entry.destinations):
            continue
        if all(e.certificate != entry.certificate for e in chosen):
            chosen.append(entry)
    return tuple(sorted(chosen, key=lambda e: e.certificate.apim_store != "Root"))


def note_lines(count: int) -> list[str]:
    """The warning every snippet carries: the list is replaced, at most 10, about 15 minutes."""
    return [
        f"certconv: APIM CA certificates ({count}) for properties.certificates.",
        "WARNING: writing properties.certificates REPLACES the service's whole CA-certificate list;",
        "it does not append. Keep in this list every CA certificate your backends need, not only",
        f"the new ones: APIM accepts at most {APIM_CA_LIMIT}. Applying takes 15 minutes or more.",
        "Tiers: Developer, Basic, Standard, Premium (not Consumption, not the v2 tiers).",
    ]


_TEMPLATE_NOTE = [
    "This declares the whole service: a deployment resets what it leaves out (host names,",
    "networking, ...). Merge the certificates list into the template you deploy the service with.",
]


def render_snippets(entries: Sequence[ManifestEntry], languages: Sequence[SnippetLanguage]) -> dict[str, bytes]:
    """The snippet files for ``languages`` (file name → bytes) listing the CA ``entries``.

    Args:
        entries: The manifest entries of the split (the CA ones are picked with :func:`ca_entries`).
        languages: Checked by :func:`certconv.azure._plan.split_options`.

    Raises:
        TargetError: no CA certificate (a snippet would empty APIM's list), or more than 10.
    """
    cas = ca_entries(entries)
    if not cas:
        raise TargetError(
            "the input holds no CA certificate (root or intermediate), and a snippet with an empty list would "
            "remove every CA certificate from APIM; add the CA certificates to the input (or run certconv fetch)"
        )
    if len(cas) > APIM_CA_LIMIT:
        raise TargetError(
            f"{len(cas)} CA certificates, but APIM accepts at most {APIM_CA_LIMIT}; "
            "split only the certificates your backends' chains need, then emit snippets"
        )
    return {SNIPPET_FILES[lang]: _encode(lang, _RENDERERS[lang](cas)) for lang in dict.fromkeys(languages)}


def _encode(language: str, text: str) -> bytes:
    # Windows PowerShell 5.1 reads a .ps1 without a byte-order mark in the ANSI code page
    # (cp1252, cp936…), which garbles a non-ASCII file name such as root-测试根证书.cer; with the
    # UTF-8 BOM every PowerShell reads it as UTF-8. The other languages' tools want no BOM.
    return text.encode("utf-8-sig" if language == SnippetLanguage.POWERSHELL else "utf-8")


def _b64(entry: ManifestEntry) -> str:
    return base64.b64encode(entry.certificate.der).decode("ascii")


def _store(entry: ManifestEntry) -> str:
    store = entry.certificate.apim_store
    if store is None:  # ca_entries keeps CA certificates only
        raise ValueError(f"{entry.file} is not a CA certificate")
    return store


def _certificates_json(cas: Sequence[ManifestEntry]) -> list[dict[str, str]]:
    return [{"encodedCertificate": _b64(e), "storeName": _store(e)} for e in cas]


def _label(entry: ManifestEntry) -> str:
    return f"{entry.file}  (SHA-1 {entry.certificate.sha1})"


def _bicep(cas: Sequence[ManifestEntry]) -> str:
    lines = [f"// {line}" for line in [*note_lines(len(cas)), *_TEMPLATE_NOTE]]
    lines += [
        "",
        "@description('Name of the existing API Management service.')",
        "param apimName string",
        "param location string = resourceGroup().location",
        "param skuName string = 'Developer'",
        "param skuCapacity int = 1",
        "param publisherEmail string",
        "param publisherName string",
        "",
        f"resource apim 'Microsoft.ApiManagement/service@{API_VERSION}' = {{",
        "  name: apimName",
        "  location: location",
        "  sku: {",
        "    name: skuName",
        "    capacity: skuCapacity",
        "  }",
        "  properties: {",
        "    publisherEmail: publisherEmail",
        "    publisherName: publisherName",
        "    certificates: [",
    ]
    for entry in cas:
        lines += [
            f"      // {_label(entry)}",
            "      {",
            f"        encodedCertificate: loadFileAsBase64('{entry.file}')",
            f"        storeName: '{_store(entry)}'",
            "      }",
        ]
    lines += ["    ]", "  }", "}", ""]
    return "\n".join(lines)


def _arm(cas: Sequence[ManifestEntry]) -> str:
    note = " ".join([*note_lines(len(cas)), *_TEMPLATE_NOTE])
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"comments": note, "files": [_label(e) for e in cas]},
        "parameters": {
            "apimName": {"type": "string", "metadata": {"description": "Name of the existing API Management service."}},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "skuName": {"type": "string", "defaultValue": "Developer"},
            "skuCapacity": {"type": "int", "defaultValue": 1},
            "publisherEmail": {"type": "string"},
            "publisherName": {"type": "string"},
        },
        "resources": [
            {
                "type": "Microsoft.ApiManagement/service",
                "apiVersion": API_VERSION,
                "name": "[parameters('apimName')]",
                "location": "[parameters('location')]",
                "comments": note,
                "sku": {"name": "[parameters('skuName')]", "capacity": "[parameters('skuCapacity')]"},
                "properties": {
                    "publisherEmail": "[parameters('publisherEmail')]",
                    "publisherName": "[parameters('publisherName')]",
                    "certificates": _certificates_json(cas),
                },
            }
        ],
    }
    return json.dumps(template, indent=2) + "\n"


def _terraform(cas: Sequence[ManifestEntry]) -> str:
    lines = [f"# {line}" for line in [*note_lines(len(cas)), *_TEMPLATE_NOTE]]
    lines.append("")
    for var in ("apim_name", "location", "resource_group_name", "publisher_name", "publisher_email"):
        lines.append(f'variable "{var}" {{ type = string }}')
    lines += [
        'variable "sku_name" {',
        "  type    = string",
        '  default = "Developer_1"',
        "}",
        "",
        'resource "azurerm_api_management" "apim" {',
        "  name                = var.apim_name",
        "  location            = var.location",
        "  resource_group_name = var.resource_group_name",
        "  publisher_name      = var.publisher_name",
        "  publisher_email     = var.publisher_email",
        "  sku_name            = var.sku_name",
    ]
    for entry in cas:
        lines += [
            "",
            f"  # {_label(entry)}",
            "  certificate {",
            f'    encoded_certificate = filebase64("${{path.module}}/{entry.file}")',
            f'    store_name          = "{_store(entry)}"',
            "  }",
        ]
    lines += ["}", ""]
    return "\n".join(lines)


def _powershell(cas: Sequence[ManifestEntry]) -> str:
    lines = [f"# {line}" for line in note_lines(len(cas))]
    lines += [
        "# Run from anywhere: the .cer files are read from this script's folder. Needs Az.ApiManagement.",
        "param(",
        "    [Parameter(Mandatory)] [string] $ResourceGroupName,",
        "    [Parameter(Mandatory)] [string] $ApimName",
        ")",
        "$ErrorActionPreference = 'Stop'",
        "",
        "$apim = Get-AzApiManagement -ResourceGroupName $ResourceGroupName -Name $ApimName",
        "$apim.SystemCertificates = @(",
    ]
    for entry in cas:
        lines += [
            f"    # {_label(entry)}",
            f"    New-AzApiManagementSystemCertificate -StoreName '{_store(entry)}' "
            f"-PfxPath (Join-Path $PSScriptRoot '{entry.file}')",
        ]
    lines += [")", "Set-AzApiManagement -InputObject $apim", ""]
    return "\n".join(lines)


def _azcli(cas: Sequence[ManifestEntry]) -> str:
    body = json.dumps({"properties": {"certificates": _certificates_json(cas)}}, indent=2)
    url = SERVICE_URL.format(
        subscriptionId="${SUBSCRIPTION_ID}", resourceGroupName="${RESOURCE_GROUP}", serviceName="${APIM_NAME}"
    )
    lines = ["#!/usr/bin/env bash", *(f"# {line}" for line in note_lines(len(cas)))]
    lines += [f"#   {_label(e)}" for e in cas]
    lines += [
        "# Usage: SUBSCRIPTION_ID=... RESOURCE_GROUP=... APIM_NAME=... bash apim-ca-certificates.azcli.sh",
        "set -euo pipefail",
        ': "${SUBSCRIPTION_ID:?set SUBSCRIPTION_ID}"',
        ': "${RESOURCE_GROUP:?set RESOURCE_GROUP}"',
        ': "${APIM_NAME:?set APIM_NAME}"',
        "",
        "body=$(cat <<'JSON'",
        body,
        "JSON",
        ")",
        "",
        "az rest --method patch \\",
        f'  --url "{url}" \\',
        '  --headers "Content-Type=application/json" \\',
        '  --body "$body"',
        "",
    ]
    return "\n".join(lines)


def _rest(cas: Sequence[ManifestEntry]) -> str:
    request = {
        "comments": " ".join(note_lines(len(cas))),
        "files": [_label(e) for e in cas],
        "method": "PATCH",
        "url": SERVICE_URL,
        "headers": {"Content-Type": "application/json"},
        "body": {"properties": {"certificates": _certificates_json(cas)}},
    }
    return json.dumps(request, indent=2) + "\n"


_RENDERERS: dict[SnippetLanguage, Callable[[Sequence[ManifestEntry]], str]] = {
    SnippetLanguage.BICEP: _bicep,
    SnippetLanguage.ARM: _arm,
    SnippetLanguage.TERRAFORM: _terraform,
    SnippetLanguage.POWERSHELL: _powershell,
    SnippetLanguage.AZCLI: _azcli,
    SnippetLanguage.REST: _rest,
}
