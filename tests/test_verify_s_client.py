"""APIM's verdict on a live backend agrees with ``openssl s_client -verify_return_error``.

The APIM guide's scenarios, each served by a loopback TLS server the test starts
(127.0.0.1 only): what is uploaded to APIM → CA certificates is the ``-CAfile``
OpenSSL trusts, the host APIM calls is ``-verify_hostname``. OpenSSL is the
oracle; certconv must say "trusted" exactly when ``s_client`` verifies.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from loopback import tls_server
from pki import Issued, Pki, make_chain, to_pem

import certconv

HOST = "backend.example"


@pytest.fixture(scope="module")
def guide_pki() -> Pki:
    return make_chain("Guide", leaf_name=HOST)


def _s_client_verifies(port: int, ca_file: Path, host: str) -> bool:
    done = subprocess.run(
        [
            "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host,
            "-CAfile", str(ca_file), "-no-CApath", "-no-CAstore",
            "-verify_return_error", "-verify_hostname", host,
        ],
        input=b"",
        capture_output=True,
        timeout=60,  # a hang guard only
        check=False,
    )
    return done.returncode == 0


# (what the backend sends, what is uploaded to APIM, the host APIM calls)
SCENARIOS = {
    "leaf and intermediate sent, root uploaded": (("leaf", "intermediate"), ("root",), HOST),
    "leaf and intermediate sent, both CAs uploaded": (("leaf", "intermediate"), ("root", "intermediate"), HOST),
    "leaf only sent, root uploaded": (("leaf",), ("root",), HOST),
    "leaf only sent, both CAs uploaded": (("leaf",), ("root", "intermediate"), HOST),
    "leaf only sent, intermediate uploaded without its root": (("leaf",), ("intermediate",), HOST),
    "full chain sent, nothing of it uploaded": (("leaf", "intermediate", "root"), ("other",), HOST),
    "right chain, wrong host name": (("leaf", "intermediate"), ("root", "intermediate"), "api.example.org"),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fetch_with_ca_agrees_with_openssl_s_client(guide_pki: Pki, tmp_path: Path, scenario: str) -> None:
    sent, uploaded, host = SCENARIOS[scenario]
    parts: dict[str, Issued] = {
        "leaf": guide_pki.leaf,
        "intermediate": guide_pki.intermediate,
        "root": guide_pki.root,
        "other": make_chain("Unrelated").root,
    }
    ca_file = tmp_path / "uploaded.pem"
    ca_file.write_bytes(to_pem([parts[name] for name in uploaded]))
    with tls_server("127.0.0.1", [parts[name] for name in sent], guide_pki.leaf) as server:
        expected = _s_client_verifies(server.port, ca_file, host)
        report = certconv.diagnose_backend(
            f"127.0.0.1:{server.port}", ca=[ca_file], host=host, sni=host, probe=False, timeout=10
        )
    assert report.trusted is expected, (scenario, report.render())
    # The two cases the guide is about really differ: a pass and a refusal are both seen.
    assert expected is (scenario in {
        "leaf and intermediate sent, root uploaded",
        "leaf and intermediate sent, both CAs uploaded",
        "leaf only sent, both CAs uploaded",
    })
