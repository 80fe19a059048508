"""split --emit: each snippet lists every CA certificate exactly once, in the right store, and warns.

Structure is checked by parsing: JSON with ``json``, the Azure CLI script by running it
with a stand-in ``az`` under bash, Bicep/Terraform/PowerShell by reading the text
for the statements the languages define (no bicep/terraform/pwsh on this machine).
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pki import Issued, Pki, issue, to_pem
from typer.testing import CliRunner

import certconv
from certconv import TargetError
from certconv.cli import app

LANGS = ["bicep", "arm", "terraform", "powershell", "azcli", "rest"]
FILES = {
    "bicep": "apim-ca-certificates.bicep",
    "arm": "apim-ca-certificates.arm.json",
    "terraform": "apim-ca-certificates.tf",
    "powershell": "apim-ca-certificates.ps1",
    "azcli": "apim-ca-certificates.azcli.sh",
    "rest": "apim-ca-certificates.rest.json",
}


@pytest.fixture(scope="module", params=["apim", "all"])
def emitted(request: pytest.FixtureRequest, pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample chain split with every snippet language, for target apim and all."""
    out = tmp_path_factory.mktemp(f"emit-{request.param}")
    certconv.split(to_pem(pki.chain), out, target=request.param, emit=LANGS)
    return out


def expected(pki: Pki) -> list[tuple[str, bytes]]:
    """(storeName, DER) of every CA certificate: what every snippet must hold, each once."""
    return sorted([("Root", pki.root.der), ("CertificateAuthority", pki.intermediate.der)])


