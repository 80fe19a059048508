"""What Azure takes, as data: targets, stores, limits, portal places, ARM/REST settings.

Every fact about an Azure service that certconv relies on is written here once;
the planner, the snippets, ``UPLOAD.md`` and the console summary read it from
here. Data only: nothing here reads a certificate or renders text.

========================  =============================================  ==================================
target                    what Azure takes                               files
========================  =============================================  ==================================
``apim``                  CA certificates, store Root / CertificateAuth.  DER ``.cer`` (the default output)
``apim-v2``               backend ``tls`` thumbprints (no CA upload)      ``.cer`` + ``backend_tls`` settings
``apim-selfhosted``       CA certificates as certificate-only PFX         ``.pfx``, empty password
``appgw-v2``              trusted root certificate, Base-64 ``.cer``       root as Base-64 ``.cer``
``appgw-v1``              authentication certificate = backend leaf        leaf as Base-64 ``.cer``
``all``                   all of the above
========================  =============================================  ==================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..base._enums import AzureTarget, Form, Format, SnippetLanguage, coerce, values
from ..pki._model import Role

__all__ = [
    "APIM_CA_LIMIT",
    "APIM_LIST_COMMAND",
    "APIM_STORES",
    "API_VERSION",
    "FACTS",
    "PORTAL_ZH",
    "SERVICE_URL",
    "SINGLE_TARGETS",
    "SNIPPET_FILES",
    "SNIPPET_LANGUAGES",
    "STORE_HELP",
    "TARGETS",
    "TargetFacts",
    "apim_store",
    "default_format",
    "targets_of",
]

TARGETS = values(AzureTarget)
"""What ``split(target=...)`` accepts (the values of :class:`AzureTarget`); ``all`` means every other one."""

SINGLE_TARGETS = tuple(t for t in AzureTarget if t is not AzureTarget.ALL)

SNIPPET_LANGUAGES = values(SnippetLanguage)
"""What ``split(emit=...)`` accepts (the values of :class:`SnippetLanguage`): APIM CA-certificate snippets."""

APIM_CA_LIMIT = 10
"""APIM accepts at most this many CA certificates (roots + intermediates)."""

APIM_LIST_COMMAND = "az apim show --resource-group <group> --name <service> --query certificates"
"""Lists the CA certificates a service has now (thumbprint, subject, expiry, store; never the bytes)."""

APIM_STORES: Mapping[str, str | None] = MappingProxyType({role.value: role.apim_store for role in Role})
"""The APIM CA-certificate store of each role (by :class:`~certconv.Role` value); a leaf is not uploaded there.

Derived from :attr:`certconv.Role.apim_store`, where the values keep this one fact."""

STORE_HELP = {"Root": "trusted root CA", "CertificateAuthority": "intermediate CA"}
"""What each APIM store holds, in a few words for people."""


def apim_store(role: Role) -> str | None:
    """The APIM CA-certificate store for ``role``: ``Root``, ``CertificateAuthority`` or ``None`` (a leaf)."""
    return role.apim_store


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What one Azure target takes and where.

    Attributes:
        steps: Where in the Azure portal the files go: one path (service first,
            then the blades) per step, in the order a person takes them.
        settings: The ARM/REST properties the files (or their thumbprints) end up in, by
            what goes there: ``ca`` (APIM CA certificates), ``server`` and ``issuer``
            (APIM v2 backend ``tls``), ``pfx`` (self-hosted gateway), ``file`` (App Gateway).
        form: The form of the extra file the target adds beside the ``.cer``, if any:
            ``pfx`` (certificate-only, empty password) or ``pem`` (Base-64 ``.cer``).
    """

    steps: tuple[tuple[str, ...], ...]
    settings: Mapping[str, str]
    form: Form | None = None

    @property
    def place(self) -> str:
        """The portal place as one line (``Destination.place`` in ``manifest.json``)."""
        return ", then ".join(" → ".join(step) for step in self.steps)


