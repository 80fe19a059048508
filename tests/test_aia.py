"""AIA completion (--complete): real HTTP servers on loopback serve the missing issuers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import HttpServer, Response, host_port, tcp_server, tls_server
from pki import DAY, NOW, Issued, issue, name, to_p7b
from typer.testing import CliRunner

import certconv
from certconv.cli import app
from certconv.network._http import Refused as _Refused
from certconv.readers._read import read_source

runner = CliRunner()


@pytest.fixture
def http() -> Iterator[HttpServer]:
    server = HttpServer("127.0.0.1")
    try:
        yield server
    finally:
        server.close()


def codes(bundle: certconv.Bundle) -> list[str]:
    return [w.code for w in bundle.warnings]


class AiaPki:
    """root → intermediate → leaf whose AIA URLs point at ``http``: /int.<ext> and /root.cer."""

    def __init__(self, http: HttpServer, *, leaf_urls: list[str] | None = None, prefix: str = "AIA") -> None:
        self.root = issue(f"{prefix} Root CA", ca=True, not_after=NOW + 3650 * DAY)
        self.intermediate = issue(
            f"{prefix} Intermediate CA", self.root, ca=True, path_length=0, aia_ca_issuers=[http.url("/root.cer")]
        )
        urls = leaf_urls if leaf_urls is not None else [http.url("/int.cer")]
        self.leaf = issue("backend.example", self.intermediate, san=["backend.example"], aia_ca_issuers=urls)
        http.routes["/root.cer"] = Response(self.root.der)


def sha1(item: Issued) -> str:
    return certconv.load(item.der).certificates[0].sha1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("der", "application/pkix-cert"),
        ("pem", "application/x-pem-file"),
        ("p7c", "application/pkcs7-mime"),
        ("p7c-pem", "text/plain"),
    ],
)
def test_leaf_is_completed_from_der_pem_and_pkcs7_responses(http: HttpServer, body: str, content_type: str) -> None:
    pki = AiaPki(http)
    payload = {
        "der": pki.intermediate.der,
        "pem": pki.intermediate.pem,
        "p7c": to_p7b([pki.intermediate]),
        "p7c-pem": to_p7b([pki.intermediate], pem=True),
    }[body]
    http.routes["/int.cer"] = Response(payload, content_type=content_type)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert [c.sha1 for c in bundle.chains[0]] == [sha1(pki.leaf), sha1(pki.intermediate), sha1(pki.root)]
    assert bundle.chains[0].complete
    sources = {c.sha1: c.source for c in bundle.certificates}
    assert sources[sha1(pki.intermediate)] == "aia:" + http.url("/int.cer")
    assert sources[sha1(pki.root)] == "aia:" + http.url("/root.cer")
    assert sources[sha1(pki.leaf)] == "<bytes>"
    assert "missing-issuer" not in codes(bundle)
    assert codes(bundle).count("aia-fetched") == 2
    assert http.hits == {"/int.cer": 1, "/root.cer": 1}


def test_pkcs7_response_holding_the_whole_path_is_used_at_once(http: HttpServer) -> None:
    pki = AiaPki(http)
    unrelated = issue("Unrelated CA", ca=True)
    http.routes["/int.cer"] = Response(
        to_p7b([unrelated, pki.intermediate, pki.root]), content_type="application/pkcs7-mime"
    )
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert bundle.chains[0].complete
    assert http.hits == {"/int.cer": 1}  # the root came with the intermediate
    assert sha1(unrelated) not in {c.sha1 for c in bundle.certificates}  # only the path is kept


def test_without_complete_nothing_is_downloaded(http: HttpServer) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    bundle = certconv.load(pki.leaf.der)
    assert http.hits == {}
    assert "missing-issuer" in codes(bundle)
    assert http.url("/int.cer") in next(w.message for w in bundle.warnings if w.code == "missing-issuer")


def test_every_url_is_tried_until_one_holds_the_issuer(http: HttpServer) -> None:
    urls = [
        "ldap://ldap.backend.example/cn=CA?cACertificate",
        http.url("/missing.cer"),
        http.url("/page.html"),
        http.url("/other.cer"),
        http.url("/int.cer"),
        http.url("/never.cer"),
    ]
    pki = AiaPki(http, leaf_urls=urls)
    http.routes["/page.html"] = Response(b"<html><body>Moved</body></html>", content_type="text/html")
    http.routes["/other.cer"] = Response(issue("Some Other CA", ca=True).der)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    http.routes["/never.cer"] = Response(pki.intermediate.der)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert bundle.chains[0].complete
    assert http.hits == {"/missing.cer": 1, "/page.html": 1, "/other.cer": 1, "/int.cer": 1, "/root.cer": 1}
    messages = {w.code: w.message for w in bundle.warnings}
    assert "aia-unsupported-url" not in messages  # the ldap: URL only matters when nothing else works
    assert "HTTP 404" in messages["aia-failed"]
    assert "(text/html)" in messages["aia-not-certificate"]
    assert "'Some Other CA', which did not issue it" in messages["aia-wrong-issuer"]


def test_only_unsupported_urls_are_named_in_a_warning(http: HttpServer) -> None:
    pki = AiaPki(http, leaf_urls=["ldap://ldap.backend.example/cn=CA?cACertificate", "file:///etc/ssl/ca.crt"])
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert http.hits == {}
    messages = [w.message for w in bundle.warnings if w.code == "aia-unsupported-url"]
    assert len(messages) == 1
    assert "ldap://ldap.backend.example/cn=CA?cACertificate, file:///etc/ssl/ca.crt" in messages[0]
    assert "missing-issuer" in codes(bundle)


def test_completion_stops_at_the_self_signed_root(http: HttpServer) -> None:
    root = issue("Stop Root CA", ca=True, aia_ca_issuers=[http.url("/beyond-root.cer")])
    intermediate = issue("Stop Intermediate CA", root, ca=True, aia_ca_issuers=[http.url("/root.cer")])
    leaf = issue("backend.example", intermediate, aia_ca_issuers=[http.url("/int.cer")])
    http.routes.update(
        {
            "/int.cer": Response(intermediate.der),
            "/root.cer": Response(root.der),
            "/beyond-root.cer": Response(issue("Beyond", ca=True).der),
        }
    )
    bundle = certconv.load(leaf.der, complete=True, timeout=5)
    assert bundle.chains[0].complete
    assert "/beyond-root.cer" not in http.hits


def test_completion_stops_after_ten_levels(http: HttpServer) -> None:
    # top CA ← CA 1 ← … ← CA 12 ← leaf, each pointing at the next one up.
    top = issue("Level 0 CA", ca=True)
    cas = [top]
    for level in range(1, 13):
        cas.append(issue(f"Level {level} CA", cas[-1], ca=True, aia_ca_issuers=[http.url(f"/ca{level - 1}.cer")]))
    for level, ca in enumerate(cas):
        http.routes[f"/ca{level}.cer"] = Response(ca.der)
    leaf = issue("deep.backend.example", cas[-1], aia_ca_issuers=[http.url("/ca12.cer")])
    bundle = certconv.load(leaf.der, complete=True, timeout=5)
    assert sum(http.hits.values()) == 10
    assert len(bundle.certificates) == 11
    assert "aia-depth" in codes(bundle)
    assert not bundle.chains[0].complete


def test_loop_of_urls_is_followed_once_each(http: HttpServer) -> None:
    # leaf → A (serves I1) ; I1 → B (serves I2) ; I2 → A again. I2's real issuer is nowhere.
    absent = issue("Absent Root", ca=True)
    i2 = issue("Loop I2 CA", absent, ca=True, aia_ca_issuers=[http.url("/a.cer")])
    i1 = issue("Loop I1 CA", i2, ca=True, aia_ca_issuers=[http.url("/b.cer")])
    leaf = issue("loop.backend.example", i1, aia_ca_issuers=[http.url("/a.cer")])
    http.routes.update({"/a.cer": Response(i1.der), "/b.cer": Response(i2.der)})
    bundle = certconv.load(leaf.der, complete=True, timeout=5)
    assert http.hits == {"/a.cer": 1, "/b.cer": 1}
    assert "aia-loop" in codes(bundle)
    assert len(bundle.certificates) == 3


def test_mutually_cross_signed_cas_end_the_walk(http: HttpServer) -> None:
    # X is signed by Y's key and Y by X's: every certificate has an issuer, none is a root.
    x_key, y_key = issue("tmp").key, issue("tmp").key
    y_stub = Issued(issue(name("Mutual Y CA"), key=y_key, ca=True).cert, y_key)
    x = issue("Mutual X CA", y_stub, key=x_key, ca=True, aia_ca_issuers=[http.url("/y.cer")])
    y = issue("Mutual Y CA", x, key=y_key, ca=True, aia_ca_issuers=[http.url("/x.cer")])
    leaf = issue("mutual.backend.example", x, aia_ca_issuers=[http.url("/x.cer")])
    http.routes.update({"/x.cer": Response(x.der), "/y.cer": Response(y.der)})
    bundle = certconv.load(leaf.der, complete=True, timeout=5)
    assert http.hits == {"/x.cer": 1, "/y.cer": 1}
    assert len(bundle.certificates) == 3


@pytest.mark.parametrize("send_length", [True, False])
def test_too_large_response_is_refused_with_a_warning(http: HttpServer, send_length: bool) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(b"\x30" * (1024 * 1024 + 1), send_length=send_length)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    failed = [w.message for w in bundle.warnings if w.code == "aia-failed"]
    assert len(failed) == 1
    assert "over the 1,048,576-byte limit" in failed[0]
    assert "missing-issuer" in codes(bundle)


def test_hanging_server_times_out_with_a_warning(http: HttpServer) -> None:
    # The server holds the request 30 s and then hangs up: only certconv's own timeout
    # can produce "no complete answer" (a hang-up is "Remote end closed connection").
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(hang=True)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=0.5)
    assert "no complete answer within 0.5 s" in next(w.message for w in bundle.warnings if w.code == "aia-failed")


def test_trickling_server_is_cut_off_at_the_timeout(http: HttpServer) -> None:
    # Each byte arrives well within any per-read timeout; only the overall deadline stops it.
    # The whole body would take minutes; without the deadline it would download and chain.
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der, trickle=0.1)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=1)
    assert "no complete answer within 1 s" in next(w.message for w in bundle.warnings if w.code == "aia-failed")
    assert not bundle.chains[0].complete


# -- one deadline for all downloads of a run -----------------------------------------------


def _slow_leaf(http: HttpServer, count: int) -> Issued:
    """A leaf with ``count`` caIssuers URLs, each held by the server without an answer."""
    urls = [http.url(f"/slow{i}.cer") for i in range(count)]
    for i in range(count):
        http.routes[f"/slow{i}.cer"] = Response(hang=True)
    return issue("slow.backend.example", issue("Slow CA", ca=True), aia_ca_issuers=urls)


def _skipped(bundle: certconv.Bundle) -> int:
    (message,) = [w.message for w in bundle.warnings if w.code == "aia-time-limit"]
    return int(message.split(" skipped")[0].rsplit(" ", 1)[1])


def test_many_slow_urls_share_one_deadline(http: HttpServer) -> None:
    # 30 slow issuer URLs at timeout 1 took 30 s: each download had its own timeout and
    # nothing bounded them together. Now they share 3 x the timeout: each hanging download
    # lasts its full 0.2 s (a slower machine only makes it longer), so at most 3 fit in
    # the 0.6 s, and the other URLs are skipped with one warning.
    leaf = _slow_leaf(http, 30)
    bundle = certconv.load(leaf.der, complete=True, timeout=0.2)
    attempted = sum(http.hits.values())
    assert 1 <= attempted <= 3 + 1  # + 1: a timer may wake a hair early
    assert codes(bundle).count("aia-time-limit") == 1
    assert codes(bundle).count("aia-failed") == attempted
    assert attempted + _skipped(bundle) == 30


class _FakeClock:
    """Stands in for the total deadline's clock: time passes only when a download "takes" it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.downloads: list[float] = []  # the timeout each download was given

    def __call__(self) -> float:
        return self.now

    def download(self, url: str, *, timeout: float, max_size: int, proxy: object = None) -> tuple[bytes, str]:
        self.downloads.append(timeout)
        self.now += timeout  # as slow as allowed: a server that never answers
        raise _Refused(f"no complete answer within {timeout:g} s")


