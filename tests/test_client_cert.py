"""certconv fetch against backends that ask for a client certificate (and ``--client-cert``).

Every backend is a loopback server the test starts (127.0.0.1 or ::1): one that
requires a client certificate, one that only asks, one that never asks. The
server's accept/refuse of a client certificate is checked against ``openssl
s_client -cert`` over TLS 1.2, where the server's verdict is part of the handshake
(in TLS 1.3 it comes after s_client may already have exited 0).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from loopback import LOOPBACK, ClientAuthLog, client_auth_server, host_port, tls_server, wait_until
from pki import DAY, NOW, Issued, Pki, issue, make_chain, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def client_pki() -> Pki:
    """The CA the backends trust for client certificates (root → intermediate)."""
    return make_chain("Client")


@pytest.fixture(scope="module")
def accepted(client_pki: Pki) -> Issued:
    return issue("apim-client", client_pki.intermediate, client_auth=True)


@pytest.fixture(scope="module")
def refused() -> Issued:
    return issue("stranger", make_chain("Stranger").intermediate, client_auth=True)


@pytest.fixture
def files(tmp_path: Path, client_pki: Pki, accepted: Issued, refused: Issued) -> dict[str, Path]:
    """The accepted certificate as a PFX (with its intermediate), the refused one as PEM with its key."""
    paths = {"accepted": tmp_path / "apim-client.pfx", "refused": tmp_path / "stranger.pem"}
    paths["accepted"].write_bytes(to_pfx(accepted, [client_pki.intermediate], password=b"s3cret"))
    paths["refused"].write_bytes(to_pem([refused], with_key=refused))
    return paths


def ca_folder(tmp_path: Path, pki: Pki) -> Path:
    folder = tmp_path / "uploaded"
    folder.mkdir(exist_ok=True)
    (folder / "root.cer").write_bytes(pki.root.der)
    return folder


def fetch_cli(tmp_path: Path, pki: Pki, port: int, *extra: str, host: str = "127.0.0.1") -> tuple[int, str]:
    args = ["fetch", host_port(host, port), "--ca", str(ca_folder(tmp_path, pki)), "--host", "api.backend.example"]
    result = runner.invoke(app, [*args, "--timeout", "10", *extra])
    return result.exit_code, result.output


@pytest.fixture(params=[False, True], ids=["tls12", "tls13"])
def tls13(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def requiring(pki: Pki, client_pki: Pki, tls13: bool) -> Iterator[tuple[int, ClientAuthLog]]:
    with client_auth_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, client_ca=client_pki.root, mode="require", tls13=tls13
    ) as (server, log):
        yield server.port, log


def s_client_accepts(port: int, cert: Issued, chain: list[Issued], tmp_path: Path) -> bool:
    """``openssl s_client -cert`` over TLS 1.2: does the server complete the handshake with this certificate?"""
    key_pem = tmp_path / "oracle-key.pem"
    key_pem.write_bytes(to_pem([cert], with_key=cert))
    chain_pem = tmp_path / "oracle-chain.pem"
    chain_pem.write_bytes(to_pem(chain))
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-brief", "-cert", str(key_pem)]
    args += ["-cert_chain", str(chain_pem)] if chain else []
    return subprocess.run(args, input=b"", capture_output=True, timeout=60, check=False).returncode == 0


# -- required, none given ----------------------------------------------------------------------


def test_backend_requiring_a_client_certificate_is_never_trusted_without_one(
    tmp_path: Path, pki: Pki, requiring: tuple[int, ClientAuthLog], tls13: bool
) -> None:
    port, _log = requiring
    code, output = fetch_cli(tmp_path, pki, port)
    assert code == 3, output
    assert "client certificate: REQUIRED by the server, none presented" in output
    assert "certificate_required" in output if tls13 else "handshake_failure" in output
    assert "APIM → Certificates → Client certificates" in output
    assert "authentication-certificate policy" in output
    assert "acceptable CAs (the server's list): CN=Client Root CA,O=certconv tests" in output
    assert "500 BackendConnectionFailure" in output


def test_required_without_ca_still_exits_3_and_the_library_says_required(
    pki: Pki, requiring: tuple[int, ClientAuthLog], tls13: bool
) -> None:
    port, _log = requiring
    report = certconv.diagnose_backend(f"127.0.0.1:{port}", timeout=10, probe=False)
    check = report.client_certificate
    assert check is not None
    assert (check.requested, check.required, check.presented, check.accepted) == (True, True, False, None)
    assert check.alert == ("certificate_required" if tls13 else "handshake_failure")
    assert report.failed and report.trusted is None
    assert runner.invoke(app, ["fetch", f"127.0.0.1:{port}", "--no-probe", "--timeout", "10"]).exit_code == 3


def test_server_sending_no_ca_list_gets_no_acceptable_cas_line(pki: Pki, client_pki: Pki, tmp_path: Path) -> None:
    with client_auth_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, client_ca=client_pki.root, mode="require", list_cas=False
    ) as (server, _log):
        code, output = fetch_cli(tmp_path, pki, server.port, "--no-probe")
    assert code == 3
    assert "REQUIRED" in output and "acceptable CAs" not in output


# -- only asked --------------------------------------------------------------------------------


def test_backend_that_only_asks_is_an_info_line_and_exit_0(
    tmp_path: Path, pki: Pki, client_pki: Pki, tls13: bool
) -> None:
    with client_auth_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, client_ca=client_pki.root, mode="request", tls13=tls13
    ) as (server, _log):
        code, output = fetch_cli(tmp_path, pki, server.port)
    assert code == 0, output
    assert "info: the server asks for a client certificate but goes on without one" in output
    assert "TRUSTED" in output and "REQUIRED" not in output and "✗" not in output


# -- --client-cert -----------------------------------------------------------------------------


def test_accepted_client_certificate_exits_0_and_is_presented_in_every_handshake(
    tmp_path: Path,
    pki: Pki,
    client_pki: Pki,
    accepted: Issued,
    files: dict[str, Path],
    requiring: tuple[int, ClientAuthLog],
    tls13: bool,
) -> None:
    port, log = requiring
    assert s_client_accepts(port, accepted, [client_pki.intermediate], tmp_path)  # the oracle agrees
    log.presented.clear()
    report = certconv.diagnose_backend(
        f"127.0.0.1:{port}",
        ca=[pki.root.pem],
        host="api.backend.example",
        client_certificate=files["accepted"],
        password="s3cret",
        timeout=10,
    )
    check = report.client_certificate
    assert check is not None and check.given is not None
    assert (check.requested, check.presented, check.accepted, check.alert) == (True, True, True, None)
    assert check.given.common_name == "apim-client"
    assert report.apim_ok is True and not report.failed
    # The fetch and every probe that reached the server's request presented it; none came without it.
    assert report.tls is not None
    reached = 1 + len(report.tls.accepted) + sum(p.outcome == "accepted" for p in report.tls.apim_ciphers)
    sha1 = check.given.sha1
    wait_until(lambda: log.presented.count(sha1) >= reached)  # the server logs in its own threads
    assert log.presented.count(sha1) == reached
    code, output = fetch_cli(
        tmp_path, pki, port, "--client-cert", str(files["accepted"]), "--password", "s3cret", "--no-probe"
    )
    assert code == 0, output
    assert "client certificate 'apim-client': presented and accepted by the server" in output


def test_refused_client_certificate_exits_3_naming_unknown_ca_and_the_fix(
    tmp_path: Path, pki: Pki, refused: Issued, files: dict[str, Path], requiring: tuple[int, ClientAuthLog]
) -> None:
    port, _log = requiring
    assert not s_client_accepts(port, refused, [], tmp_path)  # the oracle agrees
    code, output = fetch_cli(tmp_path, pki, port, "--client-cert", str(files["refused"]), "--no-probe")
    assert code == 3, output
    assert "client certificate 'stranger': presented and REFUSED by the server (alert unknown_ca" in output
    assert "the backend must trust the client certificate's issuer" in output
    assert "APIM must present another certificate" in output


def test_client_certificate_json_object(
    tmp_path: Path, pki: Pki, files: dict[str, Path], requiring: tuple[int, ClientAuthLog]
) -> None:
    port, _log = requiring
    code, output = fetch_cli(tmp_path, pki, port, "--client-cert", str(files["refused"]), "--no-probe", "--json")
    assert code == 3
    fetch_schema = jsonschema.Draft202012Validator(certconv.json_schema("fetch"))
    fetch_schema.validate(json.loads(output))  # the shipped schema covers the object (docs/json.md)
    check = json.loads(output)["client_certificate"]
    assert check["requested"] is True and check["presented"] is True and check["accepted"] is False
    assert check["required"] is None  # a certificate was presented: going without one was not tried
    assert check["acceptable_cas"] == ["CN=Client Root CA,O=certconv tests"]
    assert check["alert"] == "unknown_ca"
    assert check["certificate"]["subject"] == "CN=stranger,O=certconv tests"
    code, output = fetch_cli(tmp_path, pki, port, "--no-probe", "--json")
    fetch_schema.validate(json.loads(output))
    check = json.loads(output)["client_certificate"]
    assert (check["requested"], check["required"], check["presented"], check["accepted"]) == (True, True, False, None)


@pytest.mark.parametrize("host", LOOPBACK)
def test_backend_that_never_asks_says_the_certificate_was_not_presented(
    tmp_path: Path, pki: Pki, files: dict[str, Path], host: str
) -> None:
    with tls_server(host, [pki.leaf, pki.intermediate], pki.leaf) as server:
        code, output = fetch_cli(
            tmp_path, pki, server.port, "--client-cert", str(files["refused"]), "--no-probe", host=host
        )
        report = certconv.diagnose_backend(host_port(host, server.port), timeout=10, probe=False)
    assert code == 0, output
    assert "info: client certificate 'stranger' not presented: the server did not ask for one" in output
    check = report.client_certificate
    assert check is not None and (check.requested, check.required, check.presented) == (False, False, False)
    assert check.post_handshake_unseen is (report.fetch.protocol == "TLSv1.3")
    assert "client certificate" not in report.render()  # neither asked nor given: not a word


# -- the client certificate's own problems, before connecting -----------------------------------


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        ("expired", "expired on"),
        ("server-only", "lacks clientAuth"),
        ("no-key", "holds no private key"),
        ("other-key", "belongs to no certificate"),
    ],
)
def test_client_certificate_problems_are_reported_before_connecting(
    tmp_path: Path, pki: Pki, client_pki: Pki, problem: str, words: str
) -> None:
    if problem == "expired":
        cert = issue("old", client_pki.intermediate, client_auth=True, not_after=NOW - DAY, not_before=NOW - 9 * DAY)
        data = to_pem([cert], with_key=cert)
    elif problem == "server-only":
        cert = issue("server", client_pki.intermediate, server_auth=True)
        data = to_pem([cert], with_key=cert)
    elif problem == "no-key":
        data = to_pem([issue("keyless", client_pki.intermediate, client_auth=True)])
    else:
        data = to_pem([issue("mine", client_pki.intermediate, client_auth=True)], with_key=pki.leaf)
    path = tmp_path / "client.pem"
    path.write_bytes(data)
    with client_auth_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, client_ca=client_pki.root, mode="require"
    ) as (server, _log):
        result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--client-cert", str(path)])
        connections = server.connections
    assert result.exit_code == 1
    assert words in result.output and "Traceback" not in result.output
    assert connections == 0


def test_a_server_that_hangs_up_instead_of_alerting_is_a_refusal_not_a_crash(
    pki: Pki, client_pki: Pki, files: dict[str, Path], tls13: bool
) -> None:
    with client_auth_server(
        "127.0.0.1",
        [pki.leaf, pki.intermediate],
        pki.leaf,
        client_ca=client_pki.root,
        mode="require",
        tls13=tls13,
        alert=False,
    ) as (server, _log):
        bare = certconv.diagnose_backend(f"127.0.0.1:{server.port}", timeout=10, probe=False)
        given = certconv.diagnose_backend(
            f"127.0.0.1:{server.port}", timeout=10, probe=False, client_certificate=files["refused"]
        )
    assert bare.client_certificate is not None and given.client_certificate is not None
    assert (bare.client_certificate.required, bare.client_certificate.alert) == (True, "closed")
    assert (given.client_certificate.accepted, given.client_certificate.alert) == (False, "closed")
    assert bare.failed and given.failed
    assert "it closed the connection without an alert" in bare.render()


def test_tls13_server_silent_after_accepting_counts_as_accepted(
    pki: Pki, client_pki: Pki, files: dict[str, Path]
) -> None:
    # No session ticket, no data, no alert: after SETTLE seconds the silence is a yes.
    with client_auth_server(
        "127.0.0.1", [pki.leaf, pki.intermediate], pki.leaf, client_ca=client_pki.root, mode="require", tickets=False
    ) as (server, log):
        report = certconv.diagnose_backend(
            f"127.0.0.1:{server.port}",
            timeout=10,
            probe=False,
            client_certificate=files["accepted"],
            password="s3cret",
        )
        assert wait_until(lambda: len(log.presented) == 1)
    check = report.client_certificate
    assert report.fetch.protocol == "TLSv1.3"
    assert check is not None and (check.accepted, check.alert) == (True, None)
    assert log.presented[0] == check.given.sha1 if check.given else False
