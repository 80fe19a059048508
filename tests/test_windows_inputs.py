"""Password and PEM files as Windows tools write them, made here byte for byte.

Notepad and ``Out-File -Encoding utf8`` write UTF-8 with a byte-order mark;
Windows PowerShell 5.1's ``"pw" > pw.txt`` and ``Get-Content a.pem > b.pem``
write UTF-16LE with a BOM and CRLF line ends. Each must read as what the user
typed or saved (issue 10 §2).
"""

from __future__ import annotations

import base64
import codecs
import json
from pathlib import Path

import pytest
from pki import Pki, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

PASSWORD = "pässwörd密码"  # non-ASCII in Latin-1 and outside it, as a Chinese administrator may type


def powershell(text: str, encoding: str) -> bytes:
    """``text`` saved as the Windows tool named by ``encoding`` saves it (CRLF line ends)."""
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "utf-8-bom":  # Notepad, Out-File -Encoding utf8
        return codecs.BOM_UTF8 + crlf.encode("utf-8")
    if encoding == "utf-16le-bom":  # Windows PowerShell 5.1: > and Out-File
        return codecs.BOM_UTF16_LE + crlf.encode("utf-16-le")
    if encoding == "utf-16be-bom":  # Out-File -Encoding bigendianunicode
        return codecs.BOM_UTF16_BE + crlf.encode("utf-16-be")
    if encoding == "utf-32le-bom":  # Out-File -Encoding utf32
        return codecs.BOM_UTF32_LE + crlf.encode("utf-32-le")
    if encoding == "utf-8-crlf":  # PowerShell 7, or any editor keeping Windows line ends
        return crlf.encode("utf-8")
    raise ValueError(encoding)


ENCODINGS = ("utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-32le-bom", "utf-8-crlf")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def pfx(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "bundle.pfx"
    path.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=PASSWORD.encode()))
    return path


