"""Plan, then write: plan_split decides every file without touching the disk, write_split writes a plan."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import fields
from pathlib import Path

import pytest
from pki import Pki, to_pem
from test_x509 import rewritten, self_signed_rsa
from typer.testing import CliRunner

import certconv
from certconv import AzureTarget, UsageError
from certconv.azure import _plan
from certconv.azure._facts import FACTS, PORTAL_ZH
from certconv.azure._guide_text import EN, ZH
from certconv.bundle._chain import build_bundle
from certconv.cli import app
from certconv.output._manifest import certificate_json
from certconv.readers._read import read_source

ALL_LANGUAGES = ["bicep", "arm", "terraform", "powershell", "azcli", "rest"]


def test_plan_split_writes_nothing(pki: Pki, tmp_path: Path) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    plan = certconv.plan_split(bundle, tmp_path / "out", target="all")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []
    assert plan.out == tmp_path / "out"
    assert plan.names[-1] == "manifest.json" and "UPLOAD.md" in plan.names


def test_writing_a_plan_writes_exactly_its_files(pki: Pki, tmp_path: Path) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    plan = certconv.plan_split(bundle, tmp_path / "out", emit=ALL_LANGUAGES)
    manifest = certconv.write_split(plan)
    written = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert written == dict(plan.files)
    assert manifest == plan.manifest


def test_a_plan_shows_forms_destinations_snippets_and_the_manifest(pki: Pki, tmp_path: Path) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    plan = certconv.plan_split(bundle, tmp_path, target="all", emit=["rest", "bicep"])
    assert set(plan.snippets) == {"apim-ca-certificates.rest.json", "apim-ca-certificates.bicep"}
    assert "loadFileAsBase64" in plan.snippets["apim-ca-certificates.bicep"]
    forms = {e.file: e.form for e in plan.manifest.entries}
    assert {"der", "pem", "pfx"} == set(forms.values())
    root_cer = next(e for e in plan.manifest.entries if e.certificate.role is certconv.Role.ROOT and e.form == "der")
    assert [d.target for d in root_cer.destinations] == ["apim"]
    assert json.loads(plan.files["manifest.json"]) == plan.manifest.to_dict()
    assert plan.upload_guide == plan.files["UPLOAD.md"].decode("utf-8")
    assert "bytes" not in repr(plan) and "BEGIN" not in repr(plan) and "target=all" in repr(plan)


def test_split_is_load_plan_write(pki: Pki, tmp_path: Path) -> None:
    data = to_pem(pki.chain)
    certconv.split(data, tmp_path / "a", emit=ALL_LANGUAGES)
    certconv.write_split(certconv.plan_split(certconv.load(data), tmp_path / "b", emit=ALL_LANGUAGES))
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    manifest_a, manifest_b = json.loads(a.pop("manifest.json")), json.loads(b.pop("manifest.json"))
    assert a == b
    assert manifest_a == manifest_b


def test_the_old_call_form_of_write_split_still_writes(pki: Pki, tmp_path: Path) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    manifest = certconv.write_split(bundle, tmp_path / "out", format="pem", target="appgw-v2")
    assert manifest.target == "appgw-v2" and manifest.format == "pem"
    assert (tmp_path / "out" / "manifest.json").exists()


def test_write_split_refuses_options_beside_a_plan(pki: Pki, tmp_path: Path) -> None:
    plan = certconv.plan_split(certconv.load(to_pem(pki.chain)), tmp_path / "out")
    with pytest.raises(UsageError, match="a plan carries its folder"):
        certconv.write_split(plan, target="all")  # type: ignore[call-overload]
    with pytest.raises(UsageError, match="needs the output folder"):
        certconv.write_split(certconv.load(to_pem(pki.chain)))  # type: ignore[call-overload]
    assert not (tmp_path / "out").exists()


def test_split_checks_its_options_once_before_reading(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = _plan.split_options

    def counting(*args: object) -> _plan.SplitOptions:
        calls.append(args)
        return real(*args)  # type: ignore[arg-type]

    import certconv._api

    monkeypatch.setattr(certconv._api, "split_options", counting)
    monkeypatch.setattr(_plan, "split_options", counting)
    certconv.split(to_pem(pki.chain), tmp_path / "out", target="all", emit=["rest"])
    assert len(calls) == 1
    with pytest.raises(UsageError):  # refused before the missing file is looked at
        certconv.split(tmp_path / "missing.pem", tmp_path / "other", target="appgw-v2", emit=["rest"])


def test_plan_split_refuses_what_split_refuses(pki: Pki, tmp_path: Path) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    for options in ({"emit": "rest"}, {"emit": ["rest"], "format": "pem"}, {"target": "nope"}):
        with pytest.raises(UsageError):
            certconv.plan_split(bundle, tmp_path, **options)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="NUL"):
        certconv.plan_split(bundle, "out\0")


def test_chaining_knows_no_azure_limit_and_load_adds_it(pki: Pki) -> None:
    from pki import issue

    cas = to_pem([issue(f"Root {i}", ca=True) for i in range(11)])
    assert "apim-ca-limit" not in [w.code for w in build_bundle([read_source(certconv.Source("x.pem", cas))]).warnings]
    assert [w.code for w in certconv.load(cas).warnings][-1] == "apim-ca-limit"


def test_one_certificate_json_for_manifest_inspect_and_fetch(pki: Pki, tmp_path: Path) -> None:
    data = to_pem(pki.chain)
    manifest = certconv.split(data, tmp_path / "out")
    inspected = certconv.inspect(data).to_dict()["certificates"]
    for entry, shown in zip(manifest.entries, inspected, strict=True):
        expected = {"file": entry.file, **certificate_json(entry.certificate)}
        assert {k: v for k, v in entry.to_dict().items() if k in expected} == expected
        assert {k: shown[k] for k in expected} == expected
    result = certconv.FetchResult("tls://x:443", None, manifest.bundle.certificates, manifest.bundle, "full-chain", "")  # type: ignore[arg-type]
    assert result.to_dict()["certificates"] == [certificate_json(c) for c in manifest.bundle.certificates]
    assert [c["file"] for c in result.to_dict(manifest)["certificates"]] == list(manifest.files)


def test_role_and_certificate_apim_store_still_answer(pki: Pki) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    assert certconv.Role.ROOT.apim_store == "Root" and certconv.Role.LEAF.apim_store is None
    assert [c.apim_store for c in bundle.certificates] == ["Root", "CertificateAuthority", None]


# -- Azure facts, the guide's languages -----------------------------------------------------


def test_every_single_target_has_its_facts() -> None:
    assert set(FACTS) == {t for t in AzureTarget if t is not AzureTarget.ALL}


def test_both_languages_fill_every_message_and_gloss_every_portal_label() -> None:
    unglossed = {"APIs"}  # the portal shows it untranslated
    for field in fields(EN):
        en, zh = getattr(EN, field.name), getattr(ZH, field.name)
        if not isinstance(en, str):
            continue
        assert en.strip() and zh.strip(), field.name
        assert set(re.findall(r"\{(\w+)\}", zh)) <= set(re.findall(r"\{(\w+)\}", en)), field.name
        for label in re.findall(r"\[\[\*?(.+?)\*?\]\]", en + zh):
            assert label in PORTAL_ZH or label in unglossed, label


def test_upload_guide_shows_portal_labels_bold_in_english_and_glossed_in_chinese(pki: Pki, tmp_path: Path) -> None:
    plan = certconv.plan_split(certconv.load(to_pem(pki.chain)), tmp_path, target="all")
    english, chinese = plan.upload_guide.split("## 简体中文", 1)
    assert "select **Save**." in english and "[[" not in english
    assert "**Save（保存）**" in chinese and "*Updating（正在更新）*" in chinese and "[[" not in chinese


# -- one human date format ------------------------------------------------------------------


@pytest.fixture(scope="module")
def year_6_pem() -> bytes:
    """A self-signed certificate valid from 0005-01-02 to 0006-01-02."""
    made = self_signed_rsa(
        "year6.example", dt.datetime(2050, 1, 2, 3, 4, 5, tzinfo=dt.UTC), dt.datetime(2060, 1, 2, tzinfo=dt.UTC)
    )
    cert = rewritten(rewritten(made, b"20500102030405Z", b"00050102030405Z"), b"20600102000000Z", b"00060102000000Z")
    return cert.pem


def test_year_6_is_0006_in_every_human_rendering(year_6_pem: bytes, tmp_path: Path) -> None:
    # apim-selfhosted uploads a .pfx, so UPLOAD.md lists the .cer (and its end date) as not uploaded.
    manifest = certconv.split(year_6_pem, tmp_path / "split", target="apim-selfhosted")
    texts = {
        "split summary": certconv.render_split(manifest),
        "UPLOAD.md": (tmp_path / "split" / "UPLOAD.md").read_text(encoding="utf-8"),
        "inspect": certconv.inspect(year_6_pem).render(),
        "convert": certconv.render_conversion(certconv.convert(year_6_pem, tmp_path / "c.cer", to="der")),
        "warning": " ".join(w.message for w in manifest.bundle.warnings),
    }
    for what, text in texts.items():
        assert "0006-01-02" in text, what
        assert not re.search(r"(?<![\d-])6-01-02", text), what


def test_cli_split_and_inspect_print_four_digit_years(year_6_pem: bytes, tmp_path: Path) -> None:
    source = tmp_path / "y.pem"
    source.write_bytes(year_6_pem)
    runner = CliRunner()
    for args in (["split", str(source), "--out", str(tmp_path / "o")], ["inspect", str(source)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "0006-01-02" in result.stdout