def test_total_deadline_counts_downloads_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    from certconv.network import _aia

    clock = _FakeClock()
    monkeypatch.setattr(_aia, "_clock", clock)
    monkeypatch.setattr(_aia, "download", clock.download)
    ca = issue("Fake-clock CA", ca=True)
    leaves = [
        issue(f"leaf{i}.example", ca, aia_ca_issuers=[f"http://127.0.0.1:9/{i}/{j}.cer" for j in range(4)])
        for i in range(25)
    ]
    read = [read_source(certconv.Source(f"leaf{i}", leaf.der)) for i, leaf in enumerate(leaves)]
    bundle = _aia.complete_bundle(read, timeout=1, total_timeout=2.5)
    # 100 URLs, each as slow as its timeout: two whole downloads, then the half second left.
    assert clock.downloads == [1, 1, 0.5]
    (message,) = [w.message for w in bundle.warnings if w.code == "aia-time-limit"]
    assert message.startswith("stopped following AIA after 2.5 s in all (3 downloads made, 97 skipped)")


def test_default_total_is_three_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    from certconv.network import _aia

    clock = _FakeClock()
    monkeypatch.setattr(_aia, "_clock", clock)
    monkeypatch.setattr(_aia, "download", clock.download)
    leaf = issue(
        "three.example", issue("Three CA", ca=True), aia_ca_issuers=[f"http://127.0.0.1:9/{j}" for j in range(10)]
    )
    bundle = certconv.load(leaf.der, complete=True, timeout=4)
    assert clock.downloads == [4, 4, 4]
    assert _skipped(bundle) == 7


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), 1e300])
def test_total_timeout_must_be_a_sane_number(value: float) -> None:
    from certconv.network import _aia

    with pytest.raises(certconv.UsageError, match="timeout must be more than 0"):
        _aia.complete_bundle([], timeout=1, total_timeout=value)