# -- password files ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_password_file_reads_as_typed(tmp_path: Path, encoding: str) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_bytes(powershell(PASSWORD + "\n", encoding))
    assert certconv.read_password_file(pw) == PASSWORD.encode("utf-8")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_password_file_written_by_windows_opens_the_pfx(
    runner: CliRunner, pfx: Path, tmp_path: Path, encoding: str
) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_bytes(powershell(PASSWORD + "\n", encoding))
    result = runner.invoke(app, ["split", str(pfx), "--password-file", str(pw), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert len(manifest["certificates"]) == 3
    assert PASSWORD not in result.output


@pytest.mark.parametrize("encoding", ["utf-16le-bom", "utf-8-bom"])
def test_new_password_file_written_by_windows_protects_the_new_pfx(
    runner: CliRunner, pfx: Path, tmp_path: Path, encoding: str
) -> None:
    (tmp_path / "pw.txt").write_bytes(powershell(PASSWORD + "\n", encoding))
    (tmp_path / "new.txt").write_bytes(powershell("nëw-密码\n", encoding))
    out = tmp_path / "new.pfx"
    args = ["convert", str(pfx), "--to", "pfx", "--out", str(out), "-q"]
    result = runner.invoke(
        app, [*args, "--password-file", str(tmp_path / "pw.txt"), "--new-password-file", str(tmp_path / "new.txt")]
    )
    assert result.exit_code == 0, result.output
    assert len(certconv.load(out, password="nëw-密码").private_keys) == 1


def _password_in_file(data: bytes, tmp_path: Path) -> bytes:
    (tmp_path / "pw.txt").write_bytes(data)
    return certconv.read_password_file(tmp_path / "pw.txt")


def test_only_the_first_line_is_the_password_and_spaces_are_kept(tmp_path: Path) -> None:
    data = powershell("  two words \nsecond line\n", "utf-16le-bom")
    assert _password_in_file(data, tmp_path) == b"  two words "


def test_a_bom_alone_is_the_empty_password(tmp_path: Path) -> None:
    assert _password_in_file(codecs.BOM_UTF16_LE, tmp_path) == b""
    assert _password_in_file(codecs.BOM_UTF8 + b"\r\n", tmp_path) == b""


def test_latin1_password_file_keeps_its_bytes(tmp_path: Path) -> None:
    # Old Windows exports: no BOM, not UTF-8. The bytes reach PKCS#12 as they are (test_cli_split has the PFX).
    assert _password_in_file(b"caf\xe9-\xfcber\r\n", tmp_path) == b"caf\xe9-\xfcber"


def test_utf16_password_file_that_does_not_decode_says_so(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_bytes(codecs.BOM_UTF16_LE + "pw".encode("utf-16-le") + b"\x00")  # odd length: cut short
    with pytest.raises(certconv.PasswordError, match="UTF-16 byte-order mark but is not valid UTF-16") as info:
        certconv.read_password_file(pw)
    assert info.value.path == str(pw)


def test_utf16_password_file_without_a_bom_is_a_password_error_not_a_panic(
    runner: CliRunner, pfx: Path, tmp_path: Path
) -> None:
    # UTF-16 without a mark cannot be told from bytes, and its NULs crashed cryptography's Rust code.
    pw = tmp_path / "pw.txt"
    pw.write_bytes((PASSWORD + "\r\n").encode("utf-16-le"))
    result = runner.invoke(app, ["inspect", str(pfx), "--password-file", str(pw)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: password contains a NUL character")
    assert "UTF-16" in result.stderr and len(result.stderr.splitlines()) == 1


# -- PEM and Base-64 files ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_pem_saved_by_windows_is_read(pki: Pki, encoding: str) -> None:
    text = "Bag Attributes: friendlyName: 备份\n" + to_pem(pki.chain).decode()
    bundle = certconv.load(certconv.Source("b.pem", powershell(text, encoding)))
    assert [c.sha1 for c in bundle.certificates] == [c.sha1 for c in certconv.load(to_pem(pki.chain)).certificates]


@pytest.mark.parametrize("encoding", ["utf-16le-bom", "utf-16be-bom"])
def test_base64_cer_saved_by_windows_is_read(pki: Pki, encoding: str) -> None:
    # A bare Base-64 .cer (no PEM armour) piped through Get-Content/Out-File.
    text = base64.encodebytes(pki.leaf.der).decode()
    bundle = certconv.load(certconv.Source("leaf.cer", powershell(text, encoding)))
    assert bundle.formats[0].startswith("Base-64")
    assert [c.der for c in bundle.certificates] == [pki.leaf.der]


def test_utf16_pem_file_through_the_cli(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "b.pem"
    src.write_bytes(powershell(to_pem(pki.chain).decode(), "utf-16le-bom"))
    result = runner.invoke(app, ["split", str(src), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["certificates"]) == 3


def test_utf16_without_a_bom_is_named(pki: Pki) -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        data = to_pem(pki.chain).decode().encode(codec)
        missing_bom = r"UTF-16(LE|BE) text without a byte-order mark"
        with pytest.raises(certconv.UnsupportedFormatError, match=missing_bom) as info:
            certconv.load(certconv.Source("b.pem", data))
        assert "save it as UTF-8 or ASCII" in str(info.value)


def test_code_page_text_is_named() -> None:
    # Not a certificate, but text in cp1252 (é, ü): say why instead of "not a format certconv knows".
    data = "Zertifikat für café\r\n".encode("cp1252") * 3
    with pytest.raises(certconv.UnsupportedFormatError, match=r"is text but not UTF-8 \(byte 0xFC"):
        certconv.load(certconv.Source("notes.txt", data))


def test_binary_garbage_keeps_the_plain_message() -> None:
    with pytest.raises(certconv.UnsupportedFormatError, match="not a certificate format certconv knows"):
        certconv.load(certconv.Source("x.bin", bytes(range(1, 256)) * 4))


def test_non_ascii_bytes_inside_a_pem_block_are_named(pki: Pki) -> None:
    pem = pki.leaf.pem.decode()
    lines = pem.splitlines()
    lines[3] = lines[3][:10] + "é" + lines[3][11:]
    with pytest.raises(certconv.CorruptInputError, match=r"non-ASCII or NUL bytes \(saved in another encoding"):
        certconv.load(certconv.Source("b.pem", "\n".join(lines).encode("latin-1")))


def test_utf16_pem_cut_short_is_damage() -> None:
    data = codecs.BOM_UTF16_LE + "-----BEGIN CERT".encode("utf-16-le") + b"\x2d"
    with pytest.raises(certconv.CorruptInputError, match="UTF-16 byte-order mark but is not valid UTF-16"):
        certconv.load(certconv.Source("b.pem", data))


def test_size_bound_applies_to_the_raw_bytes(pki: Pki) -> None:
    data = powershell(to_pem(pki.chain).decode(), "utf-16le-bom")
    utf8_size = len(to_pem(pki.chain).replace(b"\n", b"\r\n"))
    assert utf8_size < len(data)
    with pytest.raises(certconv.InputTooLargeError):
        certconv.load(certconv.Source("b.pem", data), max_input_size=utf8_size + 10)
