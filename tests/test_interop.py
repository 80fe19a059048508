"""Real tools as oracles: what certconv writes is what openssl and keytool read and trust."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pki import Pki, serialize

import certconv

SAMPLES = Path(__file__).parent.parent / "samples"


def run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


@pytest.fixture(params=["ec", "rsa", "sample"])
def written(request: pytest.FixtureRequest, pki: Pki, rsa_pki: Pki, tmp_path: Path) -> certconv.Manifest:
    if request.param == "sample":
        return certconv.split(SAMPLES / "bundle.pfx", tmp_path, password="changeit")
    chain = pki if request.param == "ec" else rsa_pki
    return certconv.split(serialize(chain, "pfx"), tmp_path, password="changeit")


def test_openssl_reads_every_written_cer_as_der(written: certconv.Manifest) -> None:
    for entry in written.entries:
        path = Path(written.out) / entry.file
        fingerprint = run("openssl", "x509", "-inform", "der", "-in", str(path), "-noout", "-fingerprint", "-sha1")
        assert fingerprint.strip().split("=")[1].replace(":", "") == entry.certificate.sha1


def test_keytool_reads_every_written_cer(written: certconv.Manifest) -> None:
    for entry in written.entries:
        path = Path(written.out) / entry.file
        text = run("keytool", "-printcert", "-file", str(path))
        sha256 = entry.certificate.sha256
        assert ":".join(sha256[i : i + 2] for i in range(0, 64, 2)) in text


def test_openssl_verify_trusts_the_written_leaf_with_the_written_cas(written: certconv.Manifest) -> None:
    out = Path(written.out)
    pem: dict[str, list[str]] = {"root": [], "intermediate": [], "leaf": []}
    for entry in written.entries:
        target = out / (entry.file + ".pem")
        run("openssl", "x509", "-inform", "der", "-in", str(out / entry.file), "-out", str(target))
        pem[entry.certificate.role.value].append(str(target))
    (root,), (intermediate,), (leaf,) = pem["root"], pem["intermediate"], pem["leaf"]
    result = run("openssl", "verify", "-CAfile", root, "-untrusted", intermediate, leaf)
    assert result.strip().endswith(": OK")


def test_split_agrees_with_openssl_pkcs12_on_what_the_sample_holds(tmp_path: Path) -> None:
    pem = run("openssl", "pkcs12", "-in", str(SAMPLES / "bundle.pfx"), "-passin", "pass:changeit", "-nokeys")
    from_openssl = certconv.load(pem.encode())
    from_pfx = certconv.load(SAMPLES / "bundle.pfx", password="changeit")
    assert [c.der for c in from_openssl.certificates] == [c.der for c in from_pfx.certificates]
    assert [c.role for c in from_openssl.certificates] == [c.role for c in from_pfx.certificates]
