"""certconv convert: every target read back by openssl (and keytool), keys only when asked, never unprotected."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import given, settings
from hypothesis import strategies as st
from pki import Issued, Pki, issue, make_chain, serialize, to_p7b, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

SECRET = "n3w-Secret"


def openssl(*args: str, data: bytes | None = None) -> str:
    """Run openssl; fail the test with its stderr when it refuses."""
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def pkcs12_info(path: Path, password: str) -> str:
    """``openssl pkcs12 -info``: the algorithms of each bag and the MAC (printed on stderr)."""
    done = subprocess.run(
        ["openssl", "pkcs12", "-in", str(path), "-info", "-noout", "-passin", f"pass:{password}"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode() + done.stderr.decode()


def subjects_in_order(pem_or_p7b: Path, *, inform: str = "PEM", pkcs7_input: bool = False) -> list[str]:
    """CNs in file order, as OpenSSL lists them (pkcs7 -print_certs keeps stored order)."""
    if pkcs7_input:
        text = openssl("pkcs7", "-inform", inform, "-in", str(pem_or_p7b), "-print_certs", "-noout")
    else:
        p7 = openssl("crl2pkcs7", "-nocrl", "-certfile", str(pem_or_p7b))
        text = openssl("pkcs7", "-print_certs", "-noout", data=p7.encode())
    return re.findall(r"^subject=.*CN ?= ?([^,\n]+)$", text, flags=re.MULTILINE)


def pubkey_of_cert(issued: Issued) -> bytes:
    return issued.cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


CNS = ["*.backend.example", "Test Intermediate CA", "Test Root CA"]


# -- der / pem --------------------------------------------------------------------------


def test_pem_certificate_becomes_the_der_cer_openssl_reads(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf.cer"
    result = certconv.convert(pki.leaf.pem, out, to="der")
    assert out.read_bytes() == pki.leaf.der
    fingerprint = openssl("x509", "-inform", "DER", "-in", str(out), "-noout", "-fingerprint", "-sha1")
    assert fingerprint.strip().split("=")[1].replace(":", "") == result.certificates[0].sha1
    assert mode_of(out) == 0o644


def test_der_certificate_becomes_pem_openssl_reads(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf.pem"
    certconv.convert(pki.leaf.der, out, to="pem")
    assert out.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    der = subprocess.run(
        ["openssl", "x509", "-in", str(out), "-outform", "DER"], capture_output=True, check=True
    ).stdout
    assert der == pki.leaf.der


@pytest.mark.parametrize("to", ["der", "pem"])
def test_single_certificate_target_refuses_several_and_points_to_split_and_p7b(
    pki: Pki, tmp_path: Path, to: str
) -> None:
    out = tmp_path / "x.cer"
    with pytest.raises(certconv.ConversionError, match=r"3 certificates.*sha1=.*to= p7b.*split writes one file each"):
        certconv.convert(to_pem(pki.chain), out, to=to)
    assert not out.exists()


def test_pem_leaves_the_key_out_unless_asked(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf.pem"
    result = certconv.convert([pki.leaf.pem, _key_pem(pki.leaf)], out, to="pem")
    assert b"PRIVATE KEY" not in out.read_bytes()
    assert not result.key_included and mode_of(out) == 0o644
    assert "the input's private key was not written (it is appended only on request)" in result.notes


def test_pem_include_key_appends_the_matching_key_with_mode_0600(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf-with-key.pem"
    certconv.convert([pki.leaf.pem, _key_pem(pki.leaf)], out, to="pem", include_key=True)
    assert mode_of(out) == 0o600
    assert openssl("pkey", "-in", str(out), "-pubout").encode() == pubkey_of_cert(pki.leaf)
    assert openssl("x509", "-in", str(out), "-noout", "-subject").strip().endswith("*.backend.example")


def test_include_key_with_new_password_encrypts_the_pem_key(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf-with-key.pem"
    result = certconv.convert([pki.leaf.pem, _key_pem(pki.leaf)], out, to="pem", include_key=True, new_password=SECRET)
    text = out.read_bytes()
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in text and result.encryption
    failed = subprocess.run(
        ["openssl", "pkey", "-in", str(out), "-passin", "pass:wrong"], capture_output=True, check=False
    )
    assert failed.returncode != 0
    public = openssl("pkey", "-in", str(out), "-passin", f"pass:{SECRET}", "-pubout")
    assert public.encode() == pubkey_of_cert(pki.leaf)


def test_include_key_without_a_key_in_the_input_is_an_error(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.ConversionError, match="no private key"):
        certconv.convert(pki.leaf.pem, tmp_path / "x.pem", to="pem", include_key=True)
    assert list(tmp_path.iterdir()) == []


# -- p7b ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pem", "der-p7b", "pfx", "pfx-legacy"])
def test_p7b_holds_every_certificate_as_openssl_lists_them(pki: Pki, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "chain.p7b"
    result = certconv.convert(serialize(pki, fmt), out, to="p7b", password="changeit")
    assert out.read_bytes()[:1] == b"\x30"  # DER, as Windows writes it
    listed = subjects_in_order(out, inform="DER", pkcs7_input=True)
    assert sorted(listed) == sorted(CNS)
    # What the summary reports is the order really stored in the file.
    assert [c.common_name for c in result.certificates] == listed
    assert b"PRIVATE KEY" not in out.read_bytes()


def test_p7b_format_pem_writes_base64_pkcs7(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "chain.p7b"
    certconv.convert(to_pem(pki.chain), out, to="p7b", format="pem")
    assert out.read_text().startswith("-----BEGIN PKCS7-----")
    assert sorted(subjects_in_order(out, inform="PEM", pkcs7_input=True)) == sorted(CNS)


def test_p7b_round_trips_through_certconv_load(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "chain.p7b"
    certconv.convert(to_pem(reversed(pki.chain)), out, to="p7b")
    again = certconv.load(out)
    assert {c.der for c in again.certificates} == {i.der for i in pki.chain}


# -- fullchain / chain ----------------------------------------------------------------------


def test_fullchain_is_leaf_then_intermediates_without_root(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "fullchain.pem"
    # Shuffled input: the order in the output comes from the chain, not from the input.
    certconv.convert(to_pem([pki.root, pki.leaf, pki.intermediate]), out, to="fullchain")
    assert subjects_in_order(out) == CNS[:2]
    root_file = tmp_path / "root.pem"
    root_file.write_bytes(pki.root.pem)
    # What a TLS client does with a server's fullchain: verify the leaf with the rest as untrusted.
    verdict = openssl("verify", "-CAfile", str(root_file), "-untrusted", str(out), str(out))
    assert verdict.strip().endswith(": OK")


def test_fullchain_of_a_longer_chain_keeps_every_intermediate_in_order(tmp_path: Path) -> None:
    root = issue("Deep Root", ca=True)
    upper = issue("Upper CA", root, ca=True)
    lower = issue("Lower CA", upper, ca=True)
    leaf = issue("deep.example", lower)
    out = tmp_path / "fullchain.pem"
    certconv.convert(to_p7b([root, lower, leaf, upper]), out, to="fullchain")
    assert subjects_in_order(out) == ["deep.example", "Lower CA", "Upper CA"]


def test_fullchain_of_an_incomplete_chain_is_written_as_far_as_it_goes_with_a_warning(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "fullchain.pem"
    result = certconv.convert(to_pem([pki.intermediate, pki.leaf]), out, to="fullchain")
    assert subjects_in_order(out) == CNS[:2]
    assert [w.code for w in result.bundle.warnings] == ["missing-issuer"]


@settings(max_examples=12, deadline=None)
@given(order=st.permutations(range(3)), duplicate=st.booleans())
def test_fullchain_bytes_do_not_depend_on_input_order_or_duplicates(
    pki: Pki, order: list[int], duplicate: bool
) -> None:
    items = [pki.chain[i] for i in order] + ([pki.chain[order[0]]] if duplicate else [])
    expected = pki.leaf.pem + pki.intermediate.pem
    assert certconv.convert_bundle(certconv.load(to_pem(items)), to="fullchain").data == expected


def test_fullchain_of_two_leaves_is_refused_naming_both(pki: Pki, tmp_path: Path) -> None:
    other = issue("other.backend.example", pki.intermediate)
    with pytest.raises(certconv.ConversionError, match=r"2 end-entity certificates .*'other\.backend\.example'"):
        certconv.convert(to_pem([*pki.chain, other]), tmp_path / "f.pem", to="fullchain")


def test_with_two_leaves_the_private_key_picks_the_one_to_convert(pki: Pki, tmp_path: Path) -> None:
    other = issue("other.backend.example", pki.intermediate)
    out = tmp_path / "other.pfx"
    result = certconv.convert(
        [to_pem([*pki.chain, other]), _key_pem(other)], out, to="pfx", new_password=SECRET, include_root=True
    )
    assert [c.common_name for c in result.certificates] == ["other.backend.example", *CNS[1:]]
    loaded = pkcs12.load_pkcs12(out.read_bytes(), SECRET.encode())
    assert loaded.cert is not None and loaded.cert.certificate == other.cert
    assert any("1 certificate not in the chain" in note for note in result.notes)


def test_chain_is_the_intermediates_only(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "chain.pem"
    result = certconv.convert(serialize(pki, "pfx"), out, to="chain", password="changeit")
    assert subjects_in_order(out) == ["Test Intermediate CA"]
    assert not result.key_included and b"PRIVATE KEY" not in out.read_bytes()


def test_chain_without_intermediates_is_an_error(tmp_path: Path) -> None:
    root = issue("Direct Root", ca=True)
    leaf = issue("direct.example", root)
    with pytest.raises(certconv.ConversionError, match="directly by the root"):
        certconv.convert(to_pem([leaf, root]), tmp_path / "chain.pem", to="chain")


def test_fullchain_needs_an_end_entity_certificate(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.ConversionError, match="no end-entity certificate"):
        certconv.convert(to_pem([pki.intermediate, pki.root]), tmp_path / "f.pem", to="fullchain")


def test_fullchain_with_include_key_ends_with_the_leaf_key(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "combined.pem"
    certconv.convert(serialize(pki, "pfx"), out, to="fullchain", password="changeit", include_key=True)
    assert mode_of(out) == 0o600
    assert subjects_in_order(out) == CNS[:2]
    assert openssl("pkey", "-in", str(out), "-pubout").encode() == pubkey_of_cert(pki.leaf)


# -- pfx ------------------------------------------------------------------------------------


def test_pfx_from_pem_parts_holds_key_and_chain_with_aes256(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    result = certconv.convert(
        [pki.leaf.pem, _key_pem(pki.leaf), to_pem([pki.intermediate, pki.root])],
        out,
        to="pfx",
        new_password=SECRET,
        include_root=True,
    )
    assert mode_of(out) == 0o600 and result.key_included
    info = pkcs12_info(out, SECRET)
    assert "AES-256-CBC" in info and "MAC: sha256" in info
    assert "3DES" not in info and "RC2" not in info
    certs = openssl("pkcs12", "-in", str(out), "-nokeys", "-passin", f"pass:{SECRET}")
    assert re.findall(r"^subject=.*CN ?= ?([^,\n]+)$", certs, flags=re.MULTILINE) == CNS
    key = openssl("pkcs12", "-in", str(out), "-nocerts", "-nodes", "-passin", f"pass:{SECRET}")
    assert openssl("pkey", "-pubout", data=key.encode()).encode() == pubkey_of_cert(pki.leaf)


def test_pfx_from_a_certificate_and_its_encrypted_key_file(pki: Pki, tmp_path: Path) -> None:
    key_file = tmp_path / "backend.key"
    key_file.write_bytes(
        pki.leaf.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"keypass"),
        )
    )
    inputs = [pki.leaf.pem, key_file]
    with pytest.raises(certconv.PasswordRequiredError, match=r"backend\.key: private key is encrypted"):
        certconv.convert(inputs, tmp_path / "a.pfx", to="pfx", new_password=SECRET)
    certconv.convert(inputs, tmp_path / "b.pfx", to="pfx", password="keypass", new_password=SECRET)
    loaded = pkcs12.load_pkcs12((tmp_path / "b.pfx").read_bytes(), SECRET.encode())
    assert loaded.key is not None and loaded.key.public_key() == pki.leaf.key.public_key()


def test_keys_without_any_certificate_are_refused(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.NoCertificateError, match="holds a private key but no certificate: add"):
        certconv.convert(_key_pem(pki.leaf), tmp_path / "a.pfx", to="pfx", new_password=SECRET)


def test_pfx_is_refused_by_openssl_with_a_wrong_password(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    certconv.convert(serialize(pki, "pem"), out, to="pfx", new_password=SECRET)
    done = subprocess.run(
        ["openssl", "pkcs12", "-in", str(out), "-noout", "-passin", "pass:changeit"], capture_output=True, check=False
    )
    assert done.returncode != 0


def test_keytool_sees_one_private_key_entry_with_the_whole_chain(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    certconv.convert(serialize(pki, "pem"), out, to="pfx", new_password=SECRET, include_root=True)
    listing = subprocess.run(
        ["keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore", str(out), "-storepass", SECRET],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Your keystore contains 1 entry" in listing
    assert "Entry type: PrivateKeyEntry" in listing
    assert "Certificate chain length: 3" in listing


def test_legacy_pfx_uses_3des_and_sha1_mac(rsa_pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "old-windows.pfx"
    result = certconv.convert(serialize(rsa_pki, "pem"), out, to="pfx", new_password=SECRET, legacy=True)
    info = pkcs12_info(out, SECRET)
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in info and "MAC: sha1" in info
    assert "AES" not in info
    assert result.encryption is not None and "3DES" in result.encryption
    loaded = pkcs12.load_pkcs12(out.read_bytes(), SECRET.encode())
    assert loaded.cert is not None and loaded.cert.certificate == rsa_pki.leaf.cert


def test_pfx_refuses_a_key_that_does_not_match_the_leaf(pki: Pki, tmp_path: Path) -> None:
    stranger = make_chain("Other").leaf
    out = tmp_path / "backend.pfx"
    with pytest.raises(certconv.KeyMismatchError, match=r"does not match the leaf '\*\.backend\.example'"):
        certconv.convert([to_pem(pki.chain), _key_pem(stranger)], out, to="pfx", new_password=SECRET)
    assert not out.exists()


def test_pfx_refuses_the_key_of_a_ca_when_the_bundle_has_a_leaf(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.KeyMismatchError, match="belongs to 'Test Intermediate CA'"):
        certconv.convert(
            [to_pem(pki.chain), _key_pem(pki.intermediate)], tmp_path / "b.pfx", to="pfx", new_password=SECRET
        )


def test_pfx_with_a_key_needs_a_new_password(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    for empty in (None, ""):
        with pytest.raises(certconv.NewPasswordRequiredError):
            certconv.convert(serialize(pki, "pem"), out, to="pfx", new_password=empty)
    assert not out.exists()


def test_pfx_without_a_key_is_certificate_only_with_the_empty_password(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "cas.pfx"
    result = certconv.convert(to_p7b([pki.root, pki.intermediate]), out, to="pfx")
    assert not result.key_included and mode_of(out) == 0o644
    listing = openssl("pkcs12", "-in", str(out), "-passin", "pass:", "-nokeys")
    assert re.findall(r"^subject=.*CN ?= ?([^,\n]+)$", listing, flags=re.MULTILINE) == CNS[1:][::-1]
    keys = openssl("pkcs12", "-in", str(out), "-passin", "pass:", "-nocerts", "-nodes")
    assert "PRIVATE KEY" not in keys


def test_pfx_reconverted_from_a_pfx_keeps_key_and_certificates(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "again.pfx"
    certconv.convert(
        serialize(pki, "pfx-legacy"), out, to="pfx", password="changeit", new_password=SECRET, include_root=True
    )
    loaded = pkcs12.load_pkcs12(out.read_bytes(), SECRET.encode())
    assert loaded.cert is not None and loaded.cert.certificate == pki.leaf.cert
    assert [c.certificate for c in loaded.additional_certs] == [pki.intermediate.cert, pki.root.cert]
    assert loaded.key is not None and loaded.key.public_key() == pki.leaf.key.public_key()


# -- options and output safety -------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"to": "der", "format": "pem"}, "the der form decides its encoding itself (leave format= out)"),
        ({"to": "pem", "legacy": True}, "to the pfx and truststore forms only (leave legacy=True out)"),
        ({"to": "chain", "include_key": True}, "the chain form holds no private key: the private key is added only"),
        (
            {"to": "der", "new_password": "x"},
            "the der form writes none (leave new_password= out, or add include_key=True for PEM)",
        ),
    ],
)
def test_contradicting_options_are_refused_before_reading(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    missing = tmp_path / "does-not-exist.pem"
    with pytest.raises(certconv.ConversionError, match=re.escape(message)):
        certconv.convert(missing, tmp_path / "out", **options)  # type: ignore[arg-type]


def test_existing_file_is_kept_without_force_and_replaced_with_it(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "leaf.cer"
    out.write_bytes(b"old")
    with pytest.raises(certconv.OutputExistsError):
        certconv.convert(pki.leaf.pem, out, to="der")
    assert out.read_bytes() == b"old"
    certconv.convert(pki.leaf.pem, out, to="der", force=True)
    assert out.read_bytes() == pki.leaf.der


def test_a_folder_as_out_is_refused(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.UnsafeOutputError):
        certconv.convert(pki.leaf.pem, tmp_path, to="der")


def test_key_file_mode_is_0600_whatever_the_umask(pki: Pki, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        certconv.convert(serialize(pki, "pem"), tmp_path / "k.pfx", to="pfx", new_password=SECRET)
    finally:
        os.umask(old)
    assert mode_of(tmp_path / "k.pfx") == 0o600


def test_conversion_repr_shows_no_bytes(pki: Pki) -> None:
    bundle = certconv.load(pki.leaf.pem + _key_pem(pki.leaf))
    conversion = certconv.convert_bundle(bundle, to="pem", include_key=True)
    assert b"PRIVATE KEY" in conversion.data
    assert "PRIVATE" not in repr(conversion) and "data" not in repr(conversion)


# -- CLI -------------------------------------------------------------------------------------


runner = CliRunner()


def test_cli_converts_a_pfx_to_a_new_pfx_with_the_new_password_from_a_file(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "in.pfx"
    src.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    (tmp_path / "old.txt").write_text("changeit\n")
    (tmp_path / "new.txt").write_text(SECRET + "\n")
    out = tmp_path / "out.pfx"
    result = runner.invoke(
        app,
        [
            "convert",
            str(src),
            "--to",
            "pfx",
            "--out",
            str(out),
            "--password-file",
            str(tmp_path / "old.txt"),
            "--new-password-file",
            str(tmp_path / "new.txt"),
            "--include-root",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: PKCS#12 with private key, 3 certificates" in result.output
    assert "file mode: 0600" in result.output
    openssl("pkcs12", "-in", str(out), "-noout", "-passin", f"pass:{SECRET}")


def test_cli_reads_the_new_password_from_the_environment(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "in.pem"
    src.write_bytes(serialize(pki, "pem"))
    out = tmp_path / "out.pfx"
    result = runner.invoke(
        app,
        ["convert", str(src), "--to", "pfx", "-o", str(out), "--new-password-env", "CERTCONV_NEW"],
        env={"CERTCONV_NEW": SECRET},
    )
    assert result.exit_code == 0, result.output
    openssl("pkcs12", "-in", str(out), "-noout", "-passin", f"pass:{SECRET}")


def test_cli_error_for_several_certificates_exits_1(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    result = runner.invoke(app, ["convert", str(src), "--to", "der", "--out", str(tmp_path / "x.cer")])
    assert result.exit_code == 1
    assert "error: input holds 3 certificates" in result.output
    assert not (tmp_path / "x.cer").exists()


def test_cli_refuses_a_key_into_a_pfx_without_a_password_when_it_cannot_ask(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "in.pem"
    src.write_bytes(serialize(pki, "pem"))
    result = runner.invoke(app, ["convert", str(src), "--to", "pfx", "--out", str(tmp_path / "o.pfx")])
    assert result.exit_code == 1
    assert "needs a password" in result.output
    assert not (tmp_path / "o.pfx").exists()


def test_cli_rejects_two_new_password_sources(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["convert", "x.pem", "--to", "pfx", "--out", "o.pfx", "--new-password", "a", "--new-password-env", "B"],
    )
    assert result.exit_code == 2
    assert "give only one of --new-password, --new-password-env" in result.output


def test_installed_command_converts_from_standard_input(pki: Pki, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "certconv", "convert", "-", "--to", "der", "--out", str(tmp_path / "leaf.cer")],
        input=pki.leaf.pem,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "leaf.cer").read_bytes() == pki.leaf.der
    assert b"Wrote " in done.stdout


def test_cli_writes_a_pem_p7b_with_format_pem(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    out = tmp_path / "chain.p7b"
    result = runner.invoke(app, ["convert", str(src), "--to", "p7b", "--format", "pem", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "PKCS#7 (PEM), 3 certificates" in result.output
    assert sorted(subjects_in_order(out, inform="PEM", pkcs7_input=True)) == sorted(CNS)


def test_cli_rejects_an_unknown_target() -> None:
    result = runner.invoke(app, ["convert", "x.pem", "--to", "jks", "--out", "o"])
    assert result.exit_code == 2


def _key_pem(issued: Issued) -> bytes:
    return issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