FACTS: Mapping[AzureTarget, TargetFacts] = {
    AzureTarget.APIM: TargetFacts(
        (("API Management", "Security", "Certificates", "CA certificates"),),
        {"ca": "properties.certificates[].encodedCertificate"},
    ),
    AzureTarget.APIM_V2: TargetFacts(
        (("API Management (v2 tier)", "Backends", "your backend", "TLS settings"),),
        {
            "server": "properties.tls.serverCertificateThumbprints[]",
            "issuer": "properties.tls.serverX509Names[].issuerCertificateThumbprint",
        },
    ),
    AzureTarget.APIM_SELFHOSTED: TargetFacts(
        (
            ("API Management", "Security", "Certificates"),
            ("Self-hosted gateways", "your gateway", "Certificate authorities"),
        ),
        {"pfx": "service/certificates properties.data; gateways/certificateAuthorities properties.isTrusted"},
        Form.PFX,
    ),
    AzureTarget.APPGW_V2: TargetFacts(
        (("Application Gateway (v2)", "Backend settings", "Trusted root certificate"),),
        {"file": "properties.trustedRootCertificates[].properties.data"},
        Form.PEM,
    ),
    AzureTarget.APPGW_V1: TargetFacts(
        (("Application Gateway (v1)", "HTTP settings", "Authentication certificate"),),
        {"file": "properties.authenticationCertificates[].properties.data"},
        Form.PEM,
    ),
}
"""The facts of each single target."""

PORTAL_ZH = {
    "Security": "安全",
    "Certificates": "证书",
    "Certificate": "证书",
    "CA certificates": "CA 证书",
    "+ Add": "添加",
    "Add": "添加",
    "Store": "存储",
    "Save": "保存",
    "Updating": "正在更新",
    "Backends": "后端",
    "+ Create new backend": "新建后端",
    "Custom": "自定义",
    "Password": "密码",
    "Deployment + infrastructure": "部署 + 基础结构",
    "Self-hosted gateways": "自承载网关",
    "Certificate authorities": "证书颁发机构",
    "Trusted": "受信任",
    "Backend settings": "后端设置",
    "Backend server's certificate is issued by a well-known CA": "后端服务器证书由知名 CA 颁发",
    "No": "否",
    "Trusted root certificate": "受信任的根证书",
    "Backend health": "后端运行状况",
    "HTTP settings": "HTTP 设置",
    "Authentication certificates": "身份验证证书",
}
"""What the labels of the Azure portal (in English) mean in Chinese; ``UPLOAD.md`` shows both: **Save（保存）**."""

API_VERSION = "2022-08-01"
"""``Microsoft.ApiManagement/service`` API version the snippets use (GA, has ``certificates``)."""

SERVICE_URL = (
    "https://management.azure.com/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    "/providers/Microsoft.ApiManagement/service/{serviceName}?api-version=" + API_VERSION
)
"""The ARM URL of an API Management service (REST ``PATCH`` of ``properties.certificates``)."""

SNIPPET_FILES = {
    SnippetLanguage.BICEP: "apim-ca-certificates.bicep",
    SnippetLanguage.ARM: "apim-ca-certificates.arm.json",
    SnippetLanguage.TERRAFORM: "apim-ca-certificates.tf",
    SnippetLanguage.POWERSHELL: "apim-ca-certificates.ps1",
    SnippetLanguage.AZCLI: "apim-ca-certificates.azcli.sh",
    SnippetLanguage.REST: "apim-ca-certificates.rest.json",
}
"""The file each ``emit`` language is written to, inside ``out``."""


def targets_of(target: str) -> tuple[AzureTarget, ...]:
    """The single targets ``target`` stands for (``all`` → every one).

    Raises:
        UsageError: ``target`` is not one of :data:`TARGETS`.
    """
    member = coerce(AzureTarget, target, "target")
    return SINGLE_TARGETS if member is AzureTarget.ALL else (member,)


def default_format(target: str) -> Format:
    """The ``.cer`` encoding a target wants when none is asked for: Base-64 (``pem``) when all it adds is that."""
    forms = {FACTS[t].form for t in targets_of(target)}
    return Format.PEM if forms == {Form.PEM} else Format.DER
