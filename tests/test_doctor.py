"""certconv fetch as the APIM backend doctor: APIM's verdict with the uploads, TLS versions and ciphers.

Every backend is a loopback server the test starts (127.0.0.1 or ::1).
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest
from loopback import LOOPBACK, closed_port, host_port, tls_server
from pki import Pki, issue
from typer.testing import CliRunner

import certconv
from certconv.cli import app

runner = CliRunner()

TLS12 = (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
TLS13 = (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3)


def uploads(tmp_path: Path, *certs: bytes) -> Path:
    folder = tmp_path / "uploaded"
    folder.mkdir()
    for index, der in enumerate(certs):
        (folder / f"ca-{index}.cer").write_bytes(der)
    return folder


# -- the one-step check ------------------------------------------------------------------


@pytest.mark.parametrize("host", LOOPBACK)
def test_leaf_only_backend_with_only_the_root_uploaded_exits_3_naming_the_intermediate_and_both_fixes(
    pki: Pki, tmp_path: Path, host: str
) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server(host, [pki.leaf], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", host_port(host, server.port), "--ca", str(ca), "--no-probe"])
    assert result.exit_code == 3, result.output
    assert "NOT TRUSTED" in result.stdout
    assert "the intermediate `Test Intermediate CA` that issued `*.backend.example`" in result.stdout
    assert "upload it as `intermediate-Test_Intermediate_CA.cer` to APIM → CA certificates" in result.stdout
    assert "or make the server send it" in result.stdout
    assert "Could not establish trust relationship for the SSL/TLS secure channel" in result.stdout


def test_served_intermediate_with_the_root_uploaded_is_trusted_exit_0(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as server:
        result = runner.invoke(
            app,
            ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca), "--host", "api.backend.example", "--no-probe"],
        )
    assert result.exit_code == 0, result.output
    assert "TRUSTED" in result.stdout and "NOT TRUSTED" not in result.stdout
    assert "host api.backend.example" in result.stdout


def test_wrong_host_name_is_not_trusted(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as server:
        result = runner.invoke(
            app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca), "--host", "other.example", "--no-probe"]
        )
    assert result.exit_code == 3
    assert "hostname-mismatch" in result.stdout


def test_library_gives_the_same_verdict_in_one_call(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        report = certconv.diagnose_backend(f"127.0.0.1:{server.port}", ca=[ca], probe=False)
    assert report.trusted is False and report.failed
    assert report.verification is not None
    assert [f.code for f in report.verification.chains[0].failures] == ["missing-issuer"]
    assert report.fetch.verdict == "leaf-only"


def test_root_not_sent_is_information_not_a_problem(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--no-probe"])
    assert result.exit_code == 0
    assert "Problems:" not in result.stdout
    assert "info: root not sent, as usual: APIM needs it uploaded" in result.stdout


def test_leaf_only_stays_a_problem(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--no-probe"])
    # Without --ca the exit code stays as it was: the chain was fetched.
    assert result.exit_code == 0
    assert "Problems:" in result.stdout and "missing-issuer" in result.stdout
    assert "root not sent" not in result.stdout


def test_unreachable_backend_with_ca_exits_1(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    result = runner.invoke(app, ["fetch", f"127.0.0.1:{closed_port()}", "--ca", str(ca)])
    assert result.exit_code == 1
    assert "connection refused" in result.stderr


def test_unreadable_ca_exits_1(pki: Pki, tmp_path: Path) -> None:
    bad = tmp_path / "broken.cer"
    bad.write_bytes(b"not a certificate")
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(bad), "--no-probe"])
    assert result.exit_code == 1
    assert "broken.cer" in result.stderr


def test_quiet_prints_nothing_and_keeps_the_exit_code(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca), "-q", "--no-probe"])
    assert result.exit_code == 3
    assert result.stdout == ""


def test_complete_says_when_there_is_nothing_to_download(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--complete", "--no-probe"])
    assert result.exit_code == 0
    assert "--complete: nothing to download: '*.backend.example' names no http(s) caIssuers URL" in result.stdout


def test_complete_with_every_issuer_sent_says_so(pki: Pki) -> None:
    with tls_server("127.0.0.1", pki.chain, pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--complete", "--no-probe"])
    assert "--complete: nothing to download, every issuer is present" in result.stdout


def test_self_signed_ca_as_server_certificate_is_not_an_input_error(tmp_path: Path) -> None:
    root = issue("Lonely CA", ca=True)
    ca = uploads(tmp_path, root.der)
    with tls_server("127.0.0.1", [root], root) as server:
        report = certconv.diagnose_backend(f"127.0.0.1:{server.port}", ca=[ca], probe=False)
    assert report.trusted is False
    assert report.unverifiable is not None and "no end-entity certificate" in report.unverifiable


# -- JSON --------------------------------------------------------------------------------


def test_json_has_schema_tool_and_inspects_certificate_objects(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == 1
    assert document["tool"] == f"certconv {certconv.__version__}"
    assert document["trusted"] is True and document["apim_ok"] is True
    assert document["protocol"] == "TLSv1.3" and document["cipher"]
    assert {p["version"] for p in document["tls"]["versions"]} == {"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
    # The same certificate object as inspect --json, field for field (only the source differs).
    served = tmp_path / "served.pem"
    served.write_bytes(pki.leaf.pem + pki.intermediate.pem)
    inspected = json.loads(runner.invoke(app, ["inspect", str(served), "--json"]).stdout)["certificates"]
    fetched = document["certificates"]
    assert [set(c) for c in fetched] == [set(c) for c in inspected]
    for a, b in zip(fetched, inspected, strict=True):
        assert {k: v for k, v in a.items() if k not in ("source", "days_left")} == {
            k: v for k, v in b.items() if k not in ("source", "days_left")
        }
    assert fetched[0]["source"].startswith("tls://127.0.0.1:")


# -- TLS versions and cipher suites ------------------------------------------------------


def test_tls13_only_backend_is_called_out(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, versions=TLS13) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca), "--json"])
    document = json.loads(result.stdout)
    outcomes = {p["version"]: p["outcome"] for p in document["tls"]["versions"]}
    assert outcomes["TLS 1.3"] == "accepted" and outcomes["TLS 1.2"] == "refused"
    codes = [f["code"] for f in document["tls"]["findings"] if f["problem"]]
    assert codes == ["tls13-only"]
    # The chain is fine, yet APIM (TLS 1.2 by default) would not connect: exit 3.
    assert document["trusted"] is True and document["apim_ok"] is False
    assert result.exit_code == 3


def test_tls13_only_text_names_the_apim_setting_and_v2(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, versions=TLS13) as server:
        report = certconv.diagnose_backend(f"127.0.0.1:{server.port}")
    text = report.render()
    assert "accepts only TLS 1.3: APIM's backend side uses TLS 1.2 unless backend TLS 1.3 is enabled" in text
    assert "v2 tiers backend TLS 1.3 is not available" in text


def test_tls12_only_backend_reports_tls12_and_fits_apim(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, versions=TLS12) as server:
        report = certconv.diagnose_backend(f"127.0.0.1:{server.port}")
    assert report.fetch.protocol == "TLSv1.2"
    assert report.tls is not None
    assert report.tls.accepted == ("TLS 1.2",)
    assert not report.tls.problems
    assert [p.outcome for p in report.tls.apim_ciphers] == ["accepted"]
    assert certconv.APIM_BACKEND_TLS.offers(report.tls.apim_ciphers[0].cipher or "")


def test_backend_with_only_a_cipher_apim_does_not_offer_is_called_out(pki: Pki, tmp_path: Path) -> None:
    ca = uploads(tmp_path, pki.root.der)
    with tls_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, versions=TLS12, ciphers="ECDHE-ECDSA-CHACHA20-POLY1305"
    ) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--ca", str(ca)])
    assert result.exit_code == 3, result.output
    assert "ECDHE-ECDSA-CHACHA20-POLY1305" in result.stdout  # what was agreed with certconv
    assert "over TLS 1.2 the backend accepts none of the cipher suites APIM offers" in result.stdout
    assert "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" in result.stdout


def test_backend_with_only_a_cbc_suite_apim_lacks_is_called_out(pki: Pki) -> None:
    suite = "ECDHE-ECDSA-CAMELLIA256-SHA384"  # CBC, and not among APIM's suites
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, versions=TLS12, ciphers=suite) as server:
        report = certconv.diagnose_backend(f"127.0.0.1:{server.port}")
    assert report.fetch.cipher == suite
    assert report.tls is not None
    assert [f.code for f in report.tls.problems] == ["no-apim-cipher"]


def test_the_apim_table_keeps_its_sources_and_date() -> None:
    table = certconv.APIM_BACKEND_TLS
    assert any("api-management-howto-manage-protocols-ciphers" in d for d in table.docs)
    assert table.checked
    assert [p.version for p in table.protocols if p.default_on] == ["TLS 1.2"]
    assert table.protocol("TLS 1.3").v2 == "not available"
    assert not table.offers("ECDHE-ECDSA-CHACHA20-POLY1305")
    assert table.cipher_name("ECDHE-RSA-AES128-GCM-SHA256") == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"


# -- --fail-within ------------------------------------------------------------------------


def test_fetch_fail_within_exits_3_with_one_line_per_certificate(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as server:
        soon = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--fail-within", "400", "--no-probe"])
        later = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--fail-within", "30", "--no-probe"])
    assert soon.exit_code == 3
    lines = [line for line in soon.stderr.splitlines() if line.startswith("expires-soon:")]
    assert len(lines) == 2
    assert later.exit_code == 0 and "expires-soon" not in later.stderr


def test_fetch_policy_reaches_the_verdict(tmp_path: Path) -> None:
    # A leaf whose only name is its CN: APIM (Windows) matches the CN (leniency cn-as-host), strict does not.
    root = issue("Policy Root CA", ca=True)
    leaf = issue("cn-only.backend.example", root, server_auth=True)
    ca = tmp_path / "root.cer"
    ca.write_bytes(root.der)
    with tls_server("127.0.0.1", [leaf], leaf) as server:
        endpoint = f"127.0.0.1:{server.port}"
        host = "cn-only.backend.example"
        apim = certconv.diagnose_backend(endpoint, ca=[ca], host=host, probe=False)
        strict = certconv.diagnose_backend(endpoint, ca=[ca], host=host, probe=False, policy="strict")
        args = ["fetch", endpoint, "--ca", str(ca), "--host", host, "--policy", "strict", "--no-probe"]
        cli = runner.invoke(app, args)
    assert apim.trusted is True and strict.trusted is False
    assert cli.exit_code == 3, cli.output


def test_fetch_refuses_an_unknown_policy_before_connecting() -> None:
    with pytest.raises(certconv.UsageError, match="policy"):
        certconv.diagnose_backend(f"127.0.0.1:{closed_port()}", ca=[b"unused"], policy="lenient", probe=False)
