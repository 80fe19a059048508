"""certconv fetch: real TLS servers on loopback (127.0.0.1 and ::1), started by the tests themselves."""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from loopback import LOOPBACK, closed_port, hello_request_server, host_port, tcp_server, tls_server
from pki import Issued, Pki, issue, make_chain, make_key, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app
from certconv.network import _probe
from certconv.network._handshake import parse_target

runner = CliRunner()


def sha1s(items: list[Issued]) -> list[str]:
    return [certconv.load(i.der).certificates[0].sha1 for i in items]


# -- where to connect, which name to send --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "host", "port", "sni", "name"),
    [
        ("backend.example", "backend.example", 443, "backend.example", "tls://backend.example:443"),
        ("backend.example:8443", "backend.example", 8443, "backend.example", "tls://backend.example:8443"),
        ("backend.example.:8443", "backend.example", 8443, "backend.example", "tls://backend.example:8443"),
        ("https://Backend.example:9443/api/x?y=1", "Backend.example", 9443, "Backend.example", None),
        ("https://backend.example/", "backend.example", 443, "backend.example", "tls://backend.example:443"),
        ("tls://backend.example:8443", "backend.example", 8443, "backend.example", "tls://backend.example:8443"),
        ("10.1.2.3:8443", "10.1.2.3", 8443, None, "tls://10.1.2.3:8443"),
        ("[::1]:8443", "::1", 8443, None, "tls://[::1]:8443"),
        ("[2001:db8::1]", "2001:db8::1", 443, None, "tls://[2001:db8::1]:443"),
        ("2001:db8::1", "2001:db8::1", 443, None, "tls://[2001:db8::1]:443"),
        ("https://[::1]:8443/", "::1", 8443, None, "tls://[::1]:8443"),
        ("bücher.example", "bücher.example", 443, "bücher.example", "tls://bücher.example:443"),
    ],
)
def test_target_parses_host_port_and_default_sni(
    text: str, host: str, port: int, sni: str | None, name: str | None
) -> None:
    target = parse_target(text)
    assert (target.host, target.port, target.sni) == (host, port, sni)
    if name is not None:
        assert target.name == name


def test_sni_option_overrides_the_host_and_empty_sends_none() -> None:
    assert parse_target("10.0.0.1:443", sni="backend.example").sni == "backend.example"
    assert parse_target("backend.example", sni="other.example").sni == "other.example"
    assert parse_target("backend.example", sni="").sni is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("http://backend.example/", "is not TLS"),
        ("ldap://backend.example/", "is not TLS"),
        ("backend.example:0", "1 to 65535"),
        ("backend.example:65536", "1 to 65535"),
        ("backend.example:https", "1 to 65535"),
        ("[backend.example]:443", "not an IPv6 address"),
        ("[::1", "IPv6 address in brackets"),
        ("1:2:3", "not a host name"),
        ("", "not a host name"),
        ("back end.example", "not a host name"),
        ("https://user@backend.example/", "user names"),
    ],
)
def test_bad_targets_are_input_errors(text: str, says: str) -> None:
    with pytest.raises(certconv.InputError, match=re.escape(says)):
        parse_target(text)


# -- what the server sends, and what certconv says about it ---------------------------------


@pytest.fixture(scope="module")
def served_pki() -> Pki:
    return make_chain("Served", leaf_name="backend.example")


@pytest.mark.parametrize("host", LOOPBACK)
@pytest.mark.parametrize(
    ("shape", "verdict", "says"),
    [
        (
            "chain",
            "leaf-and-intermediates",
            "the server sends 2 certificates: leaf and intermediate; root not sent (normal)",
        ),
        ("leaf", "leaf-only", "the server sends only its leaf: APIM needs the intermediate uploaded"),
        ("wrong-order", "wrong-order", "the server sends its chain in the wrong order (leaf, root, intermediate)"),
        ("with-root", "full-chain", "the server sends 3 certificates: leaf, intermediate and root"),
    ],
)
def test_served_chain_is_captured_in_server_order_and_diagnosed(
    served_pki: Pki, host: str, shape: str, verdict: str, says: str
) -> None:
    p = served_pki
    served = {
        "chain": [p.leaf, p.intermediate],
        "leaf": [p.leaf],
        "wrong-order": [p.leaf, p.root, p.intermediate],
        "with-root": [p.leaf, p.intermediate, p.root],
    }[shape]
    with tls_server(host, served, p.leaf) as server:
        result = certconv.fetch(host_port(host, server.port), timeout=5)
    assert [c.sha1 for c in result.served] == sha1s(served)
    assert result.verdict == verdict
    assert says in result.message
    assert result.target == f"tls://{host_port(host, server.port)}"
    assert result.bundle.inputs == (result.target,)
    assert {c.source for c in result.bundle.certificates} == {result.target}