def from_json_list(certificates: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
    assert all(set(c) == {"encodedCertificate", "storeName"} for c in certificates)
    return sorted((c["storeName"], base64.b64decode(c["encodedCertificate"], validate=True)) for c in certificates)


def files_by_store(out: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """(storeName, DER) from (file, storeName) references; the file must be DER (openssl reads it so)."""
    result = []
    for file, store in pairs:
        path = out / file
        der = subprocess.run(
            ["openssl", "x509", "-in", str(path), "-inform", "DER", "-outform", "DER"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        assert der == path.read_bytes()
        result.append((store, der))
    return sorted(result)


def assert_warns(text: str) -> None:
    flat = " ".join(re.sub(r"^\s*(#|//)", "", line) for line in text.splitlines())
    assert "REPLACES the service's whole CA-certificate list" in flat
    assert "does not append" in flat
    assert "at most 10" in flat


def balanced(text: str) -> None:
    for opening, closing in ("{}", "[]", "()"):
        depth = 0
        for ch in text:
            depth += (ch == opening) - (ch == closing)
            assert depth >= 0
        assert depth == 0, opening


# -- JSON ---------------------------------------------------------------------------------------


def test_arm_template_is_json_with_every_ca_once_in_its_store(emitted: Path, pki: Pki) -> None:
    template = json.loads((emitted / FILES["arm"]).read_text())
    assert template["$schema"].endswith("deploymentTemplate.json#")
    (resource,) = template["resources"]
    assert resource["type"] == "Microsoft.ApiManagement/service"
    assert from_json_list(resource["properties"]["certificates"]) == expected(pki)
    assert_warns(resource["comments"])
    assert_warns(template["metadata"]["comments"])
    used = set(re.findall(r"parameters\('(\w+)'\)", json.dumps(template["resources"])))
    assert used <= set(template["parameters"])


def test_rest_request_is_json_patch_of_the_certificates(emitted: Path, pki: Pki) -> None:
    request = json.loads((emitted / FILES["rest"]).read_text())
    assert request["method"] == "PATCH"
    assert "/providers/Microsoft.ApiManagement/service/{serviceName}?api-version=" in request["url"]
    assert list(request["body"]) == ["properties"] and list(request["body"]["properties"]) == ["certificates"]
    assert from_json_list(request["body"]["properties"]["certificates"]) == expected(pki)
    assert_warns(request["comments"])


# -- Azure CLI: run it --------------------------------------------------------------------------


def test_azcli_script_sends_the_patch_when_run(emitted: Path, pki: Pki, tmp_path: Path) -> None:
    script = emitted / FILES["azcli"]
    assert subprocess.run(["bash", "-n", str(script)], check=False, timeout=60).returncode == 0
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "az"
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\0" "$@" > "$AZ_ARGS"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AZ_ARGS": str(tmp_path / "args"),
        "SUBSCRIPTION_ID": "sub-1",
        "RESOURCE_GROUP": "rg-1",
        "APIM_NAME": "apim-1",
    }
    run = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    args = (tmp_path / "args").read_text().split("\0")[:-1]
    assert args[:3] == ["rest", "--method", "patch"]
    url = args[args.index("--url") + 1]
    assert url.startswith(
        "https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-1/providers/"
        "Microsoft.ApiManagement/service/apim-1?api-version="
    )
    body = json.loads(args[args.index("--body") + 1])
    assert from_json_list(body["properties"]["certificates"]) == expected(pki)
    assert_warns(script.read_text())


def test_azcli_script_stops_without_its_variables(emitted: Path, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"]}
    run = subprocess.run(
        ["bash", str(emitted / FILES["azcli"])], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert run.returncode != 0 and "SUBSCRIPTION_ID" in run.stderr


# -- Azure CLI: read first, never drop -----------------------------------------------------------

QUERY = "properties.certificates[].[certificate.thumbprint, storeName, certificate.subject]"


def stand_in_az(
    tmp_path: Path, current: list[tuple[str, str, str]], *, crlf: bool = False
) -> tuple[dict[str, str], Path]:
    """A stand-in ``az`` on PATH: answers the GET with ``current`` (thumbprint, store, subject) as
    ``--output tsv`` prints it, and records every call's arguments (one file per call)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    calls.mkdir()
    answer = tmp_path / "current.tsv"
    end = "\r\n" if crlf else "\n"
    answer.write_text("".join("\t".join(row) + end for row in current), newline="")
    fake = bin_dir / "az"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'n=$(ls "$AZ_CALLS" | wc -l)\n'
        'printf "%s\\0" "$@" > "$AZ_CALLS/$n"\n'
        'if [ "$3" = get ]; then cat "$AZ_CURRENT"; fi\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AZ_CALLS": str(calls),
        "AZ_CURRENT": str(answer),
        "SUBSCRIPTION_ID": "sub-1",
        "RESOURCE_GROUP": "rg-1",
        "APIM_NAME": "apim-1",
    }
    return env, calls


def az_calls(calls: Path) -> list[list[str]]:
    return [(calls / name).read_text().split("\0")[:-1] for name in sorted(os.listdir(calls), key=int)]


def run_azcli(emitted: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = emitted / FILES["azcli"]
    return subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def ours(pki: Pki) -> list[tuple[str, str, str]]:
    return [
        (certconv.load(pki.root.der).certificates[0].sha1, "Root", "CN=Test Root CA, O=certconv tests"),
        (
            certconv.load(pki.intermediate.der).certificates[0].sha1,
            "CertificateAuthority",
            "CN=Test Intermediate CA, O=certconv tests",
        ),
    ]


FOREIGN = ("0123456789ABCDEF0123456789ABCDEF01234567", "Root", "CN=Other Backend Root, O=Contoso")


def test_azcli_script_reads_the_service_first_with_the_documented_query(
    emitted: Path, pki: Pki, tmp_path: Path
) -> None:
    env, calls = stand_in_az(tmp_path, [])
    run = run_azcli(emitted, env)
    assert run.returncode == 0, run.stderr
    get, patch = az_calls(calls)
    assert get[:3] == ["rest", "--method", "get"] and get[get.index("--query") + 1] == QUERY
    assert get[get.index("--output") + 1] == "tsv"
    assert patch[:3] == ["rest", "--method", "patch"] and patch[patch.index("--url") + 1] == get[get.index("--url") + 1]
    assert "added: root-" in run.stdout and "added: intermediate-" in run.stdout


def test_azcli_script_stops_before_any_write_when_the_service_has_a_foreign_certificate(
    emitted: Path, pki: Pki, tmp_path: Path
) -> None:
    env, calls = stand_in_az(tmp_path, [*ours(pki), FOREIGN])
    run = run_azcli(emitted, env)
    assert run.returncode == 1
    assert [c[2] for c in az_calls(calls)] == ["get"]  # read, never written
    assert f"{FOREIGN[0]}  store Root  CN=Other Backend Root, O=Contoso" in run.stderr
    assert "add their files to the bundle and run certconv split --emit azcli again" in run.stderr
    assert "--replace" in run.stderr and "Nothing was written." in run.stderr


def test_azcli_script_replace_removes_the_foreign_certificate_on_purpose(
    emitted: Path, pki: Pki, tmp_path: Path
) -> None:
    env, calls = stand_in_az(tmp_path, [*ours(pki), FOREIGN])
    run = run_azcli(emitted, env, "--replace")
    assert run.returncode == 0, run.stderr
    _get, patch = az_calls(calls)
    body = json.loads(patch[patch.index("--body") + 1])
    assert from_json_list(body["properties"]["certificates"]) == expected(pki)
    assert f"removed (--replace): {FOREIGN[0]}" in run.stdout


def test_azcli_script_stops_when_the_result_would_exceed_ten(emitted: Path, pki: Pki, tmp_path: Path) -> None:
    nine = [(f"{i:040X}", "CertificateAuthority", f"CN=Other CA {i}") for i in range(1, 10)]
    env, calls = stand_in_az(tmp_path, nine)
    run = run_azcli(emitted, env)
    assert run.returncode == 1
    assert [c[2] for c in az_calls(calls)] == ["get"]
    assert "the service has 9 CA certificates; keeping them and adding the 2 new ones makes 11" in " ".join(
        run.stderr.split()
    )
    assert "limit of 10" in run.stderr


def test_azcli_script_writes_nothing_when_every_certificate_is_there(emitted: Path, pki: Pki, tmp_path: Path) -> None:
    # az on Windows ends lines with CRLF; thumbprints may come in lowercase.
    present = [(t.lower(), store, subject) for t, store, subject in ours(pki)]
    env, calls = stand_in_az(tmp_path, present, crlf=True)
    run = run_azcli(emitted, env)
    assert run.returncode == 0, run.stderr
    assert [c[2] for c in az_calls(calls)] == ["get"]
    assert "nothing to do: the service already has all 2 CA certificates" in run.stdout


def test_azcli_script_adds_only_what_is_missing_and_says_so(emitted: Path, pki: Pki, tmp_path: Path) -> None:
    env, calls = stand_in_az(tmp_path, ours(pki)[:1])
    run = run_azcli(emitted, env)
    assert run.returncode == 0, run.stderr
    assert [c[2] for c in az_calls(calls)] == ["get", "patch"]  # one write
    assert "added: intermediate-" in run.stdout and "added: root-" not in run.stdout
    assert "written: 2 CA certificates" in run.stdout


def test_azcli_script_refuses_an_unknown_argument(emitted: Path, tmp_path: Path) -> None:
    env, calls = stand_in_az(tmp_path, [])
    run = run_azcli(emitted, env, "--replace-all")
    assert run.returncode == 2 and "usage" in run.stderr
    assert az_calls(calls) == []


def test_powershell_script_checks_the_service_list_before_setting_it(emitted: Path, pki: Pki) -> None:
    # No PowerShell here: check the text for the same logic as the Azure CLI script.
    text = (emitted / FILES["powershell"]).read_text("utf-8-sig")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert "[switch] $Replace" in lines
    rows = re.findall(
        r"\[pscustomobject\]@\{ Thumbprint = '([0-9A-F]{40})'; Store = '(\w+)'; File = '([^']+)' \}", text
    )
    assert sorted((t, s) for t, s, _ in rows) == sorted((t, s) for t, s, _ in ours(pki))
    order = [
        "$apim = Get-AzApiManagement -ResourceGroupName $ResourceGroupName -Name $ApimName",
        "if (-not $Replace) {",
        "if ($total -gt $limit) {",
        "if ($foreign.Count -gt 0) {",
        "exit 1",
        "if ($added.Count -eq 0 -and $foreign.Count -eq 0) {",
        "exit 0",
        "$apim.SystemCertificates = @(",
        "Set-AzApiManagement -InputObject $apim",
    ]
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)
    assert text.count("Set-AzApiManagement") == 1
    assert "$_.CertificateInformation.Thumbprint" in text and "ToUpperInvariant()" in text
    assert "run this script with -Replace" in text and "nothing to do" in text
    assert 'Write-Output "added: $($c.File)' in text


def test_template_snippets_keep_the_warning_and_name_the_listing_command(emitted: Path) -> None:
    for lang in ("bicep", "arm", "terraform", "rest", "azcli", "powershell"):
        text = (emitted / FILES[lang]).read_text("utf-8-sig")
        assert "az apim show --resource-group <group> --name <service> --query certificates" in text, lang
    guide = (emitted / "UPLOAD.md").read_text()
    assert guide.count("az apim show --resource-group <group> --name <service> --query certificates") == 2


# -- Bicep, Terraform, PowerShell: reference the written DER files -----------------------------


def test_bicep_loads_each_ca_file_once_with_its_store(emitted: Path, pki: Pki) -> None:
    text = (emitted / FILES["bicep"]).read_text()
    balanced(text)
    assert re.search(r"^resource apim 'Microsoft\.ApiManagement/service@[\d-]+' = \{$", text, re.M)
    pairs = re.findall(
        r"^\s*\{\s*\n\s*encodedCertificate: loadFileAsBase64\('([^']+)'\)\s*\n\s*storeName: '(\w+)'\s*\n\s*\}",
        text,
        re.M,
    )
    assert len(pairs) == text.count("loadFileAsBase64(") == text.count("storeName:")
    assert files_by_store(emitted, pairs) == expected(pki)
    declared = set(re.findall(r"^param (\w+) ", text, re.M))
    body = text.split("resource apim", 1)[1]
    assert {"apimName", "location", "skuName", "skuCapacity", "publisherEmail", "publisherName"} == declared
    for name in declared:
        assert re.search(rf"\b{name}\b", body), name
    assert_warns(text)


def test_terraform_has_one_certificate_block_per_ca_file(emitted: Path, pki: Pki) -> None:
    text = (emitted / FILES["terraform"]).read_text()
    balanced(text)
    assert text.count('resource "azurerm_api_management" "apim" {') == 1
    blocks = re.findall(
        r'^  certificate \{\n    encoded_certificate = filebase64\("\$\{path\.module\}/([^"]+)"\)\n'
        r'    store_name          = "(\w+)"\n  \}$',
        text,
        re.M,
    )
    assert len(blocks) == text.count("certificate {")
    assert files_by_store(emitted, blocks) == expected(pki)
    declared = set(re.findall(r'^variable "(\w+)"', text, re.M))
    assert set(re.findall(r"\bvar\.(\w+)", text)) == declared
    assert_warns(text)


def test_powershell_builds_the_whole_list_and_sets_it(emitted: Path, pki: Pki) -> None:
    text = (emitted / FILES["powershell"]).read_text("utf-8-sig")
    balanced(text)
    calls = re.findall(
        r"^    New-AzApiManagementSystemCertificate -StoreName '(\w+)' "
        r"-PfxPath \(Join-Path \$PSScriptRoot '([^']+)'\)$",
        text,
        re.M,
    )
    assert len(calls) == text.count("New-AzApiManagementSystemCertificate")
    assert files_by_store(emitted, [(f, s) for s, f in calls]) == expected(pki)
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "param("
    get = lines.index("$apim = Get-AzApiManagement -ResourceGroupName $ResourceGroupName -Name $ApimName")
    start = lines.index("$apim.SystemCertificates = @(")
    assert get < start < lines.index("Set-AzApiManagement -InputObject $apim")
    assert_warns(text)


def test_powershell_script_has_a_utf8_bom_so_windows_powershell_keeps_a_chinese_file_name(tmp_path: Path) -> None:
    # Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page: cp1252 turns
    # root-测试根证书.cer into mojibake and Join-Path points at a file that does not exist.
    root = issue("测试根证书", ca=True)
    manifest = certconv.split(to_pem([issue("中间 CA", root, ca=True), root]), tmp_path, emit=LANGS)
    data = (tmp_path / FILES["powershell"]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8-sig")
    assert "Join-Path $PSScriptRoot 'root-测试根证书.cer'" in text
    assert (tmp_path / "root-测试根证书.cer").is_file()
    assert FILES["powershell"] in manifest.documents
    # Only PowerShell wants the BOM: JSON parsers, bash and terraform would choke on or keep it.
    for lang, file in FILES.items():
        if lang != "powershell":
            assert not (tmp_path / file).read_bytes().startswith(b"\xef\xbb\xbf"), file


# -- rules across languages -------------------------------------------------------------------


def test_every_snippet_carries_the_warning(emitted: Path) -> None:
    for file in FILES.values():
        text = (emitted / file).read_text("utf-8-sig")
        if file.endswith(".json"):
            data = json.loads(text)
            text = data.get("comments") or data["metadata"]["comments"]
        assert_warns(text)


def test_only_the_languages_asked_for_are_written(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(to_pem(pki.chain), tmp_path, emit=["terraform", "rest", "terraform"])
    assert manifest.documents == ("UPLOAD.md", FILES["terraform"], FILES["rest"])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("apim-ca")) == sorted(
        [FILES["terraform"], FILES["rest"]]
    )


def test_emit_as_a_string_is_refused_with_a_hint_to_pass_a_list(pki: Pki, tmp_path: Path) -> None:
    # A string is a sequence of letters; the library does not parse the CLI's "bicep,rest".
    out = tmp_path / "o"
    with pytest.raises(certconv.UsageError, match=r"emit takes a list of languages, e\.g\. \['bicep', 'arm'\]"):
        certconv.split(to_pem(pki.chain), out, emit="bicep")
    assert not out.exists()


def test_emit_takes_enum_members_and_the_cli_splits_commas(pki: Pki, tmp_path: Path) -> None:
    langs = [certconv.SnippetLanguage.BICEP, "rest"]
    manifest = certconv.split(to_pem(pki.chain), tmp_path / "lib", emit=langs)
    assert manifest.documents == ("UPLOAD.md", FILES["bicep"], FILES["rest"])
    pem = tmp_path / "chain.pem"
    pem.write_bytes(to_pem(pki.chain))
    result = CliRunner().invoke(app, ["split", str(pem), "--out", str(tmp_path / "cli"), "--emit", "bicep, rest,"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "cli").iterdir() if p.name.startswith("apim-ca")) == sorted(
        [FILES["bicep"], FILES["rest"]]
    )


def test_a_self_signed_backend_goes_to_store_root(tmp_path: Path) -> None:
    backend = issue("selfsigned.backend.example", ca=False)
    certconv.split(backend.pem, tmp_path, emit=["arm"])
    template = json.loads((tmp_path / FILES["arm"]).read_text())
    assert from_json_list(template["resources"][0]["properties"]["certificates"]) == [("Root", backend.der)]


def test_more_than_ten_ca_certificates_are_refused(tmp_path: Path) -> None:
    root = issue("Many Root", ca=True)
    cas: list[Issued] = [root, *(issue(f"Many CA {i}", root, ca=True) for i in range(10))]
    with pytest.raises(TargetError, match="at most 10"):
        certconv.split(to_pem(cas), tmp_path / "o", emit=["bicep"])
    assert not (tmp_path / "o").exists()


def test_ten_ca_certificates_are_fine(tmp_path: Path) -> None:
    root = issue("Ten Root", ca=True)
    cas = [root, *(issue(f"Ten CA {i}", root, ca=True) for i in range(9))]
    certconv.split(to_pem(cas), tmp_path, emit=["rest"])
    body = json.loads((tmp_path / FILES["rest"]).read_text())["body"]
    assert len(body["properties"]["certificates"]) == 10


def test_leaf_only_input_is_refused_rather_than_emptying_the_list(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="empty list"):
        certconv.split(pki.leaf.pem, tmp_path / "o", emit=["rest"])


def test_unknown_language_is_a_value_error(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="yaml"):
        certconv.split(to_pem(pki.chain), tmp_path / "o", emit=["yaml"])
    assert not (tmp_path / "o").exists()


def test_split_summary_names_the_listing_command_and_the_scripts_check(pki: Pki, tmp_path: Path) -> None:
    pem = tmp_path / "chain.pem"
    pem.write_bytes(to_pem(pki.chain))
    result = CliRunner().invoke(app, ["split", str(pem), "--out", str(tmp_path / "o"), "--emit", "bicep,azcli"])
    assert result.exit_code == 0, result.output
    assert "What the service has now: az apim show --resource-group <group> --name <service> --query certificates" in (
        result.output
    )
    assert "apim-ca-certificates.azcli.sh read that list first and stop, writing nothing" in result.output
    only_templates = CliRunner().invoke(app, ["split", str(pem), "--out", str(tmp_path / "t"), "--emit", "bicep"])
    assert "read that list first" not in only_templates.output
