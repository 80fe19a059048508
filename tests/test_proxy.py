"""Proxies: fetch tunnels through CONNECT, AIA downloads go through the proxy, credentials never shown.

The proxy is a loopback server the test starts; it alone knows the names ``backend.test``
and ``aia.test`` (mapped to loopback servers), so a success proves the connection went
through it.
"""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest
from loopback import HttpServer, Response, closed_port, http_proxy, tls_server
from pki import Pki, issue
from typer.testing import CliRunner

import certconv
from certconv import Proxy, ProxyConfig
from certconv.cli import app

runner = CliRunner()

SECRET = "s3cr3t-Pa55"
BASIC = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()


def proxy_env(port: int, *, credentials: bool = False, **extra: str) -> dict[str, str]:
    userinfo = f"alice:{SECRET}@" if credentials else ""
    url = f"http://{userinfo}127.0.0.1:{port}"
    return {"HTTPS_PROXY": url, "HTTP_PROXY": url, "NO_PROXY": ""} | extra


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


# -- the configuration value -------------------------------------------------------------


def test_from_environ_reads_the_usual_variables_lowercase_first() -> None:
    config = ProxyConfig.from_environ(
        {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "HTTP_PROXY": "plain:3128", "NO_PROXY": ""}
    )
    assert config.https == Proxy("lower", 2)
    assert config.http == Proxy("plain", 3128)
    assert ProxyConfig.from_environ({}) == ProxyConfig()
    assert ProxyConfig.from_environ({"https_proxy": "", "HTTPS_PROXY": "http://x:1"}).https is None


@pytest.mark.parametrize(
    ("entry", "host", "port", "bypassed"),
    [
        ("*", "anything.example", 443, True),
        ("example.com", "example.com", 443, True),
        ("example.com", "api.example.com", 443, True),
        (".example.com", "api.example.com", 443, True),
        ("*.example.com", "api.example.com", 443, True),
        ("example.com", "badexample.com", 443, False),
        ("10.0.0.0/8", "10.1.2.3", 443, True),
        ("10.0.0.0/8", "11.1.2.3", 443, False),
        ("::1", "::1", 443, True),
        ("backend.test:8443", "backend.test", 8443, True),
        ("backend.test:8443", "backend.test", 443, False),
    ],
)
def test_no_proxy_entries(entry: str, host: str, port: int, bypassed: bool) -> None:
    config = ProxyConfig(https=Proxy("proxy", 3128), no_proxy=(entry,))
    assert config.bypasses(host, port) is bypassed
    assert (config.for_url("https", host, port) is None) is bypassed


def test_credentials_never_in_repr_or_display() -> None:
    config = ProxyConfig.from_environ({"HTTPS_PROXY": f"http://alice:{SECRET}@proxy.example:3128"})
    assert config.https is not None
    assert config.https.username == "alice" and config.https.password == SECRET
    assert SECRET not in repr(config) and SECRET not in config.https.display
    assert config.https.display == "http://proxy.example:3128"


@pytest.mark.parametrize("url", [f"https://alice:{SECRET}@proxy:3128", f"socks5://alice:{SECRET}@proxy:1080"])
def test_unsupported_proxy_url_is_a_usage_error_without_the_secret(url: str) -> None:
    with pytest.raises(certconv.UsageError, match="only http:// proxies") as caught:
        ProxyConfig.from_environ({"HTTPS_PROXY": url})
    assert SECRET not in str(caught.value)


def test_cli_bad_proxy_variable_is_exit_2_without_the_secret(pki: Pki) -> None:
    result = runner.invoke(
        app, ["fetch", "127.0.0.1:1"], env={"HTTPS_PROXY": f"ftp://alice:{SECRET}@proxy:21"}, catch_exceptions=False
    )
    assert result.exit_code == 2
    assert SECRET not in result.output


# -- fetch through the proxy --------------------------------------------------------------