def test_garbage_instead_of_http_is_a_warning() -> None:
    with tcp_server("127.0.0.1", b"\x00\xffSSH-2.0-OpenSSH\r\n\r\n") as server:
        leaf = issue(
            "garbage.backend.example",
            issue("Garbage CA", ca=True),
            aia_ca_issuers=[f"http://127.0.0.1:{server.port}/ca"],
        )
        bundle = certconv.load(leaf.der, complete=True, timeout=5)
    failed = [w.message for w in bundle.warnings if w.code == "aia-failed"]
    assert len(failed) == 1
    assert failed[0].startswith(f"could not download http://127.0.0.1:{server.port}/ca")


def test_downloads_per_run_are_bounded(http: HttpServer) -> None:
    ca = issue("Many CA", ca=True)
    leaves = [issue(f"leaf{i}.backend.example", ca, aia_ca_issuers=[http.url(f"/ca{i}.cer")]) for i in range(105)]
    bundle = certconv.load([leaf.der for leaf in leaves], complete=True, timeout=5)
    assert sum(http.hits.values()) == 100
    assert codes(bundle).count("aia-limit") == 1
    assert codes(bundle).count("aia-failed") == 100


def test_redirects_are_followed_within_http_only(http: HttpServer) -> None:
    pki = AiaPki(http, leaf_urls=[http.url("/to-file"), http.url("/moved")])
    http.routes["/to-file"] = Response(status=302, headers={"Location": "file:///etc/passwd"})
    http.routes["/moved"] = Response(status=301, headers={"Location": "/int.cer"})
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert bundle.chains[0].complete
    assert "redirected to file:, not http or https" in next(
        w.message for w in bundle.warnings if w.code == "aia-failed"
    )