def test_wrong_order_matches_what_openssl_s_client_sees(served_pki: Pki) -> None:
    p = served_pki
    served = [p.leaf, p.root, p.intermediate]
    with tls_server("127.0.0.1", served, p.leaf) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
        shown = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-showcerts"],
            input=b"",
            capture_output=True,
            timeout=30,
            check=False,
        ).stdout
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", shown, re.S)
    assert [certconv.load(b).certificates[0].sha1 for b in blocks] == [c.sha1 for c in result.served]
    assert result.verdict == "wrong-order"


def test_single_self_signed_certificate_goes_to_store_root() -> None:
    selfie = issue("selfie.backend.example", san=["selfie.backend.example"], server_auth=True)
    with tls_server("::1", [selfie], selfie) as server:
        result = certconv.fetch(f"[::1]:{server.port}", timeout=5)
    assert result.verdict == "self-signed"
    assert "store Root" in result.message
    assert [c.role for c in result.served] == [certconv.Role.ROOT]


def test_unrelated_extra_certificate_is_called_out(served_pki: Pki) -> None:
    stranger = make_chain("Stranger").intermediate
    with tls_server("127.0.0.1", [served_pki.leaf, served_pki.intermediate, stranger], served_pki.leaf) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
    assert result.verdict == "extra-certificates"
    assert "'Stranger Intermediate CA'" in result.message


def test_chain_starting_with_a_ca_is_wrong_order(served_pki: Pki) -> None:
    p = served_pki
    # OpenSSL sends the key's certificate first, so build the odd order from a CA that is also the "server".
    with tls_server("127.0.0.1", [p.intermediate, p.leaf], p.intermediate) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
    assert result.verdict == "wrong-order"
    assert "starts with the CA certificate 'Served Intermediate CA'" in result.message


def test_server_sending_a_certificate_twice_is_reported_once(served_pki: Pki) -> None:
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf, p.intermediate, p.intermediate], p.leaf) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
    assert len(result.served) == 3
    assert result.verdict == "leaf-and-intermediates"
    assert [w.code for w in result.bundle.warnings].count("duplicate") == 1


def test_certificates_sent_before_a_client_certificate_demand_are_kept(served_pki: Pki) -> None:
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf, p.intermediate], p.leaf, client_ca=p.root) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
    assert [c.sha1 for c in result.served] == sha1s([p.leaf, p.intermediate])
    assert result.verdict == "leaf-and-intermediates"


# -- SNI ------------------------------------------------------------------------------------


def test_sni_is_the_host_name_by_default_none_for_ip_and_overridable(served_pki: Pki) -> None:
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf, p.intermediate], p.leaf) as server:
        certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
        certconv.fetch(f"127.0.0.1:{server.port}", sni="backend.example", timeout=5)
        by_name = certconv.fetch(f"localhost:{server.port}", timeout=5) if _localhost_is_ipv4() else None
    expected: list[str | None] = [None, "backend.example"] + (["localhost"] if by_name else [])
    assert server.server_names == expected
    if by_name is not None:
        assert by_name.sni == "localhost"


def _localhost_is_ipv4() -> bool:
    try:
        return any(info[4][0] == "127.0.0.1" for info in socket.getaddrinfo("localhost", 443))
    except OSError:
        return False


# -- failures: clear errors, bounded in time -----------------------------------------------


def test_closed_port_is_connection_refused() -> None:
    port = closed_port()
    with pytest.raises(certconv.ConnectionFailedError, match=f"connection refused: nothing listens on port {port}"):
        certconv.fetch(f"127.0.0.1:{port}", timeout=5)


def test_closed_port_on_ipv6_is_connection_refused() -> None:
    with pytest.raises(certconv.ConnectionFailedError, match="connection refused"):
        certconv.fetch(f"[::1]:{closed_port('::1')}", timeout=5)


