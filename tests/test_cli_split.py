"""The split command as users run it: summary, JSON, quiet, passwords, stdin, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pki import Pki, serialize, to_pem
from typer.testing import CliRunner

from certconv.cli import app

SAMPLES = Path(__file__).parent.parent / "samples"
PASSWORD = "pa55-Wörd!"  # distinctive, so a leak into any output is found


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def pfx(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "bundle.pfx"
    from pki import to_pfx

    path.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=PASSWORD.encode()))
    return path


def test_summary_tells_which_file_goes_to_which_apim_store(runner: CliRunner, pfx: Path, tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    result = runner.invoke(app, ["split", str(pfx), "--password-file", str(pw), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("root-Test_Root_CA.cer" in line and "store Root" in line for line in lines)
    assert any(
        "intermediate-Test_Intermediate_CA.cer" in line and "store CertificateAuthority" in line for line in lines
    )
    assert any(line.startswith("Do not upload leaf-wildcard.backend.example.cer") for line in lines)
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    for cert in manifest["certificates"]:
        assert any(cert["sha1"] in line and cert["file"] in line for line in lines)
    assert PASSWORD not in result.output


def test_json_prints_the_manifest(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = runner.invoke(app, ["split", str(src), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((tmp_path / "o" / "manifest.json").read_text())


def test_quiet_prints_nothing(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = runner.invoke(app, ["split", str(src), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    assert len(list((tmp_path / "o").glob("*.cer"))) == 3


def test_password_env(runner: CliRunner, pfx: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["split", str(pfx), "--password-env", "BUNDLE_PW", "--out", str(tmp_path / "o"), "-q"],
        env={"BUNDLE_PW": PASSWORD},
    )
    assert result.exit_code == 0, result.output


def test_password_on_the_command_line_warns_it_is_visible(runner: CliRunner, pfx: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["split", str(pfx), "--password", PASSWORD, "--out", str(tmp_path / "o")])
    assert result.exit_code == 0
    assert "visible to other local users" in result.stderr
    assert PASSWORD not in result.output


def test_prompts_for_a_missing_password_on_a_terminal(
    runner: CliRunner, pfx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    monkeypatch.setattr("certconv.cli._io._stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["split", str(pfx), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    assert asked == ["PKCS#12 password: "]


def test_missing_password_without_a_terminal_is_a_one_line_error(runner: CliRunner, pfx: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["split", str(pfx), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "password-protected" in result.stderr
    assert not (tmp_path / "o").exists()


def test_wrong_password_error_never_shows_the_password(runner: CliRunner, pfx: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["split", str(pfx), "--password", "hunter2-secret", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "wrong password" in result.stderr
    assert "hunter2-secret" not in result.output


def test_stdin_input(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    result = runner.invoke(app, ["split", "-", "--out", str(tmp_path / "o"), "--json"], input=serialize(pki, "der-p7b"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inputs"] == ["<stdin>"]


def test_unreadable_input_is_one_line_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\n")
    result = runner.invoke(app, ["split", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    known = "PEM, DER, PKCS#7, PKCS#12 or a Java keystore"
    expected = f"error: {bad}: not a certificate format certconv knows (expected {known})\n"
    assert result.stderr == expected


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["split", str(tmp_path / "x.pem")]).exit_code == 2  # --out missing
    both = ["split", "x.pfx", "--out", str(tmp_path), "--password", "a", "--password-env", "B"]
    assert runner.invoke(app, both).exit_code == 2
    assert runner.invoke(app, ["split", "x.pfx", "--out", str(tmp_path), "--format", "xml"]).exit_code == 2


def test_existing_output_is_an_error_without_force(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    args = ["split", str(src), "--out", str(tmp_path / "o"), "-q"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_installed_command_runs_the_sample(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "certconv"
    result = subprocess.run(
        [
            str(exe),
            "split",
            str(SAMPLES / "bundle.pfx"),
            "--password-file",
            str(SAMPLES / "password.txt"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "store Root" in result.stdout and "store CertificateAuthority" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").glob("*.cer")) == [
        "intermediate-Contoso_Sample_Intermediate_CA.cer",
        "leaf-wildcard.backend.example.cer",
        "root-Contoso_Sample_Root_CA.cer",
    ]


def test_python_dash_m_works_and_errors_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "certconv", "split", str(tmp_path / "missing.pfx"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'missing.pfx'}: no such file\n"


LATIN1_PASSWORD = b"caf\xe9-\xfcber"  # what an old Windows export typed in Latin-1 holds


def openssl_pfx(pki: Pki, tmp_path: Path, *, legacy: bool) -> Path:
    """A PFX protected with LATIN1_PASSWORD, made by OpenSSL (cryptography only writes UTF-8 passwords)."""
    (tmp_path / "in.pem").write_bytes(to_pem([pki.leaf, pki.intermediate, pki.root], with_key=pki.leaf))
    (tmp_path / "pw.bin").write_bytes(LATIN1_PASSWORD + b"\n")
    out = tmp_path / ("legacy.pfx" if legacy else "modern.pfx")
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            *(["-legacy"] if legacy else []),
            "-in",
            str(tmp_path / "in.pem"),
            "-passout",
            f"file:{tmp_path / 'pw.bin'}",
            "-out",
            str(out),
        ],
        check=True,
    )
    return out


def test_latin1_password_opens_a_legacy_pfx_from_a_file(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    pfx = openssl_pfx(pki, tmp_path, legacy=True)
    pw = tmp_path / "pw.txt"
    pw.write_bytes(LATIN1_PASSWORD + b"\r\n")
    result = runner.invoke(app, ["split", str(pfx), "--password-file", str(pw), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["certificates"][2]["has_private_key"]


def test_latin1_password_of_a_modern_pfx_is_explained(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    pfx = openssl_pfx(pki, tmp_path, legacy=False)
    pw = tmp_path / "pw.txt"
    pw.write_bytes(LATIN1_PASSWORD)
    result = runner.invoke(app, ["split", str(pfx), "--password-file", str(pw), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "password is right but not UTF-8" in result.stderr
    assert not (tmp_path / "o").exists()


def test_non_utf8_password_from_the_environment_keeps_its_bytes(pki: Pki, tmp_path: Path) -> None:
    # A real process: the variable holds raw bytes, which Python decodes with surrogateescape.
    pfx = openssl_pfx(pki, tmp_path, legacy=True)
    env = {**os.environb, b"PFX_PW": LATIN1_PASSWORD}
    command = [sys.executable, "-m", "certconv", "split", str(pfx), "--password-env", "PFX_PW", "--out"]
    result = subprocess.run([*command, str(tmp_path / "o"), "-q"], env=env, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    wrong = subprocess.run(
        [*command, str(tmp_path / "o2")], env={**env, b"PFX_PW": b"\xff\xfe"}, capture_output=True, check=False
    )
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(b"error: ") and wrong.stderr.count(b"\n") == 1
    assert b"wrong password" in wrong.stderr
