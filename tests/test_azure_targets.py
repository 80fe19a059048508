"""split --target: each Azure place gets its files in the form it accepts, and the manifest says where each goes.

openssl (and keytool for the self-hosted PFX) is the oracle for encodings and thumbprints.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pki import Issued, Pki, issue, to_pem
from typer.testing import CliRunner

import certconv
from certconv import Manifest, OutputExistsError, TargetError
from certconv.cli import app


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=False, timeout=60)


def sha1_by_openssl(path: Path, *, inform: str) -> str:
    out = openssl("x509", "-in", str(path), "-inform", inform, "-noout", "-fingerprint", "-sha1")
    assert out.returncode == 0, out.stderr
    return out.stdout.decode().strip().split("=", 1)[1].replace(":", "")


def der_by_openssl(path: Path, *, inform: str) -> bytes:
    out = openssl("x509", "-in", str(path), "-inform", inform, "-outform", "DER")
    assert out.returncode == 0, out.stderr
    return out.stdout


def manifest_json(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return data


def entry(manifest: dict[str, Any], file: str) -> dict[str, Any]:
    (found,) = [e for e in manifest["certificates"] if e["file"] == file]
    return found


def destinations(manifest: dict[str, Any], target: str) -> dict[str, list[dict[str, Any]]]:
    """file → its destinations for ``target`` (files without one left out)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for e in manifest["certificates"]:
        mine = [d for d in e["destinations"] if d["target"] == target]
        if mine:
            result[e["file"]] = mine
    return result


ROOT, INTER, LEAF = "root-Test_Root_CA", "intermediate-Test_Intermediate_CA", "leaf-wildcard.backend.example"


# -- apim (the default) ---------------------------------------------------------------------


def test_default_target_is_apim_der_files_with_stores_and_upload_guide(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{ROOT}.cer", f"{INTER}.cer", f"{LEAF}.cer", "manifest.json", "UPLOAD.md"]
    )
    for name, issued in ((ROOT, pki.root), (INTER, pki.intermediate), (LEAF, pki.leaf)):
        assert der_by_openssl(out / f"{name}.cer", inform="DER") == issued.der
    manifest = manifest_json(out)
    assert manifest["schema"] == 1 and manifest["target"] == "apim" and manifest["format"] == "der"
    placed = destinations(manifest, "apim")
    assert {f: [d["store"] for d in ds] for f, ds in placed.items()} == {
        f"{ROOT}.cer": ["Root"],
        f"{INTER}.cer": ["CertificateAuthority"],
    }
    assert entry(manifest, f"{LEAF}.cer")["destinations"] == []
    assert manifest["documents"] == ["UPLOAD.md"]


# -- App Gateway ------------------------------------------------------------------------------


def test_appgw_v2_writes_base64_cer_files_and_sends_only_the_root(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="appgw-v2")
    root = out / f"{ROOT}.cer"
    assert root.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert der_by_openssl(root, inform="PEM") == pki.root.der
    assert openssl("x509", "-in", str(root), "-inform", "DER", "-noout").returncode != 0  # really not DER
    manifest = manifest_json(out)
    assert manifest["format"] == "pem"
    placed = destinations(manifest, "appgw-v2")
    assert list(placed) == [f"{ROOT}.cer"]
    assert placed[f"{ROOT}.cer"][0]["setting"] == "properties.trustedRootCertificates[].properties.data"


def test_appgw_v2_with_der_format_adds_a_base64_copy_of_the_root(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="appgw-v2", format="der")
    assert der_by_openssl(out / f"{ROOT}.cer", inform="DER") == pki.root.der
    copy = out / f"{ROOT}-base64.cer"
    assert der_by_openssl(copy, inform="PEM") == pki.root.der
    manifest = manifest_json(out)
    assert list(destinations(manifest, "appgw-v2")) == [f"{ROOT}-base64.cer"]
    assert entry(manifest, f"{ROOT}-base64.cer")["form"] == "pem"


