"""convert's Java and Azure forms, read back by their real consumers.

* ``truststore``: keytool lists every certificate as a ``trustedCertEntry``, and a
  Java TLS client (tests/java/TrustCheck.java, a single-file ``java`` run) trusts a
  loopback backend through it, and refuses one whose root it lacks.
* ``keyvault``: the PEM ``az keyvault certificate import`` takes, read by
  ``openssl pkey`` / ``openssl x509``; the import scripts run against a stand-in
  ``az`` that records its arguments.
* ``pfx --profile appservice``: what ``openssl pkcs12 -info`` says App Service needs.
* ``--only`` / ``--sha1`` / ``--include-root`` for every form.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from keystores import Trusted, to_keystore
from loopback import tls_server
from pki import Issued, Pki, issue, make_chain, make_key, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

SECRET = "S3cret-pass"
JAVA = Path(__file__).parent / "java" / "TrustCheck.java"
runner = CliRunner()

needs_keytool = pytest.mark.skipif(shutil.which("keytool") is None, reason="keytool is the oracle")
needs_java = pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("javac") is None,
    reason="a JDK runs the single-file Java client (.ci/run installs one)",
)


def run(*argv: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False, timeout=300)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def keytool_list(store: Path, password: str) -> list[tuple[str, str]]:
    """(alias, entry type) of each entry, as ``keytool -list`` prints them."""
    text = run("keytool", "-list", "-storetype", "PKCS12", "-keystore", store, "-storepass", password).stdout
    return re.findall(r"^(.+?), [A-Z][a-z]{2} \d+, \d{4}, (\w+),", text, flags=re.MULTILINE)


def sha256_colons(cert: Issued) -> str:
    fp = cert.cert.fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in fp)


def key_pem(item: Issued) -> bytes:
    return item.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def rsa_chain() -> Pki:
    return make_chain("KV", key_kind="rsa", leaf_name="api.backend.example")


# -- truststore ---------------------------------------------------------------------------


@needs_keytool
def test_truststore_lists_each_ca_certificate_as_a_trusted_entry(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "trust.p12"
    result = certconv.convert(to_pem(pki.chain), out, to="truststore", new_password=SECRET)
    assert [c.role.value for c in result.certificates] == ["root", "intermediate"]
    entries = keytool_list(out, SECRET)
    assert sorted(entries) == [("test intermediate ca", "trustedCertEntry"), ("test root ca", "trustedCertEntry")]
    verbose = run("keytool", "-list", "-v", "-keystore", out, "-storepass", SECRET).stdout
    assert sha256_colons(pki.root) in verbose and sha256_colons(pki.intermediate) in verbose
    assert sha256_colons(pki.leaf) not in verbose
    assert any("1 end-entity certificate left out" in n for n in result.notes)
    assert "AES-256-CBC" in (result.encryption or "")


@needs_keytool
def test_truststore_with_the_empty_password_opens_in_keytool_and_openssl_and_says_so(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "trust.p12"
    result = certconv.convert(to_pem(pki.chain), out, to="truststore")
    assert len(keytool_list(out, "")) == 2
    listed = run("openssl", "pkcs12", "-in", out, "-passin", "pass:", "-nokeys").stdout
    assert listed.count("BEGIN CERTIFICATE") == 2
    assert run("openssl", "pkcs12", "-in", out, "-passin", "pass:wrong", "-nokeys", check=False).returncode != 0
    assert any("truststore password is empty" in n for n in result.notes)
    summary = certconv.render_conversion(result)
    assert "truststore password is empty" in summary and "in the clear" in summary


@needs_keytool
def test_truststore_include_leaf_trusts_every_certificate(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "trust.p12"
    certconv.convert(to_pem(pki.chain), out, to="truststore", include_leaf=True, new_password=SECRET)
    assert sorted(t for _, t in keytool_list(out, SECRET)) == ["trustedCertEntry"] * 3


@needs_keytool
def test_truststore_aliases_stay_apart_when_two_certificates_share_a_name(tmp_path: Path) -> None:
    first, second = issue("Same Name CA", ca=True), issue("Same Name CA", ca=True)
    out = tmp_path / "trust.p12"
    certconv.convert(to_pem([first, second]), out, to="truststore", new_password=SECRET)
    aliases = [a for a, _ in keytool_list(out, SECRET)]
    assert len(aliases) == 2 and len(set(aliases)) == 2


@needs_keytool
def test_crafted_names_cannot_make_two_certificates_share_an_alias(tmp_path: Path) -> None:
    # Issue 19.5: `backend`, `Backend` and `backend (<first 8 of the first one's SHA-1>)`: the suffix was
    # added once and never checked again, and keytool compares aliases ignoring case, so it listed fewer
    # entries than certconv said it wrote. Both crafted names, so whichever gets suffixed clashes.
    first, second = issue("backend", ca=True), issue("Backend", ca=True)
    sha1 = {i.cert.subject: c.sha1 for i in (first, second) for c in certconv.load(i.pem).certificates}
    pairs = (("backend", first), ("Backend", second))
    crafted = [issue(f"{cn} ({sha1[i.cert.subject][:8]})", ca=True) for cn, i in pairs]
    out = tmp_path / "trust.p12"
    result = certconv.convert(to_pem([first, second, *crafted]), out, to="truststore", new_password=SECRET)
    listed = [a for a, _ in keytool_list(out, SECRET)]
    assert len(result.certificates) == len(listed) == 4
    assert len({a.lower() for a in result.aliases}) == 4
    assert sorted(listed) == sorted(a.lower() for a in result.aliases)  # keytool shows them lower-cased
    assert any("keytool lists each certificate once" in n for n in result.notes)


@needs_keytool
def test_aliases_hold_visible_characters_only_and_the_mapping_is_reported(tmp_path: Path) -> None:
    # Issue 19.6: a name holding ESC, an OSC 52 clipboard write, a bidi override and a newline reached
    # the terminal of the admin who ran `keytool -list`: it cleared the screen and forged a line.
    hostile = "Evil\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\nforged, trustedCertEntry,"
    ca = issue(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, hostile)]), ca=True)
    out = tmp_path / "trust.p12"
    result = runner.invoke(
        app, ["convert", "-", "--to", "truststore", "--out", str(out), "--new-password", SECRET], input=ca.pem
    )
    assert result.exit_code == 0, result.output
    text = run("keytool", "-list", "-storetype", "PKCS12", "-keystore", out, "-storepass", SECRET).stdout
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", text)
    assert len(keytool_list(out, SECRET)) == 1
    entries = [line for line in text.splitlines() if "trustedCertEntry" in line]
    assert len(entries) == 1 and entries[0].startswith("evil\\x1b]52")  # one line, no forged one
    (alias,) = certconv.convert(ca.pem, tmp_path / "again.p12", to="truststore", new_password=SECRET).aliases
    assert alias.isprintable() and alias.startswith("Evil\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\u202e\\nforged")
    assert f"→ `{alias}`" in result.output  # the note maps the name to the alias


@needs_keytool
def test_truststore_legacy_is_3des_and_keytool_still_lists_it(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "trust.p12"
    certconv.convert(to_pem(pki.chain), out, to="truststore", legacy=True, new_password=SECRET)
    info = run("openssl", "pkcs12", "-info", "-noout", "-legacy", "-in", out, "-passin", f"pass:{SECRET}").stderr
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in info and "MAC: sha1" in info
    assert len(keytool_list(out, SECRET)) == 2


def test_truststore_without_a_ca_certificate_points_to_include_leaf(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.ConversionError, match=re.escape("(or add include_leaf=True to trust the end-entity")):
        certconv.convert(pki.leaf.pem, tmp_path / "t.p12", to="truststore")
    assert not (tmp_path / "t.p12").exists()


@needs_keytool
def test_every_certificate_only_pfx_is_listed_by_keytool(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "ca-only.pfx"
    certconv.convert(to_pem(pki.chain), out, to="pfx")
    assert [t for _, t in keytool_list(out, "")] == ["trustedCertEntry"] * 3
    manifest = certconv.split(to_pem(pki.chain), tmp_path / "gw", target="apim-selfhosted")
    for entry in manifest.entries:
        if entry.form == "pfx":
            assert keytool_list(Path(manifest.out) / entry.file, "") == [
                (entry.certificate.common_name.lower(), "trustedCertEntry")
            ]


@pytest.fixture(scope="module")
def java_backend() -> Iterator[tuple[Pki, int]]:
    """A loopback TLS backend sending leaf + intermediate of a generated chain (127.0.0.1 only)."""
    chain = make_chain("Java TLS", leaf_name="*.backend.example")
    with tls_server("127.0.0.1", [chain.leaf, chain.intermediate], chain.leaf) as server:
        yield chain, server.port


def java_trust(
    store: Path, password: str, port: int, host: str = "api.backend.example"
) -> subprocess.CompletedProcess[str]:
    return run("java", JAVA, store, password, str(port), host, check=False)


@needs_java
def test_java_tls_client_trusts_the_backend_through_the_truststore(
    java_backend: tuple[Pki, int], tmp_path: Path
) -> None:
    chain, port = java_backend
    store = tmp_path / "trust.p12"
    certconv.convert(to_pem(chain.chain), store, to="truststore", only="root", new_password=SECRET)
    done = java_trust(store, SECRET, port)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == ["entries", "1", "trusted"]


@needs_java
def test_java_tls_client_trusts_through_an_empty_password_truststore(
    java_backend: tuple[Pki, int], tmp_path: Path
) -> None:
    chain, port = java_backend
    store = tmp_path / "trust.p12"
    certconv.convert(to_pem(chain.chain), store, to="truststore")
    done = java_trust(store, "", port)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == ["entries", "2", "trusted"]


@needs_java
def test_java_tls_client_refuses_the_backend_with_a_truststore_lacking_its_root(
    java_backend: tuple[Pki, int], tmp_path: Path
) -> None:
    _chain, port = java_backend
    other = make_chain("Unrelated")
    store = tmp_path / "other.p12"
    certconv.convert(to_pem(other.chain), store, to="truststore", new_password=SECRET)
    done = java_trust(store, SECRET, port)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "entries 2" in done.stdout and "untrusted:" in done.stdout


@needs_java
def test_the_certificate_only_pfx_written_before_this_change_holds_nothing_java_trusts(
    java_backend: tuple[Pki, int], tmp_path: Path
) -> None:
    # Why every certificate-only PFX goes through serialize_java_truststore: plain bags are not entries.
    chain, port = java_backend
    store = tmp_path / "plain.p12"
    store.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, None, None, [pkcs12.PKCS12Certificate(chain.root.cert, b"root")], serialization.NoEncryption()
        )
    )
    done = java_trust(store, "", port)
    # Java finds no trust anchor at all ("the trustAnchors parameter must be non-empty").
    assert done.stdout.split()[:2] == ["entries", "0"] and done.returncode != 0


# -- keyvault -----------------------------------------------------------------------------


def pem_blocks(data: bytes) -> list[str]:
    return re.findall(r"-----BEGIN ([A-Z ]+)-----", data.decode("ascii"))


def test_keyvault_pem_is_pkcs8_key_then_leaf_then_intermediates(rsa_chain: Pki, tmp_path: Path) -> None:
    out = tmp_path / "kv.pem"
    result = certconv.convert([to_pem(rsa_chain.chain), key_pem(rsa_chain.leaf)], out, to="keyvault")
    data = out.read_bytes()
    assert pem_blocks(data) == ["PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"]
    # Nothing but PEM blocks: Key Vault refuses other text ("no other meta data") in the file.
    assert re.fullmatch(rb"(-----BEGIN [A-Z ]+-----\n[A-Za-z0-9+/=\n]+-----END [A-Z ]+-----\n)+", data)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and result.key_included
    spki = run("openssl", "pkey", "-in", out, "-pubout").stdout
    leaf_spki = rsa_chain.leaf.cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki.encode() == leaf_spki
    subject = run("openssl", "x509", "-in", out, "-noout", "-subject").stdout
    assert "api.backend.example" in subject
    certs = x509.load_pem_x509_certificates(data)
    assert certs == [rsa_chain.leaf.cert, rsa_chain.intermediate.cert]
    assert any("root 'KV Root CA' was left out" in n for n in result.notes)


def test_keyvault_include_root_puts_the_root_last(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "kv.pem"
    certconv.convert([to_pem(pki.chain), key_pem(pki.leaf)], out, to="keyvault", include_root=True)
    assert x509.load_pem_x509_certificates(out.read_bytes()) == [pki.leaf.cert, pki.intermediate.cert, pki.root.cert]


def test_keyvault_from_a_pfx_opens_with_openssl_pkey(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "kv.pem"
    certconv.convert(to_pfx(pki.leaf, [pki.intermediate, pki.root]), out, to="keyvault", password="changeit")
    assert "BEGIN PRIVATE KEY" in run("openssl", "pkey", "-in", out).stdout


@pytest.mark.parametrize(
    ("inputs", "options", "error", "message"),
    [
        ("chain", {}, certconv.ConversionError, "needs the private key"),
        ("keyed", {"new_password": SECRET}, certconv.ConversionError, "takes the private key unencrypted"),
        ("keyed", {"include_key": True}, certconv.ConversionError, "always holds the private key"),
        ("ed25519", {}, certconv.ConversionError, "neither RSA nor EC"),
    ],
)
def test_keyvault_refusals(
    pki: Pki, tmp_path: Path, inputs: str, options: dict[str, object], error: type[Exception], message: str
) -> None:
    if inputs == "ed25519":
        leaf = issue("ed.backend.example", pki.intermediate, key=make_key("ed25519"))
        data = [to_pem([leaf, pki.intermediate]), key_pem(leaf)]
    else:
        data = [to_pem(pki.chain)] + ([key_pem(pki.leaf)] if inputs == "keyed" else [])
    with pytest.raises(error, match=re.escape(message)):
        certconv.convert(data, tmp_path / "kv.pem", to="keyvault", **options)  # type: ignore[arg-type]
    assert not (tmp_path / "kv.pem").exists()


def fake_az(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A stand-in ``az`` / ``pwsh``-free PATH: ``az`` writes each argument on its own line to a log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "az.log"
    az = bin_dir / "az"
    az.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "{log}"\necho --- >> "{log}"\n')
    az.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return env, log


@pytest.mark.skipif(sys.platform == "win32", reason="runs the bash script")
def test_keyvault_azcli_script_imports_the_file_by_its_exact_path(pki: Pki, tmp_path: Path) -> None:
    folder = tmp_path / "it's $(odd) folder"
    out = folder / "kv 'x' $HOME.pem"
    result = certconv.convert(
        [to_pem(pki.chain), key_pem(pki.leaf)], out, to="keyvault", emit="azcli,powershell"
    )
    sh, ps1 = (folder / name for name in result.scripts)
    assert result.scripts == ("kv 'x' $HOME.keyvault-import.azcli.sh", "kv 'x' $HOME.keyvault-import.ps1")
    run("bash", "-n", sh)
    env, log = fake_az(tmp_path)
    missing = subprocess.run(["bash", str(sh)], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert missing.returncode != 0 and "VAULT_NAME" in missing.stderr
    env["VAULT_NAME"] = "my-vault"
    run_env = subprocess.run(["bash", str(sh)], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert run_env.returncode == 0, run_env.stderr
    args = log.read_text().splitlines()
    assert args == [
        "keyvault", "certificate", "import", "--vault-name", "my-vault", "--name", "wildcard-backend-example",
        "--file", str(out.resolve()), "---",
    ]  # fmt: skip
    text = ps1.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert "Import-AzKeyVaultCertificate -VaultName $VaultName -Name $Name" in text.decode("utf-8-sig")
    assert "(Join-Path $PSScriptRoot 'kv ''x'' $HOME.pem')" in text.decode("utf-8-sig")


@pytest.mark.skipif(sys.platform == "win32", reason="runs the bash script")
def test_pfx_azcli_script_passes_the_password_from_the_environment(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    result = certconv.convert(
        [to_pem(pki.chain), key_pem(pki.leaf)], out, to="pfx", new_password=SECRET, emit=["azcli", "powershell"]
    )
    sh = tmp_path / result.scripts[0]
    assert SECRET not in sh.read_text() and SECRET not in (tmp_path / result.scripts[1]).read_text("utf-8-sig")
    env, log = fake_az(tmp_path)
    env.update(VAULT_NAME="v", PFX_PASSWORD=SECRET, CERT_NAME="backend")
    done = subprocess.run(["bash", str(sh)], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines()[-3:-1] == ["--password", SECRET]
    assert "[Parameter(Mandatory)] [SecureString] $Password" in (tmp_path / result.scripts[1]).read_text("utf-8-sig")


@pytest.mark.parametrize(
    ("to", "emit", "error"),
    [
        ("der", "azcli", certconv.ConversionError),
        ("truststore", "powershell", certconv.ConversionError),
        ("keyvault", "bicep", certconv.UsageError),
    ],
)
def test_emit_is_refused_where_no_azure_import_fits(pki: Pki, tmp_path: Path, to: str, emit: str, error: type) -> None:
    with pytest.raises(error):
        certconv.convert(tmp_path / "never-read.pem", tmp_path / "x", to=to, emit=emit)


def test_emit_for_a_pfx_without_a_key_is_refused_and_nothing_is_written(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.ConversionError, match="holds no private key"):
        certconv.convert(to_pem(pki.chain), tmp_path / "ca.pfx", to="pfx", emit="azcli")
    assert list(tmp_path.iterdir()) == []


# -- App Service ---------------------------------------------------------------------------


def test_appservice_pfx_is_3des_with_sha1_mac_and_the_whole_chain(rsa_chain: Pki, tmp_path: Path) -> None:
    out = tmp_path / "app.pfx"
    result = certconv.convert(
        [to_pem(rsa_chain.chain), key_pem(rsa_chain.leaf)], out, to="pfx", profile="appservice", new_password=SECRET
    )
    info = run("openssl", "pkcs12", "-info", "-noout", "-legacy", "-in", out, "-passin", f"pass:{SECRET}").stderr
    assert "MAC: sha1" in info
    assert info.count("pbeWithSHA1And3-KeyTripleDES-CBC") == 2  # the certificates and the key
    assert "AES" not in info
    certs = run("openssl", "pkcs12", "-in", out, "-nokeys", "-legacy", "-passin", f"pass:{SECRET}").stdout
    assert certs.count("BEGIN CERTIFICATE") == 3
    assert result.profile == "appservice" and result.certificates[-1].role.value == "root"
    assert "for App Service" in certconv.render_conversion(result)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("small-rsa", "at least 2048 bits"),
        ("no-root", "every intermediate and the root"),
        ("no-key", "needs the private key"),
        ("no-password", "password-protected PFX"),
        ("legacy", "(drop legacy=True)"),
    ],
)
def test_appservice_refusals(rsa_chain: Pki, tmp_path: Path, case: str, message: str) -> None:
    options: dict[str, object] = {"new_password": SECRET, "profile": "appservice"}
    inputs: list[bytes] = [to_pem(rsa_chain.chain), key_pem(rsa_chain.leaf)]
    if case == "small-rsa":
        from cryptography.hazmat.primitives.asymmetric import rsa

        small = issue("small.example", rsa_chain.intermediate, key=rsa.generate_private_key(65537, 1024))  # noqa: S505 - the point
        inputs = [to_pem([small, rsa_chain.intermediate, rsa_chain.root]), key_pem(small)]
    elif case == "no-root":
        inputs = [to_pem([rsa_chain.leaf, rsa_chain.intermediate]), key_pem(rsa_chain.leaf)]
    elif case == "no-key":
        inputs = [to_pem(rsa_chain.chain)]
    elif case == "no-password":
        options.pop("new_password")
    else:
        options["legacy"] = True
    with pytest.raises(certconv.ConversionError, match=re.escape(message)):
        certconv.convert(inputs, tmp_path / "app.pfx", to="pfx", **options)  # type: ignore[arg-type]
    assert not (tmp_path / "app.pfx").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="runs the bash script")
def test_appservice_script_uploads_then_binds_by_thumbprint(rsa_chain: Pki, tmp_path: Path) -> None:
    out = tmp_path / "app.pfx"
    result = certconv.convert(
        [to_pem(rsa_chain.chain), key_pem(rsa_chain.leaf)],
        out,
        to="pfx",
        profile="appservice",
        new_password=SECRET,
        emit="azcli,powershell",
    )
    assert result.scripts == ("app.appservice-upload.azcli.sh", "app.appservice-upload.ps1")
    env, log = fake_az(tmp_path)
    env.update(RESOURCE_GROUP="rg", WEBAPP_NAME="web", PFX_PASSWORD=SECRET, CUSTOM_DOMAIN="api.backend.example")
    done = subprocess.run(
        ["bash", str(tmp_path / result.scripts[0])], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    upload, bind = log.read_text().split("---\n")[:2]
    assert upload.split() == [
        "webapp", "config", "ssl", "upload", "--resource-group", "rg", "--name", "web",
        "--certificate-file", str(out), "--certificate-password", SECRET,
    ]  # fmt: skip
    assert bind.split() == [
        "webapp", "config", "ssl", "bind", "--resource-group", "rg", "--name", "web",
        "--certificate-thumbprint", result.certificates[0].sha1, "--ssl-type", "SNI",
        "--hostname", "api.backend.example",
    ]  # fmt: skip
    ps1 = (tmp_path / result.scripts[1]).read_text("utf-8-sig")
    assert "New-AzWebAppSSLBinding" in ps1 and "-SslState SniEnabled" in ps1


# -- selecting and combining ------------------------------------------------------------


def test_fullchain_include_root_ends_with_the_root(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "full.pem"
    certconv.convert(to_pem(pki.chain[::-1]), out, to="fullchain", include_root=True)
    assert x509.load_pem_x509_certificates(out.read_bytes()) == [pki.leaf.cert, pki.intermediate.cert, pki.root.cert]
    bundle = run("openssl", "crl2pkcs7", "-nocrl", "-certfile", out).stdout
    assert bundle.startswith("-----BEGIN PKCS7-----")


def test_pfx_leaves_the_root_out_unless_asked_and_says_so(pki: Pki, tmp_path: Path) -> None:
    inputs = [to_pem(pki.chain), key_pem(pki.leaf)]
    without = certconv.convert(inputs, tmp_path / "a.pfx", to="pfx", new_password=SECRET)
    with_root = certconv.convert(inputs, tmp_path / "b.pfx", to="pfx", new_password=SECRET, include_root=True)
    assert any("root 'Test Root CA' was left out" in n for n in without.notes)
    loaded = pkcs12.load_pkcs12((tmp_path / "a.pfx").read_bytes(), SECRET.encode())
    assert [c.certificate for c in loaded.additional_certs] == [pki.intermediate.cert]
    loaded = pkcs12.load_pkcs12((tmp_path / "b.pfx").read_bytes(), SECRET.encode())
    assert [c.certificate for c in loaded.additional_certs] == [pki.intermediate.cert, pki.root.cert]
    assert len(with_root.certificates) == 3


def test_sha1_picks_one_certificate_for_der_as_openssl_sees_it(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "int.cer"
    bundle = certconv.load(to_pem(pki.chain))
    wanted = next(c for c in bundle.certificates if c.role.value == "intermediate").sha1
    colons = ":".join(wanted[i : i + 2] for i in range(0, 40, 2)).lower()
    result = certconv.convert(to_pem(pki.chain), out, to="der", sha1=colons)
    fingerprint = run("openssl", "x509", "-inform", "der", "-in", out, "-noout", "-fingerprint", "-sha1").stdout
    assert fingerprint.strip().split("=")[1].replace(":", "") == wanted
    assert result.notes[0] == f"SHA-1 {wanted}: 1 of 3 certificates selected"


@pytest.mark.parametrize(
    ("to", "only", "expected"),
    [
        ("p7b", "root,intermediate", ["Test Root CA", "Test Intermediate CA"]),
        ("p7b", ["leaf"], ["*.backend.example"]),
        ("truststore", "root", ["Test Root CA"]),
        ("fullchain", "leaf,intermediate", ["*.backend.example", "Test Intermediate CA"]),
        ("pem", "root", ["Test Root CA"]),
    ],
)
def test_only_selects_by_role_for_every_form(
    pki: Pki, tmp_path: Path, to: str, only: str | list[str], expected: list[str]
) -> None:
    result = certconv.convert(to_pem(pki.chain), tmp_path / "out", to=to, only=only)
    assert sorted(c.common_name for c in result.certificates) == sorted(expected)


def test_only_leaf_pfx_keeps_the_key_with_the_leaf_alone(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf.pfx"
    certconv.convert([to_pem(pki.chain), key_pem(pki.leaf)], out, to="pfx", only="leaf", new_password=SECRET)
    loaded = pkcs12.load_pkcs12(out.read_bytes(), SECRET.encode())
    assert loaded.key is not None and loaded.cert is not None and loaded.additional_certs == []


def test_leaving_the_keyed_leaf_out_leaves_its_key_out(pki: Pki, tmp_path: Path) -> None:
    result = certconv.convert(
        [to_pem(pki.chain), key_pem(pki.leaf)], tmp_path / "ca.pfx", to="pfx", only="root,intermediate"
    )
    assert not result.key_included and len(result.certificates) == 2


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"only": "rooot"}, certconv.UsageError, "only takes roles among root, intermediate, leaf, not 'rooot'"),
        ({"only": ""}, certconv.UsageError, "only takes roles among"),
        ({"sha1": "abc"}, certconv.UsageError, "40 hexadecimal digits"),
        ({"sha1": "A" * 40}, certconv.ConversionError, f"no certificate of the input has SHA-1 {'A' * 40}"),
        ({"only": "root", "sha1": "LEAF"}, certconv.ConversionError, "which the selection (only root) leaves out"),
    ],
)
def test_selection_errors_are_one_line_and_nothing_is_written(
    pki: Pki, tmp_path: Path, options: dict[str, object], error: type[Exception], message: str
) -> None:
    if options.get("sha1") == "LEAF":
        options["sha1"] = certconv.load(pki.leaf.pem).certificates[0].sha1
    with pytest.raises(error) as caught:
        certconv.convert(to_pem(pki.chain), tmp_path / "out.p7b", to="p7b", **options)  # type: ignore[arg-type]
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "out.p7b").exists()


def test_a_selection_that_keeps_nothing_says_what_the_input_holds(pki: Pki, tmp_path: Path) -> None:
    nothing = r"selection \(only root\) keeps no certificate .*1 intermediate, 1 leaf"
    with pytest.raises(certconv.ConversionError, match=nothing):
        certconv.convert(to_pem([pki.leaf, pki.intermediate]), tmp_path / "r.cer", to="der", only="root")


def test_convert_bundle_takes_the_selection_keywords(pki: Pki) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    root = bundle.roots[0]
    data = certconv.convert_bundle(bundle, to="der", sha1=[root.sha1.lower()]).data
    assert data == root.der


# -- the command line ----------------------------------------------------------------------


def test_cli_truststore_keyvault_and_selection(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "in.pfx"
    src.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    (tmp_path / "pw.txt").write_text("changeit\n")
    common = [str(src), "--password-file", str(tmp_path / "pw.txt")]
    done = runner.invoke(app, ["convert", *common, "--to", "truststore", "--out", str(tmp_path / "t.p12")])
    assert done.exit_code == 0, done.output
    assert "Java truststore (PKCS#12, trusted certificates), 2 certificates" in done.output
    assert "truststore password is empty" in done.output
    done = runner.invoke(
        app, ["convert", *common, "--to", "keyvault", "--out", str(tmp_path / "kv.pem"), "--emit", "azcli"]
    )
    assert done.exit_code == 0, done.output
    assert "import scripts: kv.keyvault-import.azcli.sh" in done.output and "file mode: 0600" in done.output
    root_sha1 = certconv.load(pki.root.pem).certificates[0].sha1
    done = runner.invoke(
        app, ["convert", *common, "--to", "der", "--sha1", root_sha1, "--out", str(tmp_path / "root.cer")]
    )
    assert done.exit_code == 0, done.output
    assert (tmp_path / "root.cer").read_bytes() == pki.root.der
    done = runner.invoke(app, ["convert", *common, "--to", "p7b", "--only", "nope", "--out", str(tmp_path / "x")])
    assert done.exit_code == 2 and "error: only takes roles" in done.output


def _jks_with_entries(cert: Issued, count: int) -> bytes:
    entry = struct.pack(">I", 2) + struct.pack(">H", 1) + b"a" + bytes(8) + b"\x00\x05X.509"
    entry += struct.pack(">I", len(cert.der)) + cert.der
    return b"\xfe\xed\xfe\xed" + struct.pack(">II", 2, count) + entry * count + bytes(20)


@pytest.mark.parametrize("case", ["truncated", "wrong-password", "100000-entries"])
@pytest.mark.parametrize("to", ["truststore", "keyvault", "pfx"])
def test_cli_convert_bad_keystores_are_one_line_errors(pki: Pki, tmp_path: Path, case: str, to: str) -> None:
    store = tmp_path / "in.jks"
    good = to_keystore([Trusted("root", pki.root.der), Trusted("ca", pki.intermediate.der)], "st0re-Pass")
    if case == "truncated":
        store.write_bytes(good[: len(good) // 2])
    elif case == "wrong-password":
        store.write_bytes(good)
    else:
        store.write_bytes(_jks_with_entries(pki.root, 100_000))
    (tmp_path / "pw.txt").write_text("not-the-password\n")
    out = tmp_path / "out.file"
    done = runner.invoke(
        app, ["convert", str(store), "--password-file", str(tmp_path / "pw.txt"), "--to", to, "--out", str(out)]
    )
    assert done.exit_code == 1, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.output
    assert "Traceback" not in done.output
    expected = {"truncated": "truncated", "wrong-password": "wrong password", "100000-entries": "100,000 entries"}
    assert expected[case] in lines[0]
    assert not out.exists()