def test_redirect_loop_is_bounded(http: HttpServer) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(status=302, headers={"Location": "/int.cer"})
    bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    assert "more than 5 redirects" in next(w.message for w in bundle.warnings if w.code == "aia-failed")
    assert http.hits["/int.cer"] == 6


def test_https_and_ipv6_urls_are_followed() -> None:
    server_cert = issue("localhost", san=["localhost"])
    server = HttpServer("::1", tls=server_cert)
    try:
        pki = AiaPki(server)
        server.routes["/int.cer"] = Response(pki.intermediate.der)
        assert server.url("/int.cer").startswith("https://[::1]:")
        bundle = certconv.load(pki.leaf.der, complete=True, timeout=5)
    finally:
        server.close()
    assert bundle.chains[0].complete


def test_two_leaves_with_the_same_url_download_it_once(http: HttpServer) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    other = issue("other.backend.example", pki.intermediate, aia_ca_issuers=[http.url("/int.cer")])
    bundle = certconv.load([pki.leaf.der, other.der], complete=True, timeout=5)
    assert all(chain.complete for chain in bundle.chains)
    assert http.hits == {"/int.cer": 1, "/root.cer": 1}
    assert "aia-loop" not in codes(bundle)


# -- through split, fetch and the CLI ---------------------------------------------------------


