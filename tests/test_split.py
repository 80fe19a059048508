"""Writing: one .cer per certificate, manifest.json, safe names, all-or-nothing, never outside --out."""

from __future__ import annotations

import json
import os
import stat
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from pki import Pki, issue, serialize, to_pem

import certconv
from certconv import Role

HEX40 = set("0123456789ABCDEF")


def test_split_writes_one_der_file_per_certificate_and_a_manifest(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = certconv.split(serialize(pki, "pfx"), out, password="changeit")
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest.files, "manifest.json", "UPLOAD.md"])
    written = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".cer"}
    assert sorted(written.values()) == sorted(i.der for i in pki.chain)
    assert manifest.files == (
        "root-Test_Root_CA.cer",
        "intermediate-Test_Intermediate_CA.cer",
        "leaf-wildcard.backend.example.cer",
    )


def test_manifest_follows_schema_1(pki: Pki, tmp_path: Path) -> None:
    certconv.split(serialize(pki, "pfx"), tmp_path, password="changeit")
    doc = json.loads((tmp_path / "manifest.json").read_text())
    assert doc["schema"] == 1 and doc["tool"] == f"certconv {certconv.__version__}"
    assert doc["inputs"] == ["<bytes>"]
    by_role = {c["role"]: c for c in doc["certificates"]}
    root, inter, leaf = by_role["root"], by_role["intermediate"], by_role["leaf"]
    for entry, issued in ((root, pki.root), (inter, pki.intermediate), (leaf, pki.leaf)):
        data = (tmp_path / entry["file"]).read_bytes()
        assert data == issued.der
        cert = x509.load_der_x509_certificate(data)
        assert entry["sha1"] == cert.fingerprint(hashes.SHA1()).hex().upper()
        assert entry["sha256"] == cert.fingerprint(hashes.SHA256()).hex().upper()
        assert set(entry["sha1"]) <= HEX40 and len(entry["sha1"]) == 40 and len(entry["sha256"]) == 64
        assert entry["serial"] == format(cert.serial_number, "x")
        assert entry["subject"] == cert.subject.rfc4514_string()
        assert entry["not_after"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (root["apim_store"], inter["apim_store"], leaf["apim_store"]) == ("Root", "CertificateAuthority", None)
    assert (root["self_signed"], inter["self_signed"], leaf["self_signed"]) == (True, False, False)
    assert (root["ca"], inter["ca"], leaf["ca"]) == (True, True, False)
    assert (root["issuer_sha1"], inter["issuer_sha1"], leaf["issuer_sha1"]) == (None, root["sha1"], inter["sha1"])
    assert (root["has_private_key"], inter["has_private_key"], leaf["has_private_key"]) == (False, False, True)
    assert doc["chains"] == [[leaf["sha1"], inter["sha1"], root["sha1"]]]
    assert doc["warnings"] == []


def test_pem_format_writes_base64_cer_files(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(to_pem(pki.chain), tmp_path, format="pem")
    for entry in manifest.entries:
        text = (tmp_path / entry.file).read_bytes()
        assert text.startswith(b"-----BEGIN CERTIFICATE-----")
        reread = x509.load_pem_x509_certificate(text).public_bytes(serialization.Encoding.DER)
        assert reread == entry.certificate.der


def test_out_folder_and_parents_are_created(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "c"
    certconv.split(to_pem(pki.chain), out)
    assert (out / "manifest.json").is_file()


def test_existing_files_are_never_overwritten_without_force(pki: Pki, tmp_path: Path) -> None:
    certconv.split(to_pem(pki.chain), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    (tmp_path / "root-Test_Root_CA.cer").write_bytes(b"mine")
    with pytest.raises(certconv.OutputExistsError, match=r"\(use force=True to overwrite\)"):
        certconv.split(to_pem(pki.chain), tmp_path)
    assert (tmp_path / "root-Test_Root_CA.cer").read_bytes() == b"mine"
    assert {p.name for p in tmp_path.iterdir()} == set(before)
    certconv.split(to_pem(pki.chain), tmp_path, force=True)
    assert (tmp_path / "root-Test_Root_CA.cer").read_bytes() == pki.root.der


def test_failure_leaves_a_new_out_folder_absent(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    with pytest.raises(certconv.CertconvError):
        certconv.split([to_pem(pki.chain), b"garbage that is no certificate"], out)
    assert not (tmp_path / "new").exists()


def test_write_error_midway_rolls_back_and_restores_replaced_files(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certconv.split(to_pem(pki.chain), tmp_path)
    original = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # after some files have already been moved into place
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    other = issue("Other Root", ca=True)
    with pytest.raises(certconv.OutputError, match="nothing was written"):
        certconv.split(to_pem([*pki.chain, other]), tmp_path, force=True)
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == original


def test_planted_symlink_is_replaced_not_followed(pki: Pki, tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_bytes(b"precious")
    (out / "root-Test_Root_CA.cer").symlink_to(victim)
    with pytest.raises(certconv.OutputExistsError):
        certconv.split(to_pem(pki.chain), out)
    certconv.split(to_pem(pki.chain), out, force=True)
    assert victim.read_bytes() == b"precious"
    assert not (out / "root-Test_Root_CA.cer").is_symlink()
    assert (out / "root-Test_Root_CA.cer").read_bytes() == pki.root.der


def test_out_that_is_a_file_is_refused(pki: Pki, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(certconv.UnsafeOutputError):
        certconv.split(to_pem(pki.chain), target)


def test_certificates_are_world_readable_whatever_the_umask(pki: Pki, tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        certconv.split(to_pem(pki.chain), tmp_path)
    finally:
        os.umask(old)
    assert {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == {0o644}


def test_no_staging_leftovers(pki: Pki, tmp_path: Path) -> None:
    certconv.split(to_pem(pki.chain), tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_private_key_is_never_written_by_split(pki: Pki, tmp_path: Path) -> None:
    certconv.split(serialize(pki, "pem"), tmp_path)
    for path in tmp_path.iterdir():
        assert b"PRIVATE KEY" not in path.read_bytes()


# -- names ---------------------------------------------------------------------------


def names_for(*subjects: x509.Name) -> list[str]:
    bundle = certconv.load(to_pem([issue(s, ca=True) for s in subjects]))
    return sorted(certconv.file_names(bundle.certificates).values())


def cn(value: str) -> x509.Name:
    # _validate=False: real CAs have issued CNs longer than RFC 5280's 64 characters
    # (cryptography still warns about it, which is expected here).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value, _validate=False)])


@pytest.mark.parametrize(
    "subject",
    [
        "../../etc/passwd",
        "..\\..\\Windows\\System32",
        "CON",
        "nul.txt",
        "-rf",
        ".hidden",
        "a\x00b\x07c\nd",
        "evil\u202etxt.exe",
        'a<b>c:d"e|f?g*h',
        "x" * 500,
        "   ",
    ],
)
def test_hostile_subjects_give_safe_names(subject: str) -> None:
    (name,) = names_for(cn(subject))
    stem = name.removesuffix(".cer")
    assert name.startswith("root-") and name.endswith(".cer")
    assert not set(name) & set('/\\<>:"|?*\x00\n\x07\u202e')
    assert ".." not in name and len(name) <= 80
    assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


def test_non_latin_names_stay_readable() -> None:
    assert names_for(cn("中国根证书"), cn("Корневой УЦ")) == ["root-Корневой_УЦ.cer", "root-中国根证书.cer"]


def test_empty_subject_gets_a_name() -> None:
    assert names_for(x509.Name([])) == ["root-unnamed.cer"]


def test_colliding_names_get_thumbprint_suffixes() -> None:
    bundle = certconv.load(to_pem([issue("Same CA", ca=True), issue("same ca", ca=True), issue("Other", ca=True)]))
    names = certconv.file_names(bundle.certificates)
    same = sorted(n for c, n in names.items() if c.common_name.casefold() == "same ca")
    assert len({n.casefold() for n in names.values()}) == 3
    assert all(n.removesuffix(".cer").rsplit("-", 1)[1] in {c.sha1[:8] for c in bundle.certificates} for n in same)
    assert names[next(c for c in bundle.certificates if c.common_name == "Other")] == "root-Other.cer"


def test_roles_are_in_the_names(pki: Pki) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    for cert, file in certconv.file_names(bundle.certificates).items():
        assert file.startswith(cert.role.value + "-")
    assert {c.role for c in bundle.certificates} == set(Role)


def test_manifest_file_has_one_line_per_certificate_and_parses_to_the_manifest(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(to_pem(pki.chain), tmp_path)
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(text) == manifest.to_dict()
    entry_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"file": ')]
    assert [json.loads(line.strip().rstrip(","))["file"] for line in entry_lines] == list(manifest.files)


def test_new_out_folder_gets_usual_permissions(pki: Pki, tmp_path: Path) -> None:
    certconv.split(to_pem(pki.chain), tmp_path / "out")
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