def test_unresolvable_name_is_a_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Name resolution is simulated: the tests never ask a real resolver.
    def no_such_name(*args: object, **kwargs: object) -> socket.socket:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(certconv.ConnectionFailedError, match=re.escape("cannot resolve host name 'backend.invalid'")):
        certconv.fetch("backend.invalid", timeout=5)


@pytest.mark.parametrize("host", LOOPBACK)
def test_http_server_is_not_tls(host: str) -> None:
    reply = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    with tcp_server(host, reply) as server, pytest.raises(certconv.NotTLSError, match="not TLS"):
        certconv.fetch(host_port(host, server.port), timeout=5)


def test_server_that_hangs_up_is_not_tls() -> None:
    with (
        tcp_server("127.0.0.1", b"") as server,
        pytest.raises(certconv.NotTLSError, match="closed the connection during the TLS handshake"),
    ):
        certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)


def test_silent_server_times_out() -> None:
    with (
        tcp_server("127.0.0.1", None) as server,
        pytest.raises(certconv.NetworkTimeoutError, match=re.escape("no TLS handshake within 0.5 s")),
    ):
        certconv.fetch(f"127.0.0.1:{server.port}", timeout=0.5)


def test_trickling_server_cannot_outlast_the_timeout() -> None:
    # A TLS record header promising a 16 KiB handshake message, then one byte every 0.05 s:
    # every single read succeeds, only the overall deadline ends it. The server would need
    # 10 s to send it all; the client must hang up long before, however slow the machine.
    hello = b"\x16\x03\x03\x40\x00\x02" + b"\x00" * 200
    with tcp_server("127.0.0.1", hello, trickle=0.05) as server, pytest.raises(certconv.NetworkTimeoutError):
        certconv.fetch(f"127.0.0.1:{server.port}", timeout=0.5)
    assert server.bytes_sent < len(hello)


@pytest.mark.parametrize("host", LOOPBACK)
@pytest.mark.parametrize("after_server_hello", [False, True], ids=["after-client-hello", "after-server-hello"])
def test_hello_request_flood_cannot_outlast_the_timeout(served_pki: Pki, host: str, after_server_hello: bool) -> None:
    # OpenSSL skips a HelloRequest during a handshake and reads the next record in the same
    # call, so a server that never stops sending them kept certconv inside one do_handshake()
    # (fetch --timeout 10 took 32.5 s). Now the deadline holds: the client hangs up, the
    # flood ends with the client's hang-up, not with the server's 60 s hang guard.
    p = served_pki
    with (
        hello_request_server(host, [p.leaf, p.intermediate], p.leaf, after_server_hello=after_server_hello) as (
            server,
            flood,
        ),
        pytest.raises(certconv.NetworkTimeoutError, match=re.escape("no TLS handshake within 0.5 s")),
    ):
        certconv.fetch(host_port(host, server.port), timeout=0.5)
    assert flood.client_hung_up.wait(30), "the client never closed its socket"
    assert not flood.gave_up.is_set() and flood.records > 0


def test_slow_name_lookup_counts_against_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # getaddrinfo has no timeout: a resolver that never answers must not hold fetch.
    release = threading.Event()
    calls: list[str] = []

    def stuck(host: str, *args: object, **kwargs: object) -> list[object]:
        calls.append(host)
        release.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    try:
        with pytest.raises(
            certconv.NetworkTimeoutError, match=re.escape("'backend.example' was not resolved within 0.2 s")
        ):
            certconv.fetch("backend.example", timeout=0.2)
    finally:
        release.set()
    assert calls == ["backend.example"]


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 1e300, 3601])
def test_timeout_must_be_a_sane_number_of_seconds(timeout: float) -> None:
    with pytest.raises(certconv.UsageError, match="timeout must be more than 0 and at most 3600 seconds"):
        certconv.fetch("127.0.0.1:1", timeout=timeout)


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_prints_the_tree_and_the_verdict(served_pki: Pki) -> None:
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf], p.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}"])
    assert result.exit_code == 0, result.output
    assert "backend.example" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last == (
        f"tls://127.0.0.1:{server.port}: the server sends only its leaf: "
        "APIM needs the intermediate uploaded or the server fixed to send it"
    )


