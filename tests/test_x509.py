"""certconv.pki._x509: the one copy of each certificate primitive, and dates that read the same everywhere."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from pki import Issued, Pki, issue, make_key
from typer.testing import CliRunner

import certconv
from certconv.base._dates import iso_day, iso_utc
from certconv.base._enums import Validity
from certconv.cli import app
from certconv.pki._x509 import (
    access_urls,
    ca_issuers_urls,
    key_spki,
    public_key_spki,
    validity,
)

runner = CliRunner()
YEAR_5 = "0005-01-02T03:04:05Z"


def rewritten(made: Issued, old: bytes, new: bytes) -> Issued:
    """``made`` (self-signed, RSA 2048) with the bytes ``old`` of its DER replaced by ``new`` and signed again.

    cryptography refuses to build some validity periods (a start before 1950, an end
    before the start); a GeneralizedTime of the same length rewritten in the DER
    makes them, and the new signature keeps the certificate a real self-signed one.
    """
    assert len(old) == len(new) and made.der.count(old) == 1
    der = made.der.replace(old, new)
    key = made.key
    assert isinstance(key, rsa.RSAPrivateKey)
    tbs = x509.load_der_x509_certificate(der).tbs_certificate_bytes
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    assert len(signature) == 256  # RSA 2048: the BIT STRING keeps its length, so it is replaced in place
    return Issued(x509.load_der_x509_certificate(der[:-256] + signature), key)


def self_signed_rsa(cn: str, not_before: dt.datetime, not_after: dt.datetime) -> Issued:
    return issue(cn, key_kind="rsa", ca=False, san=[cn], not_before=not_before, not_after=not_after)


def year_5_certificate() -> Issued:
    """A self-signed backend certificate valid from 0005-01-02 03:04:05 UTC to 2100."""
    made = self_signed_rsa(
        "year5.backend.example", dt.datetime(2050, 1, 2, 3, 4, 5, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )
    cert = rewritten(made, b"20500102030405Z", b"00050102030405Z")
    assert cert.cert.not_valid_before_utc == dt.datetime(5, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    return cert


@pytest.fixture(scope="module")
def year_5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("year5") / "year5.cer"
    path.write_bytes(year_5_certificate().der)
    return path


def test_iso_utc_writes_four_digit_years_and_drops_microseconds() -> None:
    assert iso_utc(dt.datetime(5, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC)) == YEAR_5
    assert iso_utc(dt.datetime(2030, 1, 31, 12, 0, tzinfo=dt.UTC)) == "2030-01-31T12:00:00Z"
    assert iso_day(dt.datetime(5, 1, 2, 23, 59, tzinfo=dt.UTC)) == "0005-01-02"


def test_iso_utc_converts_offsets_to_utc_and_reads_naive_moments_as_utc() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert iso_utc(dt.datetime(2030, 1, 1, 1, 30, tzinfo=plus_two)) == "2029-12-31T23:30:00Z"
    assert iso_utc(dt.datetime(2030, 1, 1, 1, 30)) == "2030-01-01T01:30:00Z"


def test_year_5_reads_as_0005_in_the_manifest(year_5: Path, tmp_path: Path) -> None:
    manifest = certconv.split(year_5, tmp_path / "out")
    written = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [c["not_before"] for c in written["certificates"]] == [YEAR_5]
    assert manifest.to_dict()["certificates"][0]["not_before"] == YEAR_5


def test_year_5_reads_as_0005_in_inspect_json(year_5: Path) -> None:
    result = runner.invoke(app, ["inspect", str(year_5), "--json"])
    assert result.exit_code == 0, result.output
    assert [c["not_before"] for c in json.loads(result.stdout)["certificates"]] == [YEAR_5]
    # The moment inspect judges at is written by the same helper.
    moment = dt.datetime(5, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert certconv.inspect(year_5, at=moment).to_dict()["at"] == YEAR_5


def test_year_5_reads_as_0005_in_verify_json(year_5: Path) -> None:
    result = runner.invoke(app, ["verify", str(year_5), "--at", "0005-01-02T03:04:05+00:00", "--json"])
    assert result.exit_code in (0, 3), result.output
    assert json.loads(result.stdout)["at"] == YEAR_5


def test_a_certificate_before_its_start_is_not_yet_valid_and_after_its_end_expired(pki: Pki) -> None:
    cert = pki.leaf.cert
    assert validity(cert, cert.not_valid_before_utc - dt.timedelta(seconds=1)) is Validity.NOT_YET_VALID
    assert validity(cert, cert.not_valid_before_utc) is Validity.VALID  # both ends are inside
    assert validity(cert, cert.not_valid_after_utc) is Validity.VALID
    assert validity(cert, cert.not_valid_after_utc + dt.timedelta(seconds=1)) is Validity.EXPIRED


def test_an_inverted_validity_period_is_not_yet_valid_first_as_openssl_says() -> None:
    # notBefore 2050 after notAfter 2040: in 2045 it is both; OpenSSL reports "not yet valid" (error 9).
    made = self_signed_rsa(
        "inverted.example", dt.datetime(2050, 1, 2, tzinfo=dt.UTC), dt.datetime(2060, 1, 2, tzinfo=dt.UTC)
    )
    inverted = rewritten(made, b"20600102000000Z", b"20400102000000Z").der
    at = dt.datetime(2045, 1, 1, tzinfo=dt.UTC)
    assert validity(x509.load_der_x509_certificate(inverted), at) is Validity.NOT_YET_VALID
    bundle = certconv.load(inverted, at=at)
    assert [w.code for w in bundle.warnings if w.code in ("expired", "not-yet-valid")] == ["not-yet-valid"]
    assert certconv.inspect(inverted, at=at).to_dict()["certificates"][0]["status"] == "not-yet-valid"
    verdict = certconv.verify(inverted, at=at).chains[0]
    codes = [f.code for f in verdict.failures]
    assert "not-yet-valid" in codes and "expired" not in codes
    # verify no longer runs OpenSSL; it names the error OpenSSL names (X509_V_ERR_CERT_NOT_YET_VALID, 9).


def test_access_urls_read_each_method_and_ca_issuers_urls_stays_a_list() -> None:
    cert = issue("aia.example", aia_ca_issuers=["http://a.example/ca.cer", "ldap://b.example/ca"]).cert
    urls = ["http://a.example/ca.cer", "ldap://b.example/ca"]
    assert ca_issuers_urls(cert) == urls
    assert certconv.ca_issuers_urls(cert) == urls  # the public name
    assert access_urls(cert, x509.oid.AuthorityInformationAccessOID.OCSP) == ()
    assert ca_issuers_urls(issue("plain.example").cert) == []


def test_a_private_key_matches_the_certificate_of_its_public_key(pki: Pki) -> None:
    spki = public_key_spki(pki.leaf.cert)
    assert spki is not None and spki == key_spki(pki.leaf.key)
    assert key_spki(make_key()) != spki
    assert certconv.signed_by(pki.leaf.cert, pki.intermediate.cert)


def test_issued_by_matches_names_as_chaining_does_and_needs_the_signature() -> None:
    from certconv.pki._x509 import issued_by

    ca = issue("Issuing CA", issue("Root", ca=True), ca=True)
    sloppy = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CERTCONV  TESTS"),
            x509.NameAttribute(NameOID.COMMON_NAME, "issuing ca"),
        ]
    )
    leaf = issue("site.example", ca, issuer_name=sloppy)
    impostor = issue("Issuing CA", ca=True)
    assert issued_by(leaf.cert, ca.cert)
    assert not issued_by(leaf.cert, impostor.cert)