def test_appgw_v1_sends_the_backend_leaf_as_base64(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="appgw-v1")
    placed = destinations(manifest_json(out), "appgw-v1")
    assert list(placed) == [f"{LEAF}.cer"]
    assert (out / f"{LEAF}.cer").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert sha1_by_openssl(out / f"{LEAF}.cer", inform="PEM") == entry(manifest_json(out), f"{LEAF}.cer")["sha1"]


# -- self-hosted gateway --------------------------------------------------------------------------


def test_selfhosted_writes_certificate_only_pfx_with_empty_password(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="apim-selfhosted")
    assert not (out / f"{LEAF}.pfx").exists()
    for name, issued in ((ROOT, pki.root), (INTER, pki.intermediate)):
        pfx = out / f"{name}.pfx"
        certs = openssl("pkcs12", "-in", str(pfx), "-passin", "pass:", "-nokeys")
        assert certs.returncode == 0, certs.stderr
        assert openssl("x509", "-outform", "DER", data=certs.stdout).stdout == issued.der
        keys = openssl("pkcs12", "-in", str(pfx), "-passin", "pass:", "-nocerts", "-nodes")
        assert keys.returncode == 0 and b"PRIVATE KEY" not in keys.stdout
        assert openssl("pkcs12", "-in", str(pfx), "-passin", "pass:wrong", "-nokeys").returncode != 0