def test_cli_hints_at_complete_only_when_an_http_aia_url_could_help() -> None:
    root = issue("Hint Root", ca=True)
    ca = issue("Hint CA", root, ca=True)
    with_aia = issue("aia.example", ca, san=["aia.example"], aia_ca_issuers=["http://127.0.0.1:9/ca.cer"])
    ldap_only = issue("ldap.example", ca, san=["ldap.example"], aia_ca_issuers=["ldap://x/ca"])
    hints = []
    for leaf in (with_aia, ldap_only):
        with tls_server("127.0.0.1", [leaf], leaf) as server:
            result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}"])
        assert result.exit_code == 0, result.output
        hints.append("hint: --complete" in result.output)
    assert hints == [True, False]


def test_cli_json_lists_served_order_and_verdict(served_pki: Pki) -> None:
    p = served_pki
    with tls_server("::1", [p.leaf, p.root, p.intermediate], p.leaf) as server:
        result = runner.invoke(app, ["fetch", f"[::1]:{server.port}", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["target"] == f"tls://[::1]:{server.port}"
    assert doc["sni"] is None
    assert doc["served"] == sha1s([p.leaf, p.root, p.intermediate])
    assert doc["verdict"] == "wrong-order"
    assert {c["source"] for c in doc["certificates"]} == {doc["target"]}
    # inspect --json's certificate object: the file name split would give is there without --out too.
    assert all(c["file"].endswith(".cer") for c in doc["certificates"])


def test_cli_errors_exit_1_with_one_line() -> None:
    result = runner.invoke(app, ["fetch", f"127.0.0.1:{closed_port()}", "--timeout", "2"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: tls://127.0.0.1:")


def test_fetch_out_writes_the_same_files_as_split_of_the_pfx(served_pki: Pki, tmp_path: Path) -> None:
    p = served_pki
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(to_pfx(p.leaf, [p.intermediate, p.root]))
    certconv.split(pfx, tmp_path / "from-pfx", password="changeit")
    with tls_server("127.0.0.1", [p.leaf, p.intermediate, p.root], p.leaf) as server:
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--out", str(tmp_path / "from-tls")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("sending the root is unnecessary but harmless")
    written = {f.name: f.read_bytes() for f in (tmp_path / "from-tls").iterdir() if f.suffix == ".cer"}
    expected = {f.name: f.read_bytes() for f in (tmp_path / "from-pfx").iterdir() if f.suffix == ".cer"}
    assert written == expected
    manifest = json.loads((tmp_path / "from-tls" / "manifest.json").read_text())
    assert manifest["inputs"] == [f"tls://127.0.0.1:{server.port}"]
    assert {c["source"] for c in manifest["certificates"]} == {f"tls://127.0.0.1:{server.port}"}


def test_fetch_out_then_verify_against_the_written_folder(served_pki: Pki, tmp_path: Path) -> None:
    p = served_pki
    out = tmp_path / "out"
    with tls_server("127.0.0.1", [p.leaf, p.intermediate, p.root], p.leaf) as server:
        fetched = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--out", str(out), "--format", "pem"])
    assert fetched.exit_code == 0, fetched.output
    files = json.loads((out / "manifest.json").read_text())["certificates"]
    by_role = {c["role"]: out / c["file"] for c in files}
    # certconv's own verify, trusting only the folder...
    verified = runner.invoke(app, ["verify", str(by_role["leaf"]), "--ca", str(out), "--host", "backend.example"])
    assert verified.exit_code == 0, verified.output
    # ...and OpenSSL as the independent oracle.
    ossl = subprocess.run(
        ["openssl", "verify", "-CAfile", by_role["root"], "-untrusted", by_role["intermediate"], by_role["leaf"]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ossl.returncode == 0, ossl.stdout + ossl.stderr
    assert ossl.stdout.strip().endswith(": OK")


def test_fetch_out_refuses_to_overwrite_without_force(served_pki: Pki, tmp_path: Path) -> None:
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf, p.intermediate], p.leaf) as server:
        first = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--out", str(tmp_path)])
        second = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--out", str(tmp_path)])
        third = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--out", str(tmp_path), "--force"])
    assert (first.exit_code, second.exit_code, third.exit_code) == (0, 1, 0)
    assert second.output.startswith("error: ")


def test_installed_entry_point_fetches(served_pki: Pki) -> None:
    p = served_pki
    exe = Path(sys.executable).parent / "certconv"
    with tls_server("127.0.0.1", [p.leaf, p.intermediate], p.leaf) as server:
        run = subprocess.run(
            [exe, "fetch", f"127.0.0.1:{server.port}", "--timeout", "5"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    assert "leaf and intermediate; root not sent (normal)\ninfo: root not sent, as usual" in run.stdout


def test_import_certconv_loads_no_network_code() -> None:
    probe = (
        "import certconv, sys;"
        "print([m for m in ('OpenSSL', 'http.client', 'urllib.request', "
        "'certconv.network._tls', 'certconv.network._aia') "
        "if m in sys.modules])"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("complete", [False, True])
def test_fetch_warns_when_the_server_sends_more_cas_than_apim_takes(served_pki: Pki, complete: bool) -> None:
    # Azure's bundle checks run on served chains as on files, with or without AIA completion.
    cas = [issue(f"Sent CA {i}", ca=True) for i in range(11)]
    with tls_server("127.0.0.1", [served_pki.leaf, served_pki.intermediate, *cas], served_pki.leaf) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5, complete=complete)
    assert "apim-ca-limit" in [w.code for w in result.bundle.warnings]


def test_a_server_that_needs_sni_is_pointed_at_sni_not_called_not_tls(served_pki: Pki) -> None:
    # Issue 19.9: the unrecognized_name alert (RFC 6066 §3) was "the server's answer is not TLS… is this the TLS port?".
    p = served_pki
    with tls_server("127.0.0.1", [p.leaf, p.intermediate], p.leaf, require_sni=True) as server:
        target = f"127.0.0.1:{server.port}"
        with pytest.raises(certconv.NetworkError) as caught:
            certconv.fetch(target, timeout=5)
        assert not isinstance(caught.value, certconv.NotTLSError)
        assert "does not know the name it was sent (no SNI)" in str(caught.value) and "sni=" in str(caught.value)
        done = runner.invoke(app, ["fetch", target, "--timeout", "5"])
        assert done.exit_code == 1
        assert "unrecognized_name" in done.output and "--sni" in done.output and "not TLS" not in done.output
        assert certconv.fetch(target, sni="backend.example", timeout=5).served  # and --sni is the way through


@pytest.mark.parametrize("tls12", [True, False])
def test_a_chain_too_large_to_read_is_named_with_its_size(served_pki: Pki, tls12: bool) -> None:
    # Issue 19.9: some 300 certificates (OpenSSL reads 100 KiB of them) were "not TLS (excessive message size)".
    p = served_pki
    key = make_key()
    filler = [issue(f"filler {i}", p.intermediate, key=key) for i in range(300)]
    versions = (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2) if tls12 else None
    server_at = tls_server("127.0.0.1", [p.leaf, *filler], p.leaf, versions=versions)
    with server_at as server, pytest.raises(certconv.NetworkError) as caught:
        certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
    message = str(caught.value)
    assert not isinstance(caught.value, certconv.NotTLSError) and "not TLS" not in message
    assert "the server sends a certificate chain" in message and "102,400 bytes" in message
    if tls12:  # the Certificate message is in the clear: its declared length is the chain's size
        size = 3 + sum(3 + len(c.der) for c in [p.leaf, *filler])
        assert f"of {size:,} bytes" in message


def test_a_version_the_local_openssl_cannot_offer_is_not_probed_not_refused() -> None:
    from OpenSSL import SSL

    from certconv.network._handshake import Offer

    # At OpenSSL's default security level TLS 1.0 cannot be offered at all.
    assert _probe._cannot_offer(Offer(SSL.TLS1_VERSION, SSL.TLS1_VERSION, b"DEFAULT")) is not None
    assert _probe._cannot_offer(Offer(SSL.TLS1_2_VERSION, SSL.TLS1_2_VERSION, b"ALL:@SECLEVEL=0")) is None


def test_unprobed_versions_are_named_in_a_finding() -> None:
    versions = (
        _probe.VersionProbe("TLS 1.3", "accepted", "TLS_AES_256_GCM_SHA384"),
        _probe.VersionProbe("TLS 1.2", "accepted", "ECDHE-RSA-AES128-GCM-SHA256"),
        _probe.VersionProbe("TLS 1.1", "not-probed", detail="the local OpenSSL cannot offer it"),
        _probe.VersionProbe("TLS 1.0", "not-probed", detail="the local OpenSSL cannot offer it"),
    )
    findings = _probe.judge(versions, ())
    assert [f.code for f in findings] == ["tls-ok", "not-probed"]
    assert "TLS 1.1: the local OpenSSL cannot offer it" in findings[1].message
