"""``UPLOAD.md``: numbered portal steps for exactly the files of one split, in English and Simplified Chinese.

Each step names the file, the portal blade, the store (or setting), and the
thumbprint Azure shows afterwards, so a user can check the upload worked. Only
certconv's safe file names and hex thumbprints go into the text verbatim; names
from certificates are reduced to printable characters and Markdown-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._enums import AzureTarget
from ._model import Manifest, ManifestEntry, Role
from ._text import printable
from ._version import __version__

__all__ = ["UPLOAD_NAME", "upload_guide"]

UPLOAD_NAME = "UPLOAD.md"

_MD_SPECIAL = str.maketrans({ch: f"\\{ch}" for ch in "\\`*_[]<>|#"})


def _plain(text: str, limit: int = 80) -> str:
    """``text`` as one line of Markdown-inert characters (no controls, bidi or markup)."""
    kept = printable(text)
    kept = kept if len(kept) <= limit else kept[: limit - 1] + "…"
    return kept.translate(_MD_SPECIAL)


def _code(text: str) -> str:
    """``text`` fit for a Markdown code span: one line of visible characters, no backticks."""
    return printable(text).replace("`", "?")


def _with(manifest: Manifest, target: AzureTarget) -> list[tuple[ManifestEntry, str | None, bool | None]]:
    """Entries with a destination of ``target``: (entry, store, trusted), in manifest order."""
    found = []
    for entry in manifest.entries:
        for dest in entry.destinations:
            if dest.target == target:
                found.append((entry, dest.store, dest.trusted))
                break
    return found


def upload_guide(manifest: Manifest) -> str:
    """The text of ``UPLOAD.md`` for ``manifest`` (English first, then Simplified Chinese)."""

    # Only what the certificates decide goes in (not the input names), so the same
    # certificates in any packaging give the same UPLOAD.md.
    count = len(manifest.entries)
    head = [
        "# UPLOAD.md — certconv",
        "",
        f"certconv {__version__}, target `{manifest.target}`: "
        f"{count} certificate file{'s' if count != 1 else ''}; details in `manifest.json`.",
        "",
        "[English](#english) · [简体中文](#简体中文)",
        "",
    ]
    en = ["## English", ""]
    zh = ["## 简体中文", ""]
    for part in _parts(manifest):
        en += _SECTIONS_EN[part](manifest)
        zh += _SECTIONS_ZH[part](manifest)
    en += _leftovers_en(manifest)
    zh += _leftovers_zh(manifest)
    return "\n".join([*head, *en, *zh]).rstrip("\n") + "\n"


def _parts(manifest: Manifest) -> list[AzureTarget]:
    from ._azure import targets_of

    return list(targets_of(manifest.target or "apim"))


def _cert_line(entry: ManifestEntry) -> str:
    c = entry.certificate
    return f"{_plain(c.common_name)}, SHA-1 `{c.sha1}`, expires {c.not_after:%Y-%m-%d}"


# -- English -------------------------------------------------------------------------------


def _apim_en(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APIM)
    lines = ["### Azure API Management: CA certificates", ""]
    if not items:
        return [
            *lines,
            "Nothing to upload: the input holds no CA certificate (root or intermediate). "
            "Add the CA certificates to the input, or run `certconv fetch` against the backend.",
            "",
        ]
    lines += [
        "For the Developer, Basic, Standard and Premium tiers (not Consumption, not the v2 tiers).",
        "",
        "1. In the Azure portal, open your API Management service → **Security** → **Certificates** → "
        "tab **CA certificates**.",
    ]
    n = 2
    for entry, store, _ in items:
        lines += [
            f"{n}. Select **+ Add**, choose the file `{entry.file}`, set **Store** to **{store}**, select **Save**.",
            f"   The list then shows it with thumbprint `{entry.certificate.sha1}` "
            f"({_plain(entry.certificate.subject)}).",
        ]
        n += 1
    lines += [
        f"{n}. Wait: applying CA certificates takes about 15 minutes (or more); the service shows *Updating* "
        "until it is done. Then call the API again.",
        "",
        f"At most 10 CA certificates fit; these are {len(items)}. Uploading the full-chain PFX or the backend's "
        "own (leaf) certificate here does not help.",
        "",
    ]
    return lines


def _apim_v2_en(manifest: Manifest) -> list[str]:
    lines = ["### Azure API Management v2 tiers: backend TLS settings", ""]
    if not manifest.backend_tls:
        return [
            *lines,
            "Nothing to set: the input holds no backend (end-entity) certificate. "
            "Run `certconv fetch` against the backend to get it.",
            "",
        ]
    lines += [
        "The v2 tiers have no CA-certificate upload: trust is set on the backend entity "
        "(`properties.tls`). Nothing needs uploading; the thumbprints below are what you enter.",
        "",
        "1. In the Azure portal, open your API Management service → **APIs** → **Backends**; select the backend "
        "for this server (or **+ Create new backend** with its URL).",
    ]
    n = 2
    for tls in manifest.backend_tls:
        if tls.by_issuer is not None:
            lines += [
                f"{n}. For `{_code(tls.name)}`: keep certificate chain and name validation on, and trust "
                f"server certificates named `{_code(tls.name)}` issued by thumbprint `{tls.issuer_sha1}` "
                "(`serverX509Names`; survives renewal of the server certificate). As REST/ARM:",
                "",
                "   ```json",
                *("   " + line for line in json.dumps({"properties": {"tls": tls.by_issuer}}, indent=2).splitlines()),
                "   ```",
                "",
                f"   Or pin the server certificate itself, thumbprint `{tls.server.sha1}` "
                "(`serverCertificateThumbprints`; must be changed when it is renewed).",
            ]
        else:
            lines += [
                f"{n}. For `{_code(tls.name)}`: the input lacks its issuer, so pin the server certificate, "
                f"thumbprint `{tls.server.sha1}` (`serverCertificateThumbprints`):",
                "",
                "   ```json",
                *(
                    "   " + line
                    for line in json.dumps({"properties": {"tls": tls.by_thumbprint}}, indent=2).splitlines()
                ),
                "   ```",
            ]
        n += 1
    lines += [f"{n}. Save, then call the API again. The same values are in `manifest.json` (`backend_tls`).", ""]
    return lines


def _selfhosted_en(manifest: Manifest) -> list[str]:
    items = [(e, t) for e, _, t in _with(manifest, AzureTarget.APIM_SELFHOSTED)]
    lines = ["### Azure API Management self-hosted gateway: CA certificates", ""]
    if not items:
        return [*lines, "Nothing to upload: the input holds no CA certificate (root or intermediate).", ""]
    lines += ["1. In the Azure portal, open your API Management service → **Security** → **Certificates**."]
    n = 2
    for entry, _ in items:
        lines.append(
            f"{n}. Select **+ Add**, **Certificate**: *Custom*, choose `{entry.file}`, leave **Password** empty, "
            f"select **Add**. It is listed with thumbprint `{entry.certificate.sha1}`."
        )
        n += 1
    lines.append(
        f"{n}. Open **Deployment + infrastructure** → **Self-hosted gateways** → your gateway → "
        "**Certificate authorities** → **+ Add**, once per certificate:"
    )
    for entry, trusted in items:
        tick = "tick **Trusted**" if trusted else "leave **Trusted** unticked"
        flag = f"`isTrusted: {str(trusted).lower()}`"
        lines.append(f"   - `{entry.file}` ({entry.certificate.role.value}): {tick} ({flag}).")
    lines += [f"{n + 1}. The gateway picks the change up with its configuration; then call the API again.", ""]
    return lines


def _appgw_v2_en(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APPGW_V2)
    lines = ["### Azure Application Gateway v2: trusted root certificate", ""]
    if not items:
        return [
            *lines,
            "Nothing to upload: the input holds no root CA (self-signed) certificate. "
            "Add the root to the input, or run `certconv fetch --complete` against the backend.",
            "",
        ]
    lines += [
        "1. In the Azure portal, open your Application Gateway → **Backend settings** → the HTTPS setting of this "
        "backend.",
        "2. Set **Backend server's certificate is issued by a well-known CA** to **No**.",
    ]
    n = 3
    for entry, _, _ in items:
        lines.append(
            f"{n}. Under **Trusted root certificate**, upload `{entry.file}` (Base-64 .cer) with a name you choose, "
            f"select **Save**. Its thumbprint is `{entry.certificate.sha1}`."
        )
        n += 1
    lines += [f"{n}. Check **Backend health** after the update completes (a few minutes).", ""]
    return lines


def _appgw_v1_en(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APPGW_V1)
    lines = ["### Azure Application Gateway v1: authentication certificate", ""]
    if not items:
        return [*lines, "Nothing to upload: the input holds no backend (end-entity) certificate.", ""]
    lines += ["1. In the Azure portal, open your Application Gateway (v1) → **HTTP settings** → the HTTPS setting."]
    n = 2
    for entry, _, _ in items:
        lines.append(
            f"{n}. Under **Authentication certificates**, upload `{entry.file}` (Base-64 .cer, the backend's own "
            f"certificate) with a name you choose, select **Save**. Its thumbprint is `{entry.certificate.sha1}`."
        )
        n += 1
    lines += [f"{n}. Check **Backend health** after the update completes (a few minutes).", ""]
    return lines


def _leftovers_en(manifest: Manifest) -> list[str]:
    idle = _idle(manifest)
    if not idle:
        return []
    return [
        "### Files not uploaded",
        "",
        *(f"- `{e.file}`: {_cert_line(e)}; kept for reference, not needed by this target." for e in idle),
        "",
    ]


# -- 简体中文 ---------------------------------------------------------------------------------


def _apim_zh(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APIM)
    lines = ["### Azure API 管理：CA 证书", ""]
    if not items:
        return [
            *lines,
            "无需上传：输入中没有 CA 证书（根证书或中间证书）。请把 CA 证书加入输入，或对后端运行 `certconv fetch`。",
            "",
        ]
    lines += [
        "适用于开发人员、基本、标准和高级层（不适用于消耗层和 v2 层）。",
        "",
        "1. 在 Azure 门户中打开 API 管理服务 → **Security（安全）** → **Certificates（证书）** → "
        "**CA certificates（CA 证书）** 选项卡。",
    ]
    n = 2
    for entry, store, _ in items:
        lines += [
            f"{n}. 选择 **+ Add（添加）**，选择文件 `{entry.file}`，将 **Store（存储）** 设为 **{store}**，"
            "然后选择 **Save（保存）**。",
            f"   列表中应显示其指纹 `{entry.certificate.sha1}`（{_plain(entry.certificate.subject)}）。",
        ]
        n += 1
    lines += [
        f"{n}. 等待：CA 证书生效大约需要 15 分钟（或更久），期间服务显示 *Updating（正在更新）*。完成后再调用 API。",
        "",
        f"最多可上传 10 个 CA 证书；这里共 {len(items)} 个。在此上传完整链 PFX 或后端自身的（叶）证书无济于事。",
        "",
    ]
    return lines


def _apim_v2_zh(manifest: Manifest) -> list[str]:
    lines = ["### Azure API 管理 v2 层：后端 TLS 设置", ""]
    if not manifest.backend_tls:
        return [*lines, "无需设置：输入中没有后端（终端实体）证书。请对后端运行 `certconv fetch` 获取。", ""]
    lines += [
        "v2 层不支持上传 CA 证书：信任关系在后端实体上设置（`properties.tls`）。无需上传文件，只需填写下列指纹。",
        "",
        "1. 在 Azure 门户中打开 API 管理服务 → **APIs** → **Backends（后端）**，选择该服务器对应的后端"
        "（或用其 URL **+ Create new backend（新建后端）**）。",
    ]
    n = 2
    for tls in manifest.backend_tls:
        if tls.by_issuer is not None:
            lines += [
                f"{n}. 对 `{_code(tls.name)}`：保持证书链和名称验证开启，信任名称为 `{_code(tls.name)}`、"
                f"由指纹 `{tls.issuer_sha1}` 签发的服务器证书（`serverX509Names`；服务器证书续订后仍有效）。"
                "REST/ARM 写法：",
                "",
                "   ```json",
                *("   " + line for line in json.dumps({"properties": {"tls": tls.by_issuer}}, indent=2).splitlines()),
                "   ```",
                "",
                f"   或者直接固定服务器证书本身，指纹 `{tls.server.sha1}`"
                "（`serverCertificateThumbprints`；续订后须更新）。",
            ]
        else:
            lines += [
                f"{n}. 对 `{_code(tls.name)}`：输入中缺少其签发者，因此固定服务器证书，指纹 `{tls.server.sha1}`"
                "（`serverCertificateThumbprints`）：",
                "",
                "   ```json",
                *(
                    "   " + line
                    for line in json.dumps({"properties": {"tls": tls.by_thumbprint}}, indent=2).splitlines()
                ),
                "   ```",
            ]
        n += 1
    lines += [f"{n}. 保存后再调用 API。同样的值也在 `manifest.json`（`backend_tls`）中。", ""]
    return lines


def _selfhosted_zh(manifest: Manifest) -> list[str]:
    items = [(e, t) for e, _, t in _with(manifest, AzureTarget.APIM_SELFHOSTED)]
    lines = ["### Azure API 管理自承载网关：CA 证书", ""]
    if not items:
        return [*lines, "无需上传：输入中没有 CA 证书（根证书或中间证书）。", ""]
    lines += ["1. 在 Azure 门户中打开 API 管理服务 → **Security（安全）** → **Certificates（证书）**。"]
    n = 2
    for entry, _ in items:
        lines.append(
            f"{n}. 选择 **+ Add（添加）**，**Certificate（证书）** 选 *Custom（自定义）*，选择 `{entry.file}`，"
            f"**Password（密码）** 留空，选择 **Add（添加）**。列表中显示的指纹应为 `{entry.certificate.sha1}`。"
        )
        n += 1
    lines.append(
        f"{n}. 打开 **Deployment + infrastructure（部署 + 基础结构）** → **Self-hosted gateways（自承载网关）** → "
        "你的网关 → **Certificate authorities（证书颁发机构）** → **+ Add（添加）**，每个证书添加一次："
    )
    for entry, trusted in items:
        tick = "勾选 **Trusted（受信任）**" if trusted else "不要勾选 **Trusted（受信任）**"
        flag = f"`isTrusted: {str(trusted).lower()}`"
        lines.append(f"   - `{entry.file}`（{_ROLE_ZH[entry.certificate.role]}）：{tick}（{flag}）。")
    lines += [f"{n + 1}. 网关同步配置后生效，然后再调用 API。", ""]
    return lines


def _appgw_v2_zh(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APPGW_V2)
    lines = ["### Azure 应用程序网关 v2：受信任的根证书", ""]
    if not items:
        return [
            *lines,
            "无需上传：输入中没有根 CA（自签名）证书。请把根证书加入输入，或对后端运行 `certconv fetch --complete`。",
            "",
        ]
    lines += [
        "1. 在 Azure 门户中打开应用程序网关 → **Backend settings（后端设置）** → 该后端的 HTTPS 设置。",
        "2. 将 **Backend server's certificate is issued by a well-known CA（后端服务器证书由知名 CA 颁发）** "
        "设为 **No（否）**。",
    ]
    n = 3
    for entry, _, _ in items:
        lines.append(
            f"{n}. 在 **Trusted root certificate（受信任的根证书）** 下上传 `{entry.file}`（Base-64 .cer），名称自定，"
            f"选择 **Save（保存）**。其指纹为 `{entry.certificate.sha1}`。"
        )
        n += 1
    lines += [f"{n}. 更新完成后（几分钟）查看 **Backend health（后端运行状况）**。", ""]
    return lines


def _appgw_v1_zh(manifest: Manifest) -> list[str]:
    items = _with(manifest, AzureTarget.APPGW_V1)
    lines = ["### Azure 应用程序网关 v1：身份验证证书", ""]
    if not items:
        return [*lines, "无需上传：输入中没有后端（终端实体）证书。", ""]
    lines += ["1. 在 Azure 门户中打开应用程序网关（v1）→ **HTTP settings（HTTP 设置）** → 该 HTTPS 设置。"]
    n = 2
    for entry, _, _ in items:
        lines.append(
            f"{n}. 在 **Authentication certificates（身份验证证书）** 下上传 `{entry.file}`"
            "（Base-64 .cer，后端自身的证书），"
            f"名称自定，选择 **Save（保存）**。其指纹为 `{entry.certificate.sha1}`。"
        )
        n += 1
    lines += [f"{n}. 更新完成后（几分钟）查看 **Backend health（后端运行状况）**。", ""]
    return lines


def _leftovers_zh(manifest: Manifest) -> list[str]:
    idle = _idle(manifest)
    if not idle:
        return []
    return [
        "### 无需上传的文件",
        "",
        *(
            f"- `{e.file}`：{_plain(e.certificate.common_name)}，指纹 `{e.certificate.sha1}`；仅供参考，此目标不需要。"
            for e in idle
        ),
        "",
    ]


_ROLE_ZH = {Role.ROOT: "根证书", Role.INTERMEDIATE: "中间证书", Role.LEAF: "叶证书"}


def _idle(manifest: Manifest) -> Sequence[ManifestEntry]:
    return [e for e in manifest.entries if not e.destinations]


_SECTIONS_EN = {
    AzureTarget.APIM: _apim_en,
    AzureTarget.APIM_V2: _apim_v2_en,
    AzureTarget.APIM_SELFHOSTED: _selfhosted_en,
    AzureTarget.APPGW_V2: _appgw_v2_en,
    AzureTarget.APPGW_V1: _appgw_v1_en,
}
_SECTIONS_ZH = {
    AzureTarget.APIM: _apim_zh,
    AzureTarget.APIM_V2: _apim_v2_zh,
    AzureTarget.APIM_SELFHOSTED: _selfhosted_zh,
    AzureTarget.APPGW_V2: _appgw_v2_zh,
    AzureTarget.APPGW_V1: _appgw_v1_zh,
}
