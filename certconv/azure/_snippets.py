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
from ._facts import API_VERSION, APIM_CA_LIMIT, APIM_LIST_COMMAND, SERVICE_URL, SNIPPET_FILES

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
        f"What the service has now: {APIM_LIST_COMMAND}",
    ]


# The scripts (Azure CLI, PowerShell) read the service's list first and write only a list that keeps it.
_SCRIPT_NOTE = [
    "This script reads the service's CA certificates first and never drops one: it stops, writing",
    "nothing, when the service has a certificate this list lacks (APIM never returns a certificate's",
    "bytes, so it cannot be re-sent: add its file to the bundle and run certconv split again) or when",
    f"the result would exceed {APIM_CA_LIMIT}; it writes nothing when every certificate is already there.",
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
    lines = [f"# {line}" for line in [*note_lines(len(cas)), *_SCRIPT_NOTE]]
    lines += [
        "# -Replace writes exactly this list on purpose, removing the CA certificates the service has",
        "# that are not in it. Run from anywhere: the .cer files are read from this script's folder.",
        "# Needs Az.ApiManagement.",
        "param(",
        "    [Parameter(Mandatory)] [string] $ResourceGroupName,",
        "    [Parameter(Mandatory)] [string] $ApimName,",
        "    [switch] $Replace",
        ")",
        "$ErrorActionPreference = 'Stop'",
        f"$limit = {APIM_CA_LIMIT}",
        "# This list: SHA-1 thumbprint, store, file.",
        "$ours = @(",
    ]
    lines += [
        f"    [pscustomobject]@{{ Thumbprint = '{e.certificate.sha1}'; Store = '{_store(e)}'; File = '{e.file}' }}"
        for e in cas
    ]
    lines += [
        ")",
        "",
        "$apim = Get-AzApiManagement -ResourceGroupName $ResourceGroupName -Name $ApimName",
        "$current = @($apim.SystemCertificates | Where-Object { $_ } | ForEach-Object {",
        "    [pscustomobject]@{",
        "        Thumbprint = ([string]$_.CertificateInformation.Thumbprint).ToUpperInvariant()",
        "        Store = [string]$_.StoreName",
        "        Subject = [string]$_.CertificateInformation.Subject",
        "    }",
        "})",
        '$ourKeys = @($ours | ForEach-Object { "$($_.Thumbprint)/$($_.Store)" })',
        '$currentKeys = @($current | ForEach-Object { "$($_.Thumbprint)/$($_.Store)" })',
        '$foreign = @($current | Where-Object { $ourKeys -notcontains "$($_.Thumbprint)/$($_.Store)" })',
        '$added = @($ours | Where-Object { $currentKeys -notcontains "$($_.Thumbprint)/$($_.Store)" })',
        "",
        "if (-not $Replace) {",
        "    $stop = $false",
        "    $total = $current.Count + $added.Count",
        "    if ($total -gt $limit) {",
        '        Write-Warning ("the service has $($current.Count) CA certificates; keeping them and adding the " +',
        '            "$($added.Count) new ones makes $total, more than APIM\'s limit of $limit")',
        "        $stop = $true",
        "    }",
        "    if ($foreign.Count -gt 0) {",
        '        Write-Warning "writing this list would remove $($foreign.Count) CA certificate(s) the service has:"',
        '        foreach ($c in $foreign) { Write-Warning "  $($c.Thumbprint)  store $($c.Store)  $($c.Subject)" }',
        '        Write-Warning ("to keep them, add their files to the bundle and run certconv split " +',
        '            "--emit powershell again; to remove them on purpose, run this script with -Replace")',
        "        $stop = $true",
        "    }",
        "    if ($stop) {",
        "        Write-Warning 'Nothing was written.'",
        "        exit 1",
        "    }",
        "}",
        "if ($added.Count -eq 0 -and $foreign.Count -eq 0) {",
        '    Write-Output ("nothing to do: the service already has all $($ours.Count) CA certificates " +',
        "        'of this list; nothing was written')",
        "    exit 0",
        "}",
        "",
        "$apim.SystemCertificates = @(",
    ]
    for entry in cas:
        lines += [
            f"    # {_label(entry)}",
            f"    New-AzApiManagementSystemCertificate -StoreName '{_store(entry)}' "
            f"-PfxPath (Join-Path $PSScriptRoot '{entry.file}')",
        ]
    lines += [
        ")",
        "Set-AzApiManagement -InputObject $apim",
        'foreach ($c in $added) { Write-Output "added: $($c.File) (SHA-1 $($c.Thumbprint), store $($c.Store))" }',
        "foreach ($c in $foreign) {",
        '    Write-Output "removed (-Replace): $($c.Thumbprint)  store $($c.Store)  $($c.Subject)"',
        "}",
        'Write-Output "written: $($ours.Count) CA certificates; applying takes 15 minutes or more"',
        "",
    ]
    return "\n".join(lines)


def _azcli(cas: Sequence[ManifestEntry]) -> str:
    body = json.dumps({"properties": {"certificates": _certificates_json(cas)}}, indent=2)
    url = SERVICE_URL.format(
        subscriptionId="${SUBSCRIPTION_ID}", resourceGroupName="${RESOURCE_GROUP}", serviceName="${APIM_NAME}"
    )
    lines = ["#!/usr/bin/env bash", *(f"# {line}" for line in [*note_lines(len(cas)), *_SCRIPT_NOTE])]
    lines += [f"#   {_label(e)}" for e in cas]
    lines += [
        "# Usage: SUBSCRIPTION_ID=... RESOURCE_GROUP=... APIM_NAME=... bash apim-ca-certificates.azcli.sh [--replace]",
        "#   --replace: write exactly this list on purpose, removing the CA certificates the service has",
        "#   that are not in it.",
        "set -euo pipefail",
        "replace=no",
        'case "${1-}" in',
        '  "") ;;',
        "  --replace) replace=yes ;;",
        '  *) echo "usage: bash $0 [--replace]" >&2; exit 2 ;;',
        "esac",
        ': "${SUBSCRIPTION_ID:?set SUBSCRIPTION_ID}"',
        ': "${RESOURCE_GROUP:?set RESOURCE_GROUP}"',
        ': "${APIM_NAME:?set APIM_NAME}"',
        f'url="{url}"',
        f"limit={APIM_CA_LIMIT}",
        "# This list: SHA-1 thumbprint, store, file (tab-separated).",
        "ours=(",
        *(f"  $'{e.certificate.sha1}\\t{_store(e)}\\t{e.file}'" for e in cas),
        ")",
        "",
        "# What the service has now: thumbprint, store, subject per line.",
        'current=$(az rest --method get --url "$url" \\',
        "  --query 'properties.certificates[].[certificate.thumbprint, storeName, certificate.subject]' \\",
        "  --output tsv | tr -d '\\r')",
        "have=()",
        "foreign=()",
        "while IFS=$'\\t' read -r thumb store subject; do",
        '  [ -n "$thumb" ] || continue',
        "  thumb=$(printf '%s' \"$thumb\" | tr '[:lower:]' '[:upper:]')",
        '  have+=("$thumb/$store")',
        "  found=no",
        '  for entry in "${ours[@]}"; do',
        "    IFS=$'\\t' read -r t s _ <<<\"$entry\"",
        '    if [ "$t/$s" = "$thumb/$store" ]; then found=yes; fi',
        "  done",
        '  if [ "$found" = no ]; then foreign+=("$thumb  store $store  $subject"); fi',
        'done <<<"$current"',
        "added=()",
        'for entry in "${ours[@]}"; do',
        "  IFS=$'\\t' read -r t s f <<<\"$entry\"",
        "  found=no",
        '  for key in ${have[@]+"${have[@]}"}; do',
        '    if [ "$key" = "$t/$s" ]; then found=yes; fi',
        "  done",
        '  if [ "$found" = no ]; then added+=("$f (SHA-1 $t, store $s)"); fi',
        "done",
        "",
        'if [ "$replace" = no ]; then',
        "  stop=no",
        "  total=$(( ${#have[@]} + ${#added[@]} ))",
        '  if [ "$total" -gt "$limit" ]; then',
        '    echo "stop: the service has ${#have[@]} CA certificates; keeping them and adding the ${#added[@]} new" \\',
        '      "ones makes $total, more than APIM\'s limit of $limit" >&2',
        "    stop=yes",
        "  fi",
        '  if [ "${#foreign[@]}" -gt 0 ]; then',
        '    echo "stop: writing this list would remove ${#foreign[@]} CA certificate(s) the service has:" >&2',
        '    for c in "${foreign[@]}"; do echo "  $c" >&2; done',
        '    echo "to keep them, add their files to the bundle and run certconv split --emit azcli again;" \\',
        '      "to remove them on purpose, run this script with --replace" >&2',
        "    stop=yes",
        "  fi",
        '  if [ "$stop" = yes ]; then',
        '    echo "Nothing was written." >&2',
        "    exit 1",
        "  fi",
        "fi",
        'if [ "${#added[@]}" -eq 0 ] && [ "${#foreign[@]}" -eq 0 ]; then',
        '  echo "nothing to do: the service already has all ${#ours[@]} CA certificates of this list;" \\',
        '    "nothing was written"',
        "  exit 0",
        "fi",
        "",
        "body=$(cat <<'JSON'",
        body,
        "JSON",
        ")",
        "",
        "az rest --method patch \\",
        '  --url "$url" \\',
        '  --headers "Content-Type=application/json" \\',
        '  --body "$body"',
        'for c in ${added[@]+"${added[@]}"}; do echo "added: $c"; done',
        'for c in ${foreign[@]+"${foreign[@]}"}; do echo "removed (--replace): $c"; done',
        'echo "written: ${#ours[@]} CA certificates; applying takes 15 minutes or more"',
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