def test_fetch_reaches_a_name_only_the_proxy_knows(pki: Pki) -> None:
    with (
        tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as backend,
        http_proxy({"backend.test": ("127.0.0.1", backend.port)}) as (proxy, log),
    ):
        direct = runner.invoke(app, ["fetch", f"backend.test:{backend.port}", "--no-probe", "--timeout", "5"])
        through = runner.invoke(
            app, ["fetch", f"backend.test:{backend.port}", "--timeout", "5"], env=proxy_env(proxy.port)
        )
    assert direct.exit_code == 1 and "cannot resolve host name 'backend.test'" in direct.stderr
    assert through.exit_code == 0, through.output
    assert "the server sends 2 certificates" in through.stdout
    assert log.requests[0] == f"CONNECT backend.test:{backend.port} HTTP/1.1"
    # The probes went through the proxy too.
    assert len(log.requests) > 1 and all(r.startswith("CONNECT backend.test:") for r in log.requests)
    assert backend.server_names[0] == "backend.test"  # SNI is the name, not the proxy's


def test_proxy_credentials_are_sent_and_never_printed(pki: Pki) -> None:
    with (
        tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as backend,
        http_proxy({"backend.test": ("127.0.0.1", backend.port)}, require_auth=BASIC) as (proxy, log),
    ):
        good = runner.invoke(
            app,
            ["fetch", f"backend.test:{backend.port}", "--json"],
            env=proxy_env(proxy.port, credentials=True),
        )
        wrong = runner.invoke(
            app,
            ["fetch", f"backend.test:{backend.port}"],
            env={"HTTPS_PROXY": f"http://alice:wrong-{SECRET}@127.0.0.1:{proxy.port}"},
        )
        none = runner.invoke(app, ["fetch", f"backend.test:{backend.port}"], env=proxy_env(proxy.port))
    assert good.exit_code == 0, good.output
    assert log.authorizations[0] == BASIC
    assert wrong.exit_code == 1 and "refused the credentials" in wrong.stderr
    assert none.exit_code == 1 and "407" in none.stderr and "wants credentials" in none.stderr
    for result in (good, wrong, none):
        assert SECRET not in result.output and "alice" not in result.output


def test_proxy_refusing_the_tunnel_is_exit_1_naming_the_proxy(pki: Pki) -> None:
    with http_proxy({}) as (proxy, _):
        result = runner.invoke(app, ["fetch", "nowhere.test:443"], env=proxy_env(proxy.port))
    assert result.exit_code == 1
    assert f"the proxy http://127.0.0.1:{proxy.port} would not open a tunnel to nowhere.test:443 (HTTP 403" in (
        result.stderr
    )