def test_split_complete_marks_downloaded_certificates_in_the_manifest(http: HttpServer, tmp_path: Path) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    leaf = tmp_path / "leaf.cer"
    leaf.write_bytes(pki.leaf.der)
    result = runner.invoke(app, ["split", str(leaf), "--out", str(tmp_path / "out"), "--complete", "--timeout", "5"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    sources = {c["role"]: c["source"] for c in manifest["certificates"]}
    assert sources == {
        "root": "aia:" + http.url("/root.cer"),
        "intermediate": "aia:" + http.url("/int.cer"),
        "leaf": str(leaf),
    }
    assert manifest["inputs"] == [str(leaf), "aia:" + http.url("/int.cer"), "aia:" + http.url("/root.cer")]


def test_split_without_complete_makes_no_request(http: HttpServer, tmp_path: Path) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    leaf = tmp_path / "leaf.cer"
    leaf.write_bytes(pki.leaf.der)
    result = runner.invoke(app, ["split", str(leaf), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert http.hits == {}


def test_fetch_complete_fills_a_leaf_only_server(http: HttpServer, tmp_path: Path) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    with tls_server("127.0.0.1", [pki.leaf], pki.leaf) as server:
        fetched = certconv.fetch(f"127.0.0.1:{server.port}", complete=True, timeout=5)
        cli = runner.invoke(app, ["fetch", host_port("127.0.0.1", server.port), "--complete", "--out", str(tmp_path)])
    assert fetched.verdict == "leaf-only"
    assert "APIM needs the intermediate 'AIA Intermediate CA' uploaded" in fetched.message
    assert [c.sha1 for c in fetched.served] == [sha1(pki.leaf)]
    assert fetched.bundle.chains[0].complete
    assert cli.exit_code == 0, cli.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(c["role"] for c in manifest["certificates"]) == ["intermediate", "leaf", "root"]
    verified = runner.invoke(
        app,
        [
            "verify",
            str(tmp_path / next(c["file"] for c in manifest["certificates"] if c["role"] == "leaf")),
            "--ca",
            str(tmp_path),
            "--host",
            "backend.example",
        ],
    )
    assert verified.exit_code == 0, verified.output


def test_fetch_complete_names_the_intermediate_the_server_does_not_send(http: HttpServer) -> None:
    root = issue("Gap Root CA", ca=True)
    upper = issue("Gap Upper CA", root, ca=True, aia_ca_issuers=[http.url("/root.cer")])
    lower = issue("Gap Lower CA", upper, ca=True, aia_ca_issuers=[http.url("/upper.cer")])
    leaf = issue("gap.backend.example", lower, san=["gap.backend.example"])
    http.routes.update({"/root.cer": Response(root.der), "/upper.cer": Response(upper.der)})
    with tls_server("127.0.0.1", [leaf, lower], leaf) as server:
        plain = certconv.fetch(f"127.0.0.1:{server.port}", timeout=5)
        completed = certconv.fetch(f"127.0.0.1:{server.port}", complete=True, timeout=5)
    assert plain.verdict == "leaf-and-intermediates"
    assert completed.verdict == "missing-intermediate"
    assert "but not the intermediate 'Gap Upper CA'" in completed.message


def test_leaf_issued_directly_by_a_root_found_over_aia(http: HttpServer) -> None:
    root = issue("Direct Root CA", ca=True)
    leaf = issue("direct.backend.example", root, aia_ca_issuers=[http.url("/root.cer")])
    http.routes["/root.cer"] = Response(root.der)
    with tls_server("127.0.0.1", [leaf], leaf) as server:
        result = certconv.fetch(f"127.0.0.1:{server.port}", complete=True, timeout=5)
    assert result.verdict == "leaf-only"
    assert "issued directly by the root 'Direct Root CA'" in result.message


def test_inspect_complete_shows_the_downloaded_issuers(http: HttpServer, tmp_path: Path) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    leaf = tmp_path / "leaf.cer"
    leaf.write_bytes(pki.leaf.der)
    assert len(certconv.inspect(leaf).bundle.certificates) == 1
    assert http.hits == {}
    inspection = certconv.inspect(leaf, complete=True, timeout=5)
    assert [c.role.value for c in inspection.bundle.certificates] == ["root", "intermediate", "leaf"]
    result = runner.invoke(app, ["inspect", str(leaf), "--complete", "--timeout", "5"])
    assert result.exit_code == 0, result.output
    assert "AIA Root CA" in result.output
    assert "aia-fetched" in result.output


def test_verify_complete_uses_downloaded_intermediates_but_never_trusts_a_downloaded_root(
    http: HttpServer, tmp_path: Path
) -> None:
    pki = AiaPki(http)
    http.routes["/int.cer"] = Response(pki.intermediate.der)
    leaf, root = tmp_path / "leaf.cer", tmp_path / "root.cer"
    leaf.write_bytes(pki.leaf.der)
    root.write_bytes(pki.root.der)
    host = ["--host", "backend.example"]
    without = runner.invoke(app, ["verify", str(leaf), "--ca", str(root), *host])
    assert without.exit_code == 3, without.output
    assert http.hits == {}
    with_ca = runner.invoke(app, ["verify", str(leaf), "--ca", str(root), "--complete", *host])
    assert with_ca.exit_code == 0, with_ca.output
    assert "AIA Intermediate CA" in with_ca.output
    assert "downloaded (AIA)" in with_ca.output
    # Without --ca the input's own roots are trusted, but a root from an AIA URL is not the input's.
    no_ca = certconv.verify(leaf, complete=True, timeout=5, host="backend.example")
    assert not no_ca.ok
    assert no_ca.anchors == ()
    assert [step.origin for step in no_ca.chains[0].path] == ["input", "aia", "aia"]
