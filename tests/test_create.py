"""certconv create: a new private chain, checked by the tools that will use it (openssl, keytool, certconv).

Most chains here are ec-p256: generating RSA keys is costly on a shared machine, so
RSA appears once per size, and the property test reuses keys (it tests the
certificates' profile, which does not depend on which key of a type is used).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import certconv
from certconv.cli import app

# Distinctive, so a leak into any output is found; ASCII, because keytool (JDK 17) refuses a PFX whose
# password has other characters, whoever wrote it (OpenSSL 3.0's pkcs12 -export too).
PASSWORD = "cr3ate-Pa55word!"
HOST = "backend.example"
HAS_OPENSSL = shutil.which("openssl") is not None
HAS_KEYTOOL = shutil.which("keytool") is not None


@pytest.fixture(scope="module")
def chain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `certconv create backend.example --out DIR --new-password-env PW` writes (once per module)."""
    out = tmp_path_factory.mktemp("create") / "chain"
    result = CliRunner().invoke(
        app, ["create", HOST, "--ip", "127.0.0.1", "--out", str(out), "--new-password-env", "PW"], env={"PW": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    return out


def _manifest(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _file(out: Path, role: str) -> Path:
    entries = _manifest(out)["certificates"]
    assert isinstance(entries, list)
    return out / next(e["file"] for e in entries if e["role"] == role)


def _backend(out: Path, suffix: str) -> Path:
    (found,) = [p for p in out.iterdir() if p.name.startswith("leaf-") and p.name.endswith(suffix)]
    return found


# -- what is written ------------------------------------------------------------------------


def test_create_writes_root_and_intermediate_cer_upload_guide_and_one_backend_pfx(chain_dir: Path) -> None:
    roles = {e["role"]: e for e in _manifest(chain_dir)["certificates"]}  # type: ignore[union-attr]
    assert roles["root"]["apim_store"] == "Root"
    assert roles["intermediate"]["apim_store"] == "CertificateAuthority"
    for role in ("root", "intermediate"):
        der = _file(chain_dir, role).read_bytes()
        assert x509.load_der_x509_certificate(der).subject.rfc4514_string() == roles[role]["subject"]
    assert "root-" in (chain_dir / "UPLOAD.md").read_text(encoding="utf-8")
    (pfx,) = chain_dir.glob("*.pfx")
    bundle = certconv.load(pfx, password=PASSWORD)
    (chain,) = bundle.chains
    assert [c.role.value for c in chain] == ["leaf", "intermediate"] and len(bundle.certificates) == 2
    assert chain.leaf.has_private_key and len(bundle.private_keys) == 1
    assert chain.certificates[1].sha1 == roles["intermediate"]["sha1"]


def test_ca_files_upload_guide_and_manifest_are_exactly_what_split_writes_for_the_chain(tmp_path: Path) -> None:
    plan = certconv.plan_chain(HOST, tmp_path / "out", new_password=PASSWORD)
    pem = b"".join(c.x509.public_bytes(serialization.Encoding.PEM) for c in (plan.root, plan.intermediate, plan.leaf))
    split = certconv.plan_split(certconv.load(certconv.Source("<created>", pem)), tmp_path / "out")
    assert {name: plan.files[name] for name in split.files} == dict(split.files)
    assert plan.names[-1] == "manifest.json"


def test_plan_chain_writes_nothing(tmp_path: Path) -> None:
    plan = certconv.plan_chain(HOST, tmp_path / "out", new_password=PASSWORD)
    assert not plan.written and not (tmp_path / "out").exists()
    assert PASSWORD not in repr(plan) and "PRIVATE" not in repr(plan)


def test_key_files_are_owner_only_and_certificates_readable(chain_dir: Path) -> None:
    if os.name == "nt":
        pytest.skip("chmod sets only the read-only flag on Windows")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in chain_dir.iterdir()}
    assert modes[_backend(chain_dir, ".pfx").name] == 0o600
    assert modes[_backend(chain_dir, ".key").name] == 0o600
    assert modes[_file(chain_dir, "root").name] == 0o644
    assert modes["manifest.json"] == 0o644


def test_pem_key_is_encrypted_with_the_password_and_fits_the_full_chain(chain_dir: Path) -> None:
    data = _backend(chain_dir, ".key").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in data
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(data, None)
    key = serialization.load_pem_private_key(data, PASSWORD.encode())
    chain = x509.load_pem_x509_certificates(_backend(chain_dir, "-fullchain.pem").read_bytes())
    assert x509.load_pem_x509_certificates(_backend(chain_dir, "-chain.pem").read_bytes()) == chain[1:]
    assert chain[0].public_key() == key.public_key()
    assert len(chain) == 2


def test_ca_keys_are_not_written_unless_asked(chain_dir: Path) -> None:
    assert [p.name for p in chain_dir.glob("*.key")] == [_backend(chain_dir, ".key").name]


def test_keep_ca_keys_writes_them_encrypted_with_the_same_password(tmp_path: Path) -> None:
    plan = certconv.create_chain(HOST, tmp_path / "o", new_password=PASSWORD, keep_ca_keys=True)
    assert len(plan.ca_key_files) == 2
    for name, cert in zip(plan.ca_key_files, (plan.root, plan.intermediate), strict=True):
        data = (tmp_path / "o" / name).read_bytes()
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(data, None)
        assert serialization.load_pem_private_key(data, PASSWORD.encode()).public_key() == cert.x509.public_key()


def test_keep_ca_keys_without_a_password_is_refused_before_any_key_is_made(tmp_path: Path, made: list[str]) -> None:
    with pytest.raises(certconv.NewPasswordRequiredError, match="new_password="):
        certconv.create_chain(HOST, tmp_path / "o", no_password=True, keep_ca_keys=True)
    assert made == [] and not (tmp_path / "o").exists()


# -- real tools as oracles ----------------------------------------------------------------


@contextlib.contextmanager
def s_server(out: Path) -> Iterator[int]:
    """`openssl s_server` on 127.0.0.1, serving the created full chain and key; yields its port."""
    args = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-www", "-pass", "env:PW"]
    args += ["-cert", str(_backend(out, "-fullchain.pem")), "-cert_chain", str(_backend(out, "-chain.pem"))]
    args += ["-key", str(_backend(out, ".key"))]
    env = {**os.environ, "PW": PASSWORD}
    with subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            for _ in range(20):
                line = proc.stdout.readline().decode("ascii", "replace")
                match = re.match(r"ACCEPT 127\.0\.0\.1:(\d+)", line)
                if match:
                    break
                assert line, "openssl s_server ended without listening"
            else:
                raise AssertionError("openssl s_server did not say where it listens")
            yield int(match.group(1))
        finally:
            proc.kill()


@pytest.mark.skipif(not HAS_OPENSSL, reason="needs openssl")
def test_fetch_of_a_backend_serving_the_chain_says_apim_trusts_it(chain_dir: Path) -> None:
    with s_server(chain_dir) as port:
        result = subprocess.run(
            [sys.executable, "-m", "certconv", "fetch", f"127.0.0.1:{port}", "--sni", HOST, "--host", HOST,
             "--ca", str(chain_dir)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "TRUSTED" in result.stdout
    assert "duplicate" not in result.stdout  # the server sends leaf and intermediate, each once


@pytest.mark.skipif(not HAS_OPENSSL, reason="needs openssl")
def test_openssl_s_client_verifies_the_backend_with_the_root_alone(chain_dir: Path, tmp_path: Path) -> None:
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(x509.load_der_x509_certificate(_file(chain_dir, "root").read_bytes()).public_bytes(
        serialization.Encoding.PEM))  # fmt: skip
    with s_server(chain_dir) as port:
        result = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", HOST, "-verify_return_error",
             "-verify_hostname", HOST, "-CAfile", str(root_pem)],
            input=b"", capture_output=True, timeout=60, check=False,
        )  # fmt: skip
    output = result.stdout.decode(errors="replace")
    assert result.returncode == 0, output + result.stderr.decode(errors="replace")
    assert "Verify return code: 0 (ok)" in output


def test_verify_strict_trusts_the_backend_pfx_with_the_folder_as_ca(chain_dir: Path) -> None:
    pfx = _backend(chain_dir, ".pfx")
    result = CliRunner().invoke(
        app,
        ["verify", str(pfx), "--password-env", "PW", "--ca", str(chain_dir), "--host", HOST, "--policy", "strict"],
        env={"PW": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    verification = certconv.verify(pfx, password=PASSWORD, ca=chain_dir, host="127.0.0.1", policy="strict")
    assert verification.ok


def test_a_created_folder_as_ca_gives_the_certificates_its_manifest_lists_not_the_pfx_or_keys(chain_dir: Path) -> None:
    # No password given: the password-protected PFX beside the .cer files must not be opened as a CA upload.
    result = certconv.verify(_backend(chain_dir, "-fullchain.pem"), ca=chain_dir, host=HOST, policy="strict")
    assert result.ok
    listed = {e["file"] for e in _manifest(chain_dir)["certificates"]}  # type: ignore[union-attr]
    assert {Path(p).name for p in result.ca_inputs} == listed


def test_a_folder_whose_manifest_is_damaged_is_read_by_file_name_as_before(tmp_path: Path) -> None:
    plan = certconv.create_chain(HOST, tmp_path / "o", no_password=True)
    (tmp_path / "o" / "manifest.json").write_text("{not json", encoding="utf-8")
    result = certconv.verify(tmp_path / "o" / plan.fullchain, ca=tmp_path / "o", host=HOST)
    assert result.ok
    assert plan.pfx in {Path(p).name for p in result.ca_inputs}  # scanned: the (unprotected) PFX is read too


@pytest.mark.skipif(not HAS_KEYTOOL, reason="needs keytool")
def test_keytool_reads_the_pfx_as_one_private_key_entry(chain_dir: Path) -> None:
    result = subprocess.run(
        ["keytool", "-list", "-keystore", str(_backend(chain_dir, ".pfx")), "-storetype", "PKCS12",
         "-storepass", PASSWORD],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Your keystore contains 1 entry" in result.stdout
    assert result.stdout.count("PrivateKeyEntry") == 1


# -- the profile --------------------------------------------------------------------------

_KEYS: dict[object, object] = {}


@pytest.fixture
def reused_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three keys per type for the whole session: the profile under test does not depend on which."""
    real_ec, real_rsa = ec.generate_private_key, rsa.generate_private_key
    counters: dict[object, int] = {}

    def pick(kind: object, make: object) -> object:
        index = counters[kind] = (counters.get(kind, -1) + 1) % 3
        if (kind, index) not in _KEYS:
            _KEYS[(kind, index)] = make()  # type: ignore[operator]
        return _KEYS[(kind, index)]

    monkeypatch.setattr(ec, "generate_private_key", lambda curve: pick(curve.name, lambda: real_ec(curve)))
    monkeypatch.setattr(
        rsa, "generate_private_key", lambda public_exponent, key_size: pick(key_size, lambda: real_rsa(65537, key_size))
    )


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_HOSTS = st.lists(
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_LABEL, min_size=1, max_size=3),
              st.sampled_from(["example", "test", "internal", "com"])),
    min_size=1, max_size=3,
)  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(list(certconv.KeyProfile)),
    hosts=_HOSTS,
    wildcard=st.booleans(),
    client=st.booleans(),
    days=st.integers(min_value=1, max_value=825),
)
def test_every_profile_passes_the_strict_policy(
    reused_keys: None, tmp_path: Path, key: str, hosts: list[str], wildcard: bool, client: bool, days: int
) -> None:
    names = [f"*.{hosts[0]}", *hosts[1:]] if wildcard else hosts
    plan = certconv.plan_chain(
        [] if client else names, tmp_path / "o", client="apim-gateway" if client else None, key=key, days=days,
        no_password=True,
    )  # fmt: skip
    pem = b"".join(c.x509.public_bytes(serialization.Encoding.PEM) for c in (plan.leaf, plan.intermediate))
    root = certconv.Source("root.cer", plan.root.der)
    host = None if client else (f"x.{hosts[0]}" if wildcard else hosts[-1])
    purpose = "client" if client else "server"
    result = certconv.verify(certconv.Source("sent.pem", pem), ca=root, host=host, purpose=purpose, policy="strict")
    assert result.ok, [f.message for v in result.chains for f in v.failures]
    leaf = plan.leaf.x509
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(days=days)
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    bc = plan.intermediate.x509.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.path_length == 0
    wanted = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [wanted]
    assert plan.root.x509.not_valid_after_utc > plan.intermediate.x509.not_valid_after_utc > leaf.not_valid_after_utc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hosts=st.lists(st.one_of(st.text(max_size=80), _LABEL.map(lambda x: f"*.{x}.example")), max_size=3),
    ips=st.lists(st.text(max_size=40), max_size=2),
    client=st.one_of(st.none(), st.text(max_size=80)),
)
def test_any_names_give_a_chain_or_a_certconv_error(
    reused_keys: None, tmp_path: Path, hosts: list[str], ips: list[str], client: str | None
) -> None:
    try:
        certconv.plan_chain(hosts, tmp_path / "o", ips=ips, client=client, no_password=True)
    except certconv.CertconvError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("name", ["\U0001f600" * 17, "é" * 33])
def test_a_client_name_over_64_bytes_in_utf8_is_a_usage_error(tmp_path: Path, name: str) -> None:
    # Hypothesis found it: 64 characters can be 128 bytes, and the common name's bound is on bytes.
    with pytest.raises(certconv.UsageError, match="bytes in UTF-8"):
        certconv.plan_chain([], tmp_path / "o", client=name, no_password=True)


def test_serial_numbers_are_random_and_positive(tmp_path: Path) -> None:
    one = certconv.plan_chain(HOST, tmp_path / "a", no_password=True)
    two = certconv.plan_chain(HOST, tmp_path / "b", no_password=True)
    serials = [c.x509.serial_number for p in (one, two) for c in (p.root, p.intermediate, p.leaf)]
    assert len(set(serials)) == 6 and all(s > 1 << 64 for s in serials)


def test_server_certificate_is_valid_397_days_by_default_from_an_hour_ago(tmp_path: Path) -> None:
    at = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
    plan = certconv.plan_chain(HOST, tmp_path / "o", no_password=True, at=at)
    leaf = plan.leaf.x509
    assert leaf.not_valid_before_utc == at - timedelta(hours=1)
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(days=397)


@pytest.mark.parametrize("key", ["rsa-2048", "rsa-3072"])
def test_rsa_profiles_make_rsa_keys_of_their_size(tmp_path: Path, key: str) -> None:
    plan = certconv.plan_chain(HOST, tmp_path / "o", key=key, no_password=True)
    sizes = {c.x509.public_key().key_size for c in (plan.root, plan.intermediate, plan.leaf)}  # type: ignore[union-attr]
    assert sizes == {int(key.split("-")[1])}
    usage = plan.leaf.x509.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment


def test_client_certificate_is_for_client_authentication_and_names_no_host(tmp_path: Path) -> None:
    plan = certconv.create_chain([], tmp_path / "o", client="apim-prod", new_password=PASSWORD)
    leaf = plan.leaf.x509
    assert plan.leaf.common_name == "apim-prod"
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]
    with pytest.raises(x509.ExtensionNotFound):
        leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    result = certconv.verify(tmp_path / "o" / plan.pfx, password=PASSWORD, ca=tmp_path / "o", purpose="client",
                             policy="strict")  # fmt: skip
    assert result.ok


# -- host names, checked before any key is made ---------------------------------------------


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every key generation, recorded (and still done)."""
    calls: list[str] = []
    real_ec, real_rsa = ec.generate_private_key, rsa.generate_private_key
    monkeypatch.setattr(ec, "generate_private_key", lambda *a, **k: calls.append("ec") or real_ec(*a, **k))
    monkeypatch.setattr(rsa, "generate_private_key", lambda *a, **k: calls.append("rsa") or real_rsa(*a, **k))
    return calls


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("*.com", "public suffix"),
        ("*.co.uk", "public suffix"),
        ("*.azurewebsites.net", "public suffix"),
        ("*.example", "public suffix"),
        ("w*.example.com", "whole left-most label"),
        ("a.*.example.com", "whole left-most label"),
        ("*.*.example.com", "whole left-most label"),
        ("*", "whole left-most label"),
        ("under_score.example", "not a DNS name"),
        ("-dash.example", "not a DNS name"),
        ("a..example", "not a DNS name"),
        ("x" * 64 + ".example", "not a DNS name"),
        ("xn--zz.example", "not a valid IDNA A-label"),
        ("", "empty"),
        ("127.0.0.1", "IP address"),
        ("bad\x1b[2Jname.example", "not a DNS name"),
        ("straße.example", "another name under IDNA 2008"),
        ("ｂackend.example", "another name under IDNA 2008"),
    ],
)
def test_bad_host_is_one_line_error_before_any_key_is_made(
    tmp_path: Path, made: list[str], host: str, words: str
) -> None:
    with pytest.raises(certconv.UsageError) as caught:
        certconv.create_chain([HOST, host], tmp_path / "o", new_password=PASSWORD)
    message = str(caught.value)
    assert words in message and "\n" not in message and "\x1b" not in message
    assert made == [] and not (tmp_path / "o").exists()


def test_bad_host_on_the_command_line_exits_2_with_one_line_naming_the_flag(tmp_path: Path, made: list[str]) -> None:
    result = CliRunner().invoke(app, ["create", "127.0.0.1", "--out", str(tmp_path / "o"), "--no-password"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: host '127.0.0.1' is an IP address (give it with --ip)"]
    assert made == []


def test_names_longer_than_a_common_name_go_in_the_san_alone_and_pass_strict(tmp_path: Path) -> None:
    long = "a" * 63 + "." + "b" * 63 + ".example"
    plan = certconv.plan_chain([long], tmp_path / "o", no_password=True)
    assert len(plan.leaf.x509.subject) == 0  # RFC 5280 §4.2.1.6: then the SAN is critical
    assert plan.leaf.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName).critical
    sent = certconv.Source("sent.pem", plan.files[plan.fullchain])
    assert certconv.verify(sent, ca=certconv.Source("root.cer", plan.root.der), host=long, policy="strict").ok
    client = certconv.plan_chain([], tmp_path / "c", client="c" * 64, no_password=True)
    assert all(len(c.common_name) <= 64 for c in (client.root, client.intermediate, client.leaf))


def test_idn_is_written_as_its_a_label_and_wildcard_as_whole_label(tmp_path: Path) -> None:
    plan = certconv.plan_chain(["Bücher.example.", "*.api.example.com"], tmp_path / "o", ips=["::1"], no_password=True)
    san = plan.leaf.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["xn--bcher-kva.example", "*.api.example.com"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["::1"]
    assert plan.options.hosts == ("xn--bcher-kva.example", "*.api.example.com")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"ips": ["10.0.0.0/8"]}, "not an IPv4 or IPv6 address"),
        ({"days": 826}, "days must be"),
        ({"days": 0}, "days must be"),
        ({"key": "dsa-1024"}, "key must be one of ec-p256, rsa-2048, rsa-3072"),
        ({"client": "apim"}, "client certificate names no host"),
    ],
)
def test_bad_options_are_refused_before_any_key_is_made(
    tmp_path: Path, made: list[str], kwargs: dict[str, object], words: str
) -> None:
    with pytest.raises(certconv.UsageError, match=re.escape(words)):
        certconv.create_chain(HOST, tmp_path / "o", new_password=PASSWORD, **kwargs)  # type: ignore[arg-type]
    assert made == []


# -- passwords ------------------------------------------------------------------------------


def test_no_password_and_no_terminal_is_refused_naming_both_ways_out(tmp_path: Path, made: list[str]) -> None:
    result = CliRunner().invoke(app, ["create", HOST, "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "--new-password-file" in line and "--no-password" in line
    assert made == [] and not (tmp_path / "o").exists()


def test_empty_password_is_not_taken_silently(tmp_path: Path) -> None:
    with pytest.raises(certconv.NewPasswordRequiredError, match="empty password"):
        certconv.plan_chain(HOST, tmp_path / "o", new_password="")


def test_terminal_prompt_asks_twice_and_uses_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    monkeypatch.setattr("certconv.cli._io._stdin_is_terminal", lambda: True)
    result = CliRunner().invoke(app, ["create", HOST, "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    assert len(asked) == 2 and result.output == ""
    (pfx,) = (tmp_path / "o").glob("*.pfx")
    assert certconv.load(pfx, password=PASSWORD).private_keys


def test_no_password_writes_the_key_in_the_clear_and_the_pfx_opens_with_the_empty_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["create", HOST, "--out", str(tmp_path / "o"), "--no-password"])
    assert result.exit_code == 0, result.output
    assert "NO password" in result.stdout
    (pfx,) = (tmp_path / "o").glob("*.pfx")
    assert certconv.load(pfx).private_keys
    (key,) = (tmp_path / "o").glob("*.key")
    serialization.load_pem_private_key(key.read_bytes(), None)
    if HAS_OPENSSL:  # docs/create.md: OpenSSL opens it with the empty password
        opened = subprocess.run(["openssl", "pkcs12", "-in", str(pfx), "-passin", "pass:", "-noout"],
                                capture_output=True, timeout=60, check=False)  # fmt: skip
        assert opened.returncode == 0, opened.stderr
    if HAS_KEYTOOL:  # docs/create.md: Java reads no key from a PFX without a password
        listed = subprocess.run(["keytool", "-list", "-keystore", str(pfx), "-storetype", "PKCS12", "-storepass", ""],
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert "PrivateKeyEntry" not in listed.stdout


def test_no_password_beside_a_password_is_a_contradiction(tmp_path: Path) -> None:
    with pytest.raises(certconv.UsageError, match="contradict"):
        certconv.plan_chain(HOST, tmp_path / "o", new_password=PASSWORD, no_password=True)


# -- writing --------------------------------------------------------------------------------


def test_existing_files_are_kept_and_nothing_is_written_without_force(tmp_path: Path) -> None:
    first = certconv.create_chain(HOST, tmp_path / "o", new_password=PASSWORD)
    before = {p.name: p.read_bytes() for p in (tmp_path / "o").iterdir()}
    with pytest.raises(certconv.OutputExistsError):
        certconv.create_chain(HOST, tmp_path / "o", new_password=PASSWORD)
    assert {p.name: p.read_bytes() for p in (tmp_path / "o").iterdir()} == before
    second = certconv.create_chain(HOST, tmp_path / "o", new_password=PASSWORD, force=True)
    assert second.root.sha1 != first.root.sha1
    assert _file(tmp_path / "o", "root").read_bytes() == second.root.der


@pytest.mark.parametrize(("options", "words"), [(["--no-password"], "unencrypted private key"),
                                                (["--new-password-env", "PW"], "protected by its password alone")])
def test_where_modes_keep_nobody_out_the_summary_says_no_0600_and_notes_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], words: str
) -> None:
    from certconv.output import _out_folder

    monkeypatch.setattr(_out_folder, "_MODES_RESTRICT", False)  # what os.name == "nt" sets
    result = CliRunner().invoke(app, ["create", HOST, "--out", str(tmp_path / "o"), *options], env={"PW": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "0600" not in result.stdout
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 2 and all(words in n and "cannot restrict the file to you" in n for n in notes)


def test_a_written_plan_is_not_written_twice(tmp_path: Path) -> None:
    plan = certconv.create_chain(HOST, tmp_path / "o", no_password=True)
    assert plan.written and plan.owner_only is (os.name != "nt")
    with pytest.raises(certconv.UsageError, match="written already"):
        certconv.write_chain(plan, force=True)


def test_json_lists_every_file_and_which_hold_a_private_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["create", HOST, "--out", str(tmp_path / "o"), "--no-password", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    files = {f["file"]: f for f in document["files"]}
    assert set(files) == {p.name for p in (tmp_path / "o").iterdir()}
    assert {name for name, f in files.items() if f["private_key"]} == {
        p.name for p in (tmp_path / "o").iterdir() if p.suffix in (".pfx", ".key")
    }
    assert [c["role"] for c in document["certificates"]] == ["root", "intermediate", "leaf"]
    assert document["written"] is True and document["password_protected"] is False