def test_selfhosted_pfx_opens_in_keytool_with_the_empty_password_only(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="apim-selfhosted")
    pfx = str(out / f"{ROOT}.pfx")
    args = ["keytool", "-list", "-storetype", "PKCS12", "-keystore", pfx]
    ok = subprocess.run([*args, "-storepass", ""], capture_output=True, text=True, check=False, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([*args, "-storepass", "wrong1"], capture_output=True, text=True, check=False, timeout=120)
    assert bad.returncode != 0  # keytool did check the integrity MAC with the empty password


def test_selfhosted_marks_only_the_root_trusted(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    certconv.split(to_pem(pki.chain), out, target="apim-selfhosted")
    placed = destinations(manifest_json(out), "apim-selfhosted")
    assert {f: ds[0]["is_trusted"] for f, ds in placed.items()} == {f"{ROOT}.pfx": True, f"{INTER}.pfx": False}
    assert entry(manifest_json(out), f"{ROOT}.pfx")["form"] == "pfx"


# -- APIM v2 --------------------------------------------------------------------------------------


def test_apim_v2_backend_tls_names_the_issuer_and_the_server_by_thumbprint(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = certconv.split(to_pem(pki.chain), out, target="apim-v2")
    data = manifest_json(out)
    (tls,) = data["backend_tls"]
    issuer_sha1 = sha1_by_openssl(out / f"{INTER}.cer", inform="DER")
    server_sha1 = sha1_by_openssl(out / f"{LEAF}.cer", inform="DER")
    assert tls["tls_by_issuer"] == {
        "validateCertificateChain": True,
        "validateCertificateName": True,
        "serverX509Names": [{"name": "*.backend.example", "issuerCertificateThumbprint": issuer_sha1}],
    }
    assert tls["tls_by_thumbprint"]["serverCertificateThumbprints"] == [server_sha1]
    placed = destinations(data, "apim-v2")
    assert set(placed) == {f"{INTER}.cer", f"{LEAF}.cer"}
    assert manifest.backend_tls[0].issuer_sha1 == issuer_sha1


def test_apim_v2_self_signed_backend_is_its_own_issuer(tmp_path: Path) -> None:
    backend = issue("selfsigned.backend.example", ca=False, san=["selfsigned.backend.example"])
    certconv.split(backend.pem, tmp_path, target="apim-v2")
    (tls,) = manifest_json(tmp_path)["backend_tls"]
    sha1 = tls["server_sha1"]
    assert tls["tls_by_issuer"]["serverX509Names"] == [
        {"name": "selfsigned.backend.example", "issuerCertificateThumbprint": sha1}
    ]


def test_apim_v2_leaf_without_its_issuer_can_only_be_pinned(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(pki.leaf.pem, tmp_path, target="apim-v2")
    (tls,) = manifest.backend_tls
    assert tls.by_issuer is None
    assert manifest_json(tmp_path)["backend_tls"][0]["tls_by_thumbprint"]["serverCertificateThumbprints"] == [
        tls.server.sha1
    ]
    assert "lacks its issuer" in (tmp_path / "UPLOAD.md").read_text(encoding="utf-8")


# -- all, names, all-or-nothing ----------------------------------------------------------------


def test_all_writes_every_form_once_with_unique_names(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = certconv.split(to_pem(pki.chain), out, target="all")
    names = [e.file for e in manifest.entries]
    assert len(names) == len({n.casefold() for n in names})
    assert sorted(names) == sorted(
        [
            f"{ROOT}.cer",
            f"{INTER}.cer",
            f"{LEAF}.cer",
            f"{ROOT}.pfx",
            f"{INTER}.pfx",
            f"{ROOT}-base64.cer",
            f"{LEAF}-base64.cer",
        ]
    )
    data = manifest_json(out)
    assert data["target"] == "all"
    for target in certconv.TARGETS[:-1]:
        assert destinations(data, target), target


def test_a_base64_copy_never_overwrites_another_certificates_file(tmp_path: Path) -> None:
    first = issue("Twin", ca=True)
    second = issue("Twin-base64", ca=True)  # its .cer is named like first's Base-64 copy
    manifest = certconv.split(to_pem([first, second]), tmp_path, target="appgw-v2", format="der")
    names = [e.file for e in manifest.entries]
    assert len(names) == len(set(names)) == 4
    for e in manifest.entries:
        inform = "PEM" if e.form == "pem" else "DER"
        assert der_by_openssl(tmp_path / e.file, inform=inform) == e.certificate.der


def test_an_existing_upload_guide_stops_the_whole_split(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "UPLOAD.md").write_text("mine")
    with pytest.raises(OutputExistsError):
        certconv.split(to_pem(pki.chain), tmp_path, target="all")
    assert [p.name for p in tmp_path.iterdir()] == ["UPLOAD.md"]
    assert (tmp_path / "UPLOAD.md").read_text() == "mine"


def test_unknown_target_is_a_value_error(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="target must be one of"):
        certconv.split(to_pem(pki.chain), tmp_path / "o", target="apim-v3")
    assert not (tmp_path / "o").exists()


def test_snippets_need_an_apim_target(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="target apim or all"):
        certconv.split(to_pem(pki.chain), tmp_path / "o", target="appgw-v2", emit=["bicep"])


def test_targets_without_material_write_files_and_say_so(pki: Pki, tmp_path: Path) -> None:
    # an intermediate alone: no root for appgw-v2, no backend certificate for appgw-v1
    manifest = certconv.split(pki.intermediate.pem, tmp_path, target="all")
    assert not manifest.backend_tls
    guide = (tmp_path / "UPLOAD.md").read_text(encoding="utf-8")
    assert "no root CA (self-signed) certificate" in guide
    assert "no backend (end-entity) certificate" in guide


# -- UPLOAD.md --------------------------------------------------------------------------------


def upload_guide(out: Path) -> tuple[str, str]:
    text = (out / "UPLOAD.md").read_text(encoding="utf-8")
    english, chinese = text.split("\n## 简体中文\n")
    return english, chinese


def test_upload_guide_has_numbered_steps_for_exactly_the_ca_files(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(to_pem(pki.chain), tmp_path)
    english, chinese = upload_guide(tmp_path)
    for text in (english, chinese):
        for entry_ in manifest.entries:
            if entry_.certificate.role is certconv.Role.LEAF:
                continue
            (step,) = [line for line in text.splitlines() if f"`{entry_.file}`" in line]
            assert step[0].isdigit() and f"**{entry_.certificate.apim_store}**" in step
            assert entry_.certificate.sha1 in text
        assert "15" in text and "CA certificates" in text
    assert "Security" in english and "15 minutes" in english
    assert "15 分钟" in chinese and "证书" in chinese
    assert f"`{LEAF}.cer`" in english.split("### Files not uploaded")[1]
    steps = [int(line.split(".")[0]) for line in english.splitlines() if line[:1].isdigit()]
    assert steps == list(range(1, len(steps) + 1))


def test_upload_guide_depends_on_the_certificates_not_their_packaging(pki: Pki, tmp_path: Path) -> None:
    from pki import to_p7b, to_pfx

    guides = []
    for i, data in enumerate(
        [
            to_pem(pki.chain),
            to_p7b([pki.root, pki.leaf, pki.intermediate]),
            to_pfx(pki.leaf, [pki.root, pki.intermediate, pki.root]),
        ]
    ):
        certconv.split(data, tmp_path / str(i), password="changeit", target="all")
        guides.append((tmp_path / str(i) / "UPLOAD.md").read_bytes())
    assert guides[0] == guides[1] == guides[2]


def _issued_with_cn(cn: str, issuer: Issued) -> Issued:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return issue(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]), issuer, ca=True)


def test_upload_guide_neutralises_markdown_in_certificate_names(pki: Pki, tmp_path: Path) -> None:
    odd = _issued_with_cn("Evil `CA`\n# Injected heading <script>", pki.root)
    certconv.split(to_pem([pki.root, odd]), tmp_path)
    text = (tmp_path / "UPLOAD.md").read_text(encoding="utf-8")
    assert not [line for line in text.splitlines() if line.startswith("# Injected")]
    assert "<script>" not in text


def test_summary_speaks_of_the_target(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = CliRunner().invoke(app, ["split", str(src), "--out", str(tmp_path / "o"), "--target", "all"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "for target all" in out.splitlines()[0]
    assert f"{ROOT}.pfx" in out and "isTrusted true" in out
    assert f"{ROOT}-base64.cer" in out and f"{LEAF}-base64.cer" in out
    assert "serverX509Names" in out and "UPLOAD.md" in out


def test_cli_target_appgw_v2_writes_pem_and_json_names_the_target(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = CliRunner().invoke(
        app, ["split", str(src), "--out", str(tmp_path / "o"), "--target", "appgw-v2", "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["target"] == "appgw-v2" and printed["format"] == "pem"
    assert der_by_openssl(tmp_path / "o" / f"{ROOT}.cer", inform="PEM") == pki.root.der


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--emit", "bicep,yaml"], "must be among bicep, arm, terraform, powershell, azcli, rest, not yaml"),
        (["--emit", "arm", "--target", "apim-selfhosted"], "use target apim or all, not apim-selfhosted"),
        (["--emit", "arm", "--format", "pem"], "reference the DER .cer files: use format der"),
        (["--target", "apim-v3"], "apim-v3"),
    ],
)
def test_cli_refuses_bad_target_and_emit_combinations(args: list[str], message: str, pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = CliRunner().invoke(app, ["split", str(src), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "o").exists()


def test_library_manifest_matches_the_file(pki: Pki, tmp_path: Path) -> None:
    manifest: Manifest = certconv.split(to_pem(pki.chain), tmp_path, target="all", emit=["arm"])
    assert json.loads(certconv.manifest_json(manifest)) == manifest_json(tmp_path)
    assert manifest.documents == ("UPLOAD.md", "apim-ca-certificates.arm.json")


def test_emit_without_ca_certificates_is_refused_and_nothing_is_written(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="empty list"):
        certconv.split(pki.leaf.pem, tmp_path / "o", emit=["bicep"])
    assert not (tmp_path / "o").exists()
