"""The words of ``UPLOAD.md``, one table per language; :mod:`certconv.azure._guide` renders them.

Each message is a template: ``{name}`` fields are filled with certconv's safe
file names, hex thumbprints and escaped certificate names; ``[[Label]]`` is a
label of the Azure portal, shown bold (``[[*Label*]]``: italic), in Chinese
with its meaning from :data:`certconv.azure._facts.PORTAL_ZH` beside it. A new
language is one more :class:`GuideText`; a new step is one more field in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..pki._model import Role

__all__ = ["EN", "LANGUAGES", "ZH", "GuideText"]


@dataclass(frozen=True, slots=True)
class GuideText:
    """Every message of ``UPLOAD.md`` in one language (see the module docstring for the template syntax)."""

    heading: str
    glossed: bool
    """Show the Chinese meaning beside each portal label."""
    roles: Mapping[Role, str]

    apim_title: str
    apim_none: str
    apim_tiers: str
    apim_open: str
    apim_add: str
    apim_listed: str
    apim_wait: str
    apim_limit: str
    apim_current: str

    v2_title: str
    v2_none: str
    v2_intro: str
    v2_open: str
    v2_by_issuer: str
    v2_or_pin: str
    v2_pin_only: str
    v2_done: str

    selfhosted_title: str
    selfhosted_none: str
    selfhosted_open: str
    selfhosted_add: str
    selfhosted_gateway: str
    selfhosted_item: str
    selfhosted_tick: str
    selfhosted_untick: str
    selfhosted_done: str

    appgw_v2_title: str
    appgw_v2_none: str
    appgw_v2_open: str
    appgw_v2_no_well_known: str
    appgw_v2_add: str
    appgw_v1_title: str
    appgw_v1_none: str
    appgw_v1_open: str
    appgw_v1_add: str
    appgw_health: str

    idle_title: str
    idle_item: str


EN = GuideText(
    heading="## English",
    glossed=False,
    roles={role: role.value for role in Role},
    apim_title="### Azure API Management: CA certificates",
    apim_none="Nothing to upload: the input holds no CA certificate (root or intermediate). "
    "Add the CA certificates to the input, or run `certconv fetch` against the backend.",
    apim_tiers="For the Developer, Basic, Standard and Premium tiers (not Consumption, not the v2 tiers).",
    apim_open="In the Azure portal, open your API Management service → [[Security]] → [[Certificates]] → "
    "tab [[CA certificates]].",
    apim_add="Select [[+ Add]], choose the file `{file}`, set [[Store]] to **{store}**, select [[Save]].",
    apim_listed="The list then shows it with thumbprint `{sha1}` ({subject}).",
    apim_wait="Wait: applying CA certificates takes about 15 minutes (or more); the service shows [[*Updating*]] "
    "until it is done. Then call the API again.",
    apim_limit="At most {limit} CA certificates fit; these are {count}. Uploading the full-chain PFX or the "
    "backend's own (leaf) certificate here does not help.",
    apim_current="Writing the list with a snippet (Bicep, ARM, Terraform, REST) replaces the service's whole "
    "CA-certificate list. See what the service has now with `{command}` and keep in the list every certificate "
    "another backend needs. The Azure CLI and PowerShell scripts check this themselves and stop rather than "
    "remove one.",
    v2_title="### Azure API Management v2 tiers: backend TLS settings",
    v2_none="Nothing to set: the input holds no backend (end-entity) certificate. "
    "Run `certconv fetch` against the backend to get it.",
    v2_intro="The v2 tiers have no CA-certificate upload: trust is set on the backend entity "
    "(`properties.tls`). Nothing needs uploading; the thumbprints below are what you enter.",
    v2_open="In the Azure portal, open your API Management service → [[APIs]] → [[Backends]]; select the backend "
    "for this server (or [[+ Create new backend]] with its URL).",
    v2_by_issuer="For `{name}`: keep certificate chain and name validation on, and trust server certificates "
    "named `{name}` issued by thumbprint `{issuer}` (`serverX509Names`; survives renewal of the server "
    "certificate). As REST/ARM:",
    v2_or_pin="Or pin the server certificate itself, thumbprint `{sha1}` "
    "(`serverCertificateThumbprints`; must be changed when it is renewed).",
    v2_pin_only="For `{name}`: the input lacks its issuer, so pin the server certificate, "
    "thumbprint `{sha1}` (`serverCertificateThumbprints`):",
    v2_done="Save, then call the API again. The same values are in `manifest.json` (`backend_tls`).",
    selfhosted_title="### Azure API Management self-hosted gateway: CA certificates",
    selfhosted_none="Nothing to upload: the input holds no CA certificate (root or intermediate).",
    selfhosted_open="In the Azure portal, open your API Management service → [[Security]] → [[Certificates]].",
    selfhosted_add="Select [[+ Add]], [[Certificate]]: [[*Custom*]], choose `{file}`, leave [[Password]] empty, "
    "select [[Add]]. It is listed with thumbprint `{sha1}`.",
    selfhosted_gateway="Open [[Deployment + infrastructure]] → [[Self-hosted gateways]] → your gateway → "
    "[[Certificate authorities]] → [[+ Add]], once per certificate:",
    selfhosted_item="   - `{file}` ({role}): {tick} ({flag}).",
    selfhosted_tick="tick [[Trusted]]",
    selfhosted_untick="leave [[Trusted]] unticked",
    selfhosted_done="The gateway picks the change up with its configuration; then call the API again.",
    appgw_v2_title="### Azure Application Gateway v2: trusted root certificate",
    appgw_v2_none="Nothing to upload: the input holds no root CA (self-signed) certificate. "
    "Add the root to the input, or run `certconv fetch --complete` against the backend.",
    appgw_v2_open="In the Azure portal, open your Application Gateway → [[Backend settings]] → the HTTPS setting of "
    "this backend.",
    appgw_v2_no_well_known="Set [[Backend server's certificate is issued by a well-known CA]] to [[No]].",
    appgw_v2_add="Under [[Trusted root certificate]], upload `{file}` (Base-64 .cer) with a name you choose, "
    "select [[Save]]. Its thumbprint is `{sha1}`.",
    appgw_v1_title="### Azure Application Gateway v1: authentication certificate",
    appgw_v1_none="Nothing to upload: the input holds no backend (end-entity) certificate.",
    appgw_v1_open="In the Azure portal, open your Application Gateway (v1) → [[HTTP settings]] → the HTTPS setting.",
    appgw_v1_add="Under [[Authentication certificates]], upload `{file}` (Base-64 .cer, the backend's own "
    "certificate) with a name you choose, select [[Save]]. Its thumbprint is `{sha1}`.",
    appgw_health="Check [[Backend health]] after the update completes (a few minutes).",
    idle_title="### Files not uploaded",
    idle_item="- `{file}`: {name}, SHA-1 `{sha1}`, expires {expires}; kept for reference, not needed by this target.",
)

ZH = GuideText(
    heading="## 简体中文",
    glossed=True,
    roles={Role.ROOT: "根证书", Role.INTERMEDIATE: "中间证书", Role.LEAF: "叶证书"},
    apim_title="### Azure API 管理：CA 证书",
    apim_none="无需上传：输入中没有 CA 证书（根证书或中间证书）。请把 CA 证书加入输入，或对后端运行 `certconv fetch`。",
    apim_tiers="适用于开发人员、基本、标准和高级层（不适用于消耗层和 v2 层）。",
    apim_open="在 Azure 门户中打开 API 管理服务 → [[Security]] → [[Certificates]] → [[CA certificates]] 选项卡。",
    apim_add="选择 [[+ Add]]，选择文件 `{file}`，将 [[Store]] 设为 **{store}**，然后选择 [[Save]]。",
    apim_listed="列表中应显示其指纹 `{sha1}`（{subject}）。",
    apim_wait="等待：CA 证书生效大约需要 15 分钟（或更久），期间服务显示 [[*Updating*]]。完成后再调用 API。",
    apim_limit="最多可上传 {limit} 个 CA 证书；这里共 {count} 个。在此上传完整链 PFX 或后端自身的（叶）证书无济于事。",
    apim_current="用代码片段（Bicep、ARM、Terraform、REST）写入列表会替换服务的整个 CA 证书列表。"
    "请先用 `{command}` 查看服务现有的证书，并在列表中保留其他后端需要的每一个证书。"
    "Azure CLI 和 PowerShell 脚本会自行检查，宁可停止也不会删除证书。",
    v2_title="### Azure API 管理 v2 层：后端 TLS 设置",
    v2_none="无需设置：输入中没有后端（终端实体）证书。请对后端运行 `certconv fetch` 获取。",
    v2_intro="v2 层不支持上传 CA 证书：信任关系在后端实体上设置（`properties.tls`）。无需上传文件，只需填写下列指纹。",
    v2_open="在 Azure 门户中打开 API 管理服务 → [[APIs]] → [[Backends]]，选择该服务器对应的后端"
    "（或用其 URL [[+ Create new backend]]）。",
    v2_by_issuer="对 `{name}`：保持证书链和名称验证开启，信任名称为 `{name}`、由指纹 `{issuer}` 签发的服务器证书"
    "（`serverX509Names`；服务器证书续订后仍有效）。REST/ARM 写法：",
    v2_or_pin="或者直接固定服务器证书本身，指纹 `{sha1}`（`serverCertificateThumbprints`；续订后须更新）。",
    v2_pin_only="对 `{name}`：输入中缺少其签发者，因此固定服务器证书，指纹 `{sha1}`"
    "（`serverCertificateThumbprints`）：",
    v2_done="保存后再调用 API。同样的值也在 `manifest.json`（`backend_tls`）中。",
    selfhosted_title="### Azure API 管理自承载网关：CA 证书",
    selfhosted_none="无需上传：输入中没有 CA 证书（根证书或中间证书）。",
    selfhosted_open="在 Azure 门户中打开 API 管理服务 → [[Security]] → [[Certificates]]。",
    selfhosted_add="选择 [[+ Add]]，[[Certificate]] 选 [[*Custom*]]，选择 `{file}`，[[Password]] 留空，"
    "选择 [[Add]]。列表中显示的指纹应为 `{sha1}`。",
    selfhosted_gateway="打开 [[Deployment + infrastructure]] → [[Self-hosted gateways]] → 你的网关 → "
    "[[Certificate authorities]] → [[+ Add]]，每个证书添加一次：",
    selfhosted_item="   - `{file}`（{role}）：{tick}（{flag}）。",
    selfhosted_tick="勾选 [[Trusted]]",
    selfhosted_untick="不要勾选 [[Trusted]]",
    selfhosted_done="网关同步配置后生效，然后再调用 API。",
    appgw_v2_title="### Azure 应用程序网关 v2：受信任的根证书",
    appgw_v2_none="无需上传：输入中没有根 CA（自签名）证书。"
    "请把根证书加入输入，或对后端运行 `certconv fetch --complete`。",
    appgw_v2_open="在 Azure 门户中打开应用程序网关 → [[Backend settings]] → 该后端的 HTTPS 设置。",
    appgw_v2_no_well_known="将 [[Backend server's certificate is issued by a well-known CA]] 设为 [[No]]。",
    appgw_v2_add="在 [[Trusted root certificate]] 下上传 `{file}`（Base-64 .cer），名称自定，"
    "选择 [[Save]]。其指纹为 `{sha1}`。",
    appgw_v1_title="### Azure 应用程序网关 v1：身份验证证书",
    appgw_v1_none="无需上传：输入中没有后端（终端实体）证书。",
    appgw_v1_open="在 Azure 门户中打开应用程序网关（v1）→ [[HTTP settings]] → 该 HTTPS 设置。",
    appgw_v1_add="在 [[Authentication certificates]] 下上传 `{file}`（Base-64 .cer，后端自身的证书），"
    "名称自定，选择 [[Save]]。其指纹为 `{sha1}`。",
    appgw_health="更新完成后（几分钟）查看 [[Backend health]]。",
    idle_title="### 无需上传的文件",
    idle_item="- `{file}`：{name}，指纹 `{sha1}`；仅供参考，此目标不需要。",
)

LANGUAGES = (EN, ZH)
"""The languages of ``UPLOAD.md``, in the order its sections appear."""
