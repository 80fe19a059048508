"""Windows consoles, emulated: every command as a real subprocess, its output to a pipe, in a code page.

Python on Windows writes redirected output (``> log.txt``, ``| findstr``, CI logs) in the
ANSI code page: cp1252 in the West, cp936 (GBK) on Chinese Windows, cp437 in old consoles.
``PYTHONIOENCODING`` gives a Linux Python exactly those streams. Each command runs on two
chains: one whose names are Chinese, and one whose names, SANs, AIA/OCSP/CRL URLs, friendly
name and file names carry terminal control sequences (ESC[2J, OSC 52 clipboard writes, C1
CSI, bidi overrides) and a newline that would forge a verdict line. The promise held here
(docs/security.md, "What reaches your console"): the exit code the work earned, no traceback,
output that decodes in the stream's encoding, no control character but the line ends, no
forged line, Chinese as Chinese where the code page has it, JSON that parses to the real values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from loopback import host_port, tls_server
from pki import DAY, NOW, Issued, make_key, to_pem, to_pfx

ENCODINGS = ("utf-8", "cp1252", "cp437", "cp936", "ascii")
PASSWORD = "changeit"
FORGED = "OK    trusted.example"
OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # "write Hello to the clipboard"
CHINESE = ("测试根证书", "中间 CA", "后端.example")
CONTROL_CHARACTERS = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} - {"\n"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)])


def _uri(value: str) -> x509.UniformResourceIdentifier:
    # cryptography refuses what a stranger's CA is free to encode: build them unchecked.
    return x509.UniformResourceIdentifier._init_without_validation(value)


def _cert(
    cn: str,
    issuer: Issued | None = None,
    *,
    ca: bool,
    san: Sequence[x509.GeneralName] = (),
    aia: Sequence[str] = (),
    ocsp: Sequence[str] = (),
    crl: Sequence[str] = (),
) -> Issued:
    key = make_key()
    subject = _name(cn)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(san)), critical=False)
    access = [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, _uri(u)) for u in aia]
    access += [x509.AccessDescription(AuthorityInformationAccessOID.OCSP, _uri(u)) for u in ocsp]
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    if crl:
        points = [x509.DistributionPoint([_uri(u)], None, None, None) for u in crl]
        builder = builder.add_extension(x509.CRLDistributionPoints(points), critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


@dataclass(frozen=True)
class Chain:
    """One test chain written to disk, and the values the JSON must give back unchanged."""

    kind: str
    folder: Path
    pem: Path  # leaf, intermediate, root
    pfx: Path
    leaf_only: Path
    root: Path
    corrupt: Path
    missing: Path
    issued: tuple[Issued, ...]
    friendly_name: str
    leaf_san: str  # one SAN entry as inspect --json gives it
    aia: str


def _chinese(folder: Path) -> Chain:
    root = _cert(CHINESE[0], ca=True)
    intermediate = _cert(CHINESE[1], root, ca=True, aia=["http://证书.example/根.cer"])
    leaf = _cert(
        CHINESE[2],
        intermediate,
        ca=False,
        san=[x509.DNSName._init_without_validation("后端.example"), x509.DNSName("backend.example")],
        aia=["http://证书.example/中间.cer"],
        ocsp=["http://ocsp.证书.example"],
        crl=["http://crl.证书.example/中间.crl"],
    )
    return _write(folder, "chinese", "证书链", (leaf, intermediate, root), "后端证书", "DNS:后端.example",
                  "http://证书.example/中间.cer")


def _hostile(folder: Path) -> Chain:
    root = _cert("Evil\x1b[2J Root\u202e AC", ca=True)
    intermediate = _cert(f"Inter{OSC52}mediate\x9b31m", root, ca=True, aia=[f"http://x.example/{OSC52}i.cer"])
    forged_san = f"evil.example\n {FORGED}"
    leaf = _cert(
        f"leaf\n {FORGED}\r\x1b[31m",
        intermediate,
        ca=False,
        san=[
            x509.DNSName._init_without_validation(forged_san),
            x509.DNSName._init_without_validation("\x1b[2J\u202eexample"),
            x509.DirectoryName(_name("dir\x9b\u2066name")),
        ],
        aia=[f"http://x.example/{OSC52}\n {FORGED}.cer"],
        ocsp=[f"http://ocsp.example/\x1b[2J\n {FORGED}"],
        crl=["http://crl.example/\x9b\u202ec.crl"],
    )
    return _write(folder, "hostile", f"evil\x1b[2J{OSC52}\u202e", (leaf, intermediate, root),
                  f"friendly\x1b[2J{OSC52}\u202e\x9b", f"DNS:{forged_san}", f"http://x.example/{OSC52}\n {FORGED}.cer")


def _write(
    folder: Path, kind: str, stem: str, issued: tuple[Issued, ...], friendly: str, san: str, aia: str
) -> Chain:
    folder.mkdir()
    leaf, intermediate, root = issued
    pem = folder / f"{stem}.pem"
    pem.write_bytes(to_pem(issued))
    pfx = folder / f"{stem}.pfx"
    pfx.write_bytes(to_pfx(leaf, [intermediate, root], password=PASSWORD.encode(), friendly_name=friendly.encode()))
    leaf_only = folder / f"{stem}-leaf.pem"
    leaf_only.write_bytes(leaf.pem)
    root_file = folder / f"{stem}-root.pem"
    root_file.write_bytes(root.pem)
    corrupt = folder / f"{stem}\n {FORGED}.pem"
    corrupt.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    return Chain(kind, folder, pem, pfx, leaf_only, root_file, corrupt, folder / f"{stem}-missing\n {FORGED}.pfx",
                 issued, friendly, san, aia)


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Chain]:
    base = tmp_path_factory.mktemp("windows")
    return {"chinese": _chinese(base / "chinese"), "hostile": _hostile(base / "hostile")}


@dataclass(frozen=True)
class Run:
    args: list[str]
    code: int
    stdout: bytes
    stderr: bytes


def certconv(encoding: str, *args: str | Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING", "PYTHONUTF8", "LC_", "LANG"))}
    env.update(PYTHONIOENCODING=encoding, PFX_PW=PASSWORD, WRONG_PW="wrong", NO_COLOR="1")
    argv = [sys.executable, "-m", "certconv", *map(str, args)]
    done = subprocess.run(argv, capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=120, check=False)
    return Run(argv[3:], done.returncode, done.stdout, done.stderr)


def check_console(run: Run, encoding: str, expected: int) -> tuple[str, str]:
    """The promise for one run; returns its stdout and stderr as text."""
    assert run.code == expected, (run.args, run.code, run.stderr)
    assert b"Traceback" not in run.stderr, run.stderr.decode(encoding, "replace")
    out, err = run.stdout.decode(encoding), run.stderr.decode(encoding)  # strict: the stream's encoding
    for text in (out, err):
        assert not set(text) & (CONTROL_CHARACTERS | BIDI), repr(text)
        assert not [line for line in text.splitlines() if line.lstrip().startswith(FORGED)], text
    return out, err


def chinese_shown(text: str, encoding: str) -> None:
    """Chinese as Chinese where the code page has it (cp936, UTF-8), else as escapes."""
    if encoding in ("utf-8", "cp936"):
        assert CHINESE[0] in text, text
    else:
        assert "\\u6d4b\\u8bd5" in text, text  # 测试
        assert CHINESE[0] not in text


@pytest.fixture
def serving(chains: dict[str, Chain], request: pytest.FixtureRequest) -> Iterator[tuple[Chain, str]]:
    chain = chains[request.param]
    leaf, intermediate, _ = chain.issued
    with tls_server("127.0.0.1", [leaf, intermediate], leaf) as server:
        yield chain, host_port("127.0.0.1", server.port)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("serving", ["chinese", "hostile"], indirect=True)
def test_every_command_prints_in_a_windows_code_page(
    serving: tuple[Chain, str], encoding: str, tmp_path: Path
) -> None:
    chain, target = serving
    pw = ("--password-env", "PFX_PW")

    out, _ = check_console(certconv(encoding, "split", chain.pem, "--out", tmp_path / "split"), encoding, 0)
    manifest = (tmp_path / "split" / "manifest.json").read_text("utf-8")
    assert not set(manifest) & (CONTROL_CHARACTERS | BIDI)  # `type manifest.json` is safe too
    subjects = {i.cert.subject.rfc4514_string() for i in chain.issued}
    assert {c["subject"] for c in json.loads(manifest)["certificates"]} == subjects
    if chain.kind == "chinese":
        chinese_shown(out, encoding)
        table = [line for line in out.splitlines() if line.startswith(("root ", "intermediate ", "leaf "))]
        if encoding in ("utf-8", "cp936"):  # a Chinese CN takes two columns per character: EXPIRES stays aligned
            assert len({_columns(line.split("  20")[0]) for line in table}) == 1, table

    for args in (["inspect", chain.pfx, *pw], ["inspect", chain.pem, "--full"]):
        out, _ = check_console(certconv(encoding, *args), encoding, 0)
        if chain.kind == "chinese":
            chinese_shown(out, encoding)
        else:
            assert "\\x1b[2J" in out and "\\x1b]52;c;SGVsbG8=\\x07" in out and "\\u202e" in out and "\\x9b" in out
            assert f"evil.example\\n {FORGED}" in out  # the SAN, the AIA and the OCSP URL on one line each
            assert f"\\x07\\n {FORGED}.cer" in out and "\\x9b\\u202ec.crl" in out

    out, _ = check_console(certconv(encoding, "verify", chain.pem, "--host", "trusted.example"), encoding, 3)
    assert "hostname-mismatch" in out
    if chain.kind == "chinese":
        chinese_shown(out, encoding)
    out, _ = check_console(certconv(encoding, "verify", chain.leaf_only, "--ca", chain.root), encoding, 3)
    assert "missing-issuer" in out

    for to in ("fullchain", "pfx"):
        extra = ["--new-password-env", "PFX_PW"] if to == "pfx" else []
        run = certconv(encoding, "convert", chain.pfx, *pw, "--to", to, "--out", tmp_path / f"c.{to}", *extra)
        check_console(run, encoding, 0)
        assert (tmp_path / f"c.{to}").is_file()

    out, _ = check_console(certconv(encoding, "fetch", target), encoding, 0)
    assert target in out
    check_console(certconv(encoding, "fetch", target, "--out", tmp_path / "fetched"), encoding, 0)
    assert (tmp_path / "fetched" / "manifest.json").is_file()


def parsed(run: Run, encoding: str, expected: int) -> Any:
    out, _ = check_console(run, encoding, expected)
    if encoding != "utf-8":
        assert run.stdout.isascii(), "JSON on a code page is ASCII-escaped"
    return json.loads(out)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("serving", ["chinese", "hostile"], indirect=True)
def test_every_json_document_parses_to_the_real_values_in_a_code_page(
    serving: tuple[Chain, str], encoding: str, tmp_path: Path
) -> None:
    chain, target = serving
    leaf, intermediate, root = (i.cert for i in chain.issued)
    real_subjects = {c.subject.rfc4514_string() for c in (leaf, intermediate, root)}

    doc = parsed(certconv(encoding, "inspect", chain.pfx, "--password-env", "PFX_PW", "--json"), encoding, 0)
    certs = doc["certificates"]
    assert {c["subject"] for c in certs} == real_subjects
    (leaf_doc,) = [c for c in certs if c["role"] == "leaf"]
    assert chain.leaf_san in leaf_doc["san"]
    assert leaf_doc["friendly_name"] == chain.friendly_name
    assert chain.aia in leaf_doc["ca_issuers"]
    assert doc["inputs"][0]["name"] == str(chain.pfx)

    doc = parsed(certconv(encoding, "split", chain.pem, "--out", tmp_path / "s", "--json"), encoding, 0)
    assert {c["subject"] for c in doc["certificates"]} == real_subjects

    doc = parsed(certconv(encoding, "verify", chain.pem, "--host", "trusted.example", "--json"), encoding, 3)
    (verdict,) = doc["chains"]
    assert verdict["subject"] == leaf.subject.rfc4514_string()
    assert [f["code"] for f in verdict["failures"]] == ["hostname-mismatch"]

    doc = parsed(certconv(encoding, "fetch", target, "--json"), encoding, 0)
    served = {c["sha1"]: c["subject"] for c in doc["certificates"]}
    assert [served[sha1] for sha1 in doc["served"]] == [
        leaf.subject.rfc4514_string(),
        intermediate.subject.rfc4514_string(),
    ]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", ["chinese", "hostile"])
def test_errors_are_one_printable_line_in_a_code_page(chains: dict[str, Chain], encoding: str, kind: str) -> None:
    chain = chains[kind]
    for args in (
        ["inspect", chain.missing],
        ["inspect", chain.corrupt],
        ["split", chain.pfx, "--password-env", "WRONG_PW", "--out", chain.folder / "never"],
        ["convert", chain.pem, "--to", "der", "--out", chain.folder / "never.cer"],  # three certificates, no leaf pick
    ):
        run = certconv(encoding, *args)
        out, err = check_console(run, encoding, 1)
        assert out == ""
        (line,) = err.splitlines()
        assert line.startswith("error: "), line
        if args[1] in (chain.missing, chain.corrupt):
            assert f"\\n {FORGED}" in line  # the file name, shown with its newline as an escape
            if kind == "chinese":
                assert ("证书链" if encoding in ("utf-8", "cp936") else "\\u8bc1\\u4e66\\u94fe") in line
    assert not (chain.folder / "never").exists()


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_help_and_usage_errors_print_in_a_code_page(encoding: str) -> None:
    # typer/click write these themselves, not through certconv.console.
    out, _ = check_console(certconv(encoding, "verify", "--help"), encoding, 0)
    assert "leaf .cer...;" in out
    check_console(certconv(encoding, "convert", "x.pem", "--to", "nope", "--out", "y"), encoding, 2)


def test_a_reader_that_goes_away_ends_nothing_but_the_output(chains: dict[str, Chain], tmp_path: Path) -> None:
    # `certconv split ... | head -1`: the files are written, the exit code is the work's, no traceback.
    chain = chains["chinese"]
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "certconv", "split", str(chain.pem), "--out", str(tmp_path / "o")]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first line
        err = proc.stderr.read()
        code = proc.wait(timeout=120)
    assert code == 0, err
    assert err == b""
    assert (tmp_path / "o" / "manifest.json").is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_warning_and_the_work_still_counts(
    chains: dict[str, Chain], tmp_path: Path
) -> None:
    chain = chains["chinese"]
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "certconv", "split", str(chain.pem), "--out", str(tmp_path / "o")]
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.decode("cp936").splitlines()
    assert line == "warning: the output could not be written (No space left on device)"
    assert (tmp_path / "o" / "manifest.json").is_file()


def _columns(text: str) -> int:
    """Columns a terminal gives ``text``: two for wide and full-width characters, none for combining marks."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
