"""Pipelines: --fail-within on inspect, verify and fetch; convert --out - to standard output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from pki import DAY, NOW, Pki, issue, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

runner = CliRunner()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- --fail-within -------------------------------------------------------------------------


def test_inspect_fail_within_exits_3_with_one_line_per_certificate(pki: Pki, tmp_path: Path) -> None:
    short = issue("short.backend.example", pki.intermediate, not_after=NOW + 10 * DAY)
    gone = issue("gone.backend.example", pki.intermediate, not_after=NOW - 2 * DAY, not_before=NOW - 9 * DAY)
    bundle = write(tmp_path, "b.pem", short.pem + gone.pem + pki.intermediate.pem + pki.root.pem)
    result = runner.invoke(app, ["inspect", str(bundle), "--fail-within", "30"])
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("expired: leaf 'gone.backend.example'") and "2 days ago" in lines[0]
    assert lines[1].startswith("expires-soon: leaf 'short.backend.example'") and "within 30" in lines[1]
    # The tree is still printed on stdout, unchanged.
    assert "short.backend.example" in result.stdout


def test_inspect_fail_within_passes_when_nothing_expires_soon(pki: Pki, tmp_path: Path) -> None:
    bundle = write(tmp_path, "b.pem", pki.leaf.pem + pki.intermediate.pem)
    assert runner.invoke(app, ["inspect", str(bundle), "--fail-within", "30"]).exit_code == 0
    assert runner.invoke(app, ["inspect", str(bundle), "--fail-within", "400"]).exit_code == 3
    # Without the option, the exit code stays 0 whatever expires.
    assert runner.invoke(app, ["inspect", str(bundle)]).exit_code == 0


def test_inspect_fail_within_keeps_json_clean(pki: Pki, tmp_path: Path) -> None:
    import json

    bundle = write(tmp_path, "b.pem", pki.leaf.pem)
    result = runner.invoke(app, ["inspect", str(bundle), "--json", "--fail-within", "400"])
    assert result.exit_code == 3
    json.loads(result.stdout)  # stdout is the document alone
    assert "expires-soon" in result.stderr


def test_verify_fail_within_covers_the_uploaded_certificates(pki: Pki, tmp_path: Path) -> None:
    root = issue("Old Root CA", ca=True, not_after=NOW + 20 * DAY)
    intermediate = issue("Mid CA", root, ca=True)
    leaf = issue("api.backend.example", intermediate, san=["api.backend.example"], server_auth=True)
    chain = write(tmp_path, "chain.pem", leaf.pem + intermediate.pem)
    ca = write(tmp_path, "root.cer", root.der)
    result = runner.invoke(app, ["verify", str(chain), "--ca", str(ca), "--fail-within", "30"])
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if "Old Root CA" in line]
    assert "1 of 1 chain verified" in result.stdout
    assert runner.invoke(app, ["verify", str(chain), "--ca", str(ca), "--fail-within", "7"]).exit_code == 0


def test_fail_within_refuses_a_negative_or_huge_number(pki: Pki, tmp_path: Path) -> None:
    bundle = write(tmp_path, "b.pem", pki.leaf.pem)
    assert runner.invoke(app, ["inspect", str(bundle), "--fail-within", "-1"]).exit_code == 2
    assert runner.invoke(app, ["inspect", str(bundle), "--fail-within", "1e9"]).exit_code == 2
    with pytest.raises(certconv.UsageError):
        certconv.expiring([], within_days=float("nan"))


def test_expiring_library_form_is_soonest_first_and_unique(pki: Pki) -> None:
    bundle = certconv.load(pki.leaf.pem + pki.leaf.pem + pki.root.pem)
    found = certconv.expiring([*bundle.certificates, *bundle.certificates], within_days=400)
    assert [e.certificate.common_name for e in found] == ["*.backend.example"]
    assert not found[0].expired and found[0].days_left in (364, 365)


# -- convert --out - --------------------------------------------------------------------------


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The installed entry point as a pipeline runs it: stdout is a pipe, not a terminal."""
    exe = Path(sys.executable).parent / "certconv"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, timeout=120, check=False)


@pytest.mark.parametrize("form", ["der", "pem", "p7b", "fullchain", "chain"])
def test_convert_out_dash_writes_the_file_to_stdout_and_messages_to_stderr(form: str, pki: Pki, tmp_path: Path) -> None:
    source = write(tmp_path, "in.pem", pki.leaf.pem if form in ("der", "pem") else b"".join(i.pem for i in pki.chain))
    expected_file = tmp_path / f"expected.{form}"
    ref = run_cli(["convert", str(source), "--to", form, "--out", str(expected_file)], tmp_path)
    assert ref.returncode == 0, ref.stderr
    piped = run_cli(["convert", str(source), "--to", form, "--out", "-"], tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == expected_file.read_bytes()
    assert b"Wrote standard output" in piped.stderr
    assert not (tmp_path / "-").exists()


def test_convert_out_dash_pfx_is_a_readable_pkcs12(pki: Pki, tmp_path: Path) -> None:
    source = write(tmp_path, "in.pfx", to_pfx(pki.leaf, [pki.intermediate, pki.root], password=b"old"))
    password = write(tmp_path, "pw.txt", b"new-password\n")
    old = write(tmp_path, "old.txt", b"old\n")
    piped = run_cli(
        [
            "convert",
            str(source),
            "--password-file",
            str(old),
            "--to",
            "pfx",
            "--out",
            "-",
            "--new-password-file",
            str(password),
        ],
        tmp_path,
    )
    assert piped.returncode == 0, piped.stderr
    key, cert, extra = pkcs12.load_key_and_certificates(piped.stdout, b"new-password")
    assert key is not None and cert == pki.leaf.cert and len(extra) == 2
    assert not (tmp_path / "-").exists()


def test_convert_out_dash_p7b_der_parses(pki: Pki, tmp_path: Path) -> None:
    source = write(tmp_path, "in.pem", b"".join(i.pem for i in pki.chain))
    piped = run_cli(["convert", str(source), "--to", "p7b", "--out", "-", "-q"], tmp_path)
    assert piped.returncode == 0 and piped.stderr == b""
    assert {c.subject for c in pkcs7.load_der_pkcs7_certificates(piped.stdout)} == {i.cert.subject for i in pki.chain}


def test_library_never_writes_a_file_named_dash(pki: Pki, tmp_path: Path) -> None:
    source = write(tmp_path, "in.pem", pki.leaf.pem)
    with pytest.raises(certconv.UnsafeOutputError, match="a file named - is not written"):
        certconv.convert(source, tmp_path / "-", to="der")
    conversion = certconv.convert(source, None, to="der")
    assert x509.load_der_x509_certificate(conversion.data) == pki.leaf.cert
    assert conversion.out is None
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", [["split"], ["fetch", "127.0.0.1:1"]])
def test_folder_commands_refuse_out_dash(command: list[str], pki: Pki, tmp_path: Path) -> None:
    source = write(tmp_path, "in.pem", pki.leaf.pem)
    args = [*command, str(source)] if command == ["split"] else command
    result = runner.invoke(app, [*args, "--out", "-"])
    assert result.exit_code == 2
    assert "is for convert" in result.output
    assert not Path("-").exists()