def test_no_proxy_connects_directly(pki: Pki) -> None:
    with tls_server("127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf) as backend:
        # The proxy would refuse (nothing listens there): only a direct connection succeeds.
        env = {"HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}", "NO_PROXY": "127.0.0.1"}
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{backend.port}", "--no-probe"], env=env)
        refused = runner.invoke(app, ["fetch", f"127.0.0.1:{backend.port}", "--no-probe"], env=env | {"NO_PROXY": ""})
    assert result.exit_code == 0, result.output
    assert refused.exit_code == 1 and "connection to the proxy" in refused.stderr


def test_deadline_holds_through_a_proxy_that_never_answers(pki: Pki) -> None:
    outcome: list[BaseException | None] = []

    def run(port: int) -> None:
        try:
            certconv.fetch("backend.test:443", timeout=0.5, proxy=ProxyConfig(https=Proxy("127.0.0.1", port)))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        else:
            outcome.append(None)

    with http_proxy({}, silent=True) as (proxy, _):
        worker = threading.Thread(target=run, args=(proxy.port,), daemon=True)
        worker.start()
        worker.join(60)  # a hang guard only: the 0.5 s deadline is what ends the call
    assert outcome and isinstance(outcome[0], certconv.NetworkTimeoutError)
    assert "did not open a tunnel within 0.5 s" in str(outcome[0])


# -- AIA downloads through the proxy ------------------------------------------------------


def test_aia_over_http_goes_through_the_proxy_with_an_absolute_uri(pki: Pki) -> None:
    aia = HttpServer()
    try:
        aia.routes["/ca.cer"] = Response(pki.intermediate.der)
        port = aia.httpd.server_address[1]
        leaf = issue(
            "aia.backend.example",
            pki.intermediate,
            san=["aia.backend.example"],
            aia_ca_issuers=[f"http://aia.test:{port}/ca.cer"],
        )
        with (
            tls_server("127.0.0.1", [leaf], leaf) as backend,
            http_proxy({"aia.test": ("127.0.0.1", port), "backend.test": ("127.0.0.1", backend.port)}) as (
                proxy,
                log,
            ),
        ):
            result = runner.invoke(
                app,
                ["fetch", f"backend.test:{backend.port}", "--complete", "--no-probe", "--json"],
                env=proxy_env(proxy.port, credentials=True),
            )
    finally:
        aia.close()
    assert result.exit_code == 0, result.output
    assert f"GET http://aia.test:{port}/ca.cer HTTP/1.1" in log.requests
    assert aia.hits["/ca.cer"] == 1
    assert SECRET not in result.output


def test_aia_over_https_tunnels_through_the_proxy(pki: Pki, tmp_path: Path) -> None:
    tls_leaf = issue("aia-host", pki.intermediate, san=["aia-host"])
    aia = HttpServer(tls=tls_leaf)
    try:
        aia.routes["/ca.cer"] = Response(pki.intermediate.der)
        port = aia.httpd.server_address[1]
        leaf = issue("x.backend.example", pki.intermediate, aia_ca_issuers=[f"https://aia.test:{port}/ca.cer"])
        source = tmp_path / "leaf.cer"
        source.write_bytes(leaf.der)
        with http_proxy({"aia.test": ("127.0.0.1", port)}) as (proxy, log):
            bundle = certconv.load(source, complete=True, proxy=ProxyConfig.from_environ(proxy_env(proxy.port)))
    finally:
        aia.close()
    assert log.requests == [f"CONNECT aia.test:{port} HTTP/1.1"]
    assert any(c.downloaded and c.common_name == "Test Intermediate CA" for c in bundle.certificates)


def test_aia_through_a_hung_proxy_is_a_warning_within_the_deadline(pki: Pki, tmp_path: Path) -> None:
    leaf = issue("x.backend.example", pki.intermediate, aia_ca_issuers=["http://aia.test/ca.cer"])
    source = tmp_path / "leaf.cer"
    source.write_bytes(leaf.der)
    with http_proxy({}, silent=True) as (proxy, _):
        bundle = certconv.load(
            source, complete=True, timeout=0.5, proxy=ProxyConfig(http=Proxy("127.0.0.1", proxy.port))
        )
    failed = [w for w in bundle.warnings if w.code == "aia-failed"]
    assert failed and "no complete answer within 0.5 s" in failed[0].message


def test_split_complete_reads_the_proxy_from_the_environment(pki: Pki, tmp_path: Path) -> None:
    aia = HttpServer()
    try:
        aia.routes["/ca.cer"] = Response(pki.intermediate.der)
        port = aia.httpd.server_address[1]
        leaf = issue("y.backend.example", pki.intermediate, aia_ca_issuers=[f"http://aia.test:{port}/ca.cer"])
        source = tmp_path / "leaf.cer"
        source.write_bytes(leaf.der)
        with http_proxy({"aia.test": ("127.0.0.1", port)}) as (proxy, log):
            result = runner.invoke(
                app, ["split", str(source), "--out", str(tmp_path / "out"), "--complete"], env=proxy_env(proxy.port)
            )
    finally:
        aia.close()
    assert result.exit_code == 0, result.output
    assert log.requests == [f"GET http://aia.test:{port}/ca.cer HTTP/1.1"]
