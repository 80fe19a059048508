"""Verification stays bounded on chains built to make it slow (issue 19, points 1 and 2).

A few levels of cross-signed CAs, each with hundreds of name constraints, over a
leaf with hundreds of names: every candidate path used to compare every name with
every constraint again (36 s for 17 KB), and the path search's budget did not count
that work. Work is counted (``tests/work.py``), never timed.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from loopback import tls_server
from pki import DAY, NOW, Issued, make_key, name, to_pem
from typer.testing import CliRunner
from work import counted

import certconv
from certconv import FailureCode, Source
from certconv.cli import app

Key = ec.EllipticCurvePrivateKey


def _ca(subject: x509.Name, key: Key, issuer: x509.Name, signer: Key, trees: Sequence[x509.GeneralName]) -> Issued:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
    )
    if trees:
        builder = builder.add_extension(x509.NameConstraints(list(trees), None), critical=True)
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def mesh_certificates(
    levels: int, trees: Sequence[x509.GeneralName], names: Sequence[x509.GeneralName], *, width: int = 2
) -> list[Issued]:
    """Leaf, then ``levels`` levels of ``width`` CAs, each cross-signed by every CA of the level above, and a root.

    Every CA carries ``trees`` as permitted subtrees; the leaf has ``names`` in its SAN. The leaf
    has ``width ** levels`` candidate paths to the root.
    """
    root_key, root_name = make_key(), name("Mesh Root")
    cas = [_ca(root_name, root_key, root_name, root_key, ())]  # type: ignore[arg-type]
    above = [(root_name, root_key)]
    for level in range(levels):
        here = []
        for w in range(width):
            key, subject = make_key(), name(f"Mesh CA {level}.{w}")
            cas += [_ca(subject, key, n, k, trees) for n, k in above]  # type: ignore[arg-type]
            here.append((subject, key))
        above = here
    leaf_key = make_key()
    issuer, signer = above[0]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("mesh leaf"))
        .issuer_name(issuer)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 300 * DAY)
        .add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        .sign(signer, hashes.SHA256())  # type: ignore[arg-type]
    )
    return [Issued(leaf, leaf_key), *cas]


def cross_signed_mesh(
    levels: int, trees: Sequence[x509.GeneralName], names: Sequence[x509.GeneralName], *, width: int = 2
) -> bytes:
    """:func:`mesh_certificates` as one PEM file."""
    return to_pem(mesh_certificates(levels, trees, names, width=width))


def dns_mesh_certificates(levels: int, constraints: int, sans: int) -> list[Issued]:
    """The attack's shape: DNS constraints, SANs inside them but the last one, so no path is valid."""
    trees = [x509.DNSName(f"z{i}.example") for i in range(constraints)]
    names = [x509.DNSName(f"h{i}.z{i % constraints}.example") for i in range(sans - 1)]
    return mesh_certificates(levels, trees, [*names, x509.DNSName("outside.example")])


def dns_mesh(levels: int, constraints: int, sans: int) -> bytes:
    return to_pem(dns_mesh_certificates(levels, constraints, sans))


def test_name_constraints_are_compared_once_per_ca_and_certificate_not_once_per_path() -> None:
    # 3 levels of 2 cross-signed CAs (8 paths), 60 constraints each, a leaf with 60 names.
    # Before: every path compared all 60 x 60 again: 4.8 million Python lines (10.4 million
    # with 4 levels). Now each CA's verdict on the leaf is reached once, a look-up per label.
    data = dns_mesh(3, 60, 60)
    with counted() as work:
        result = certconv.verify(Source("mesh.pem", data))
    assert work.lines < 1_000_000, work.lines  # measured 0.27 million
    (chain,) = result.chains
    assert [f.code for f in chain.failures][:1] == [FailureCode.NAME_CONSTRAINTS]
    assert "`outside.example` outside the permitted names" in chain.failures[0].message


def test_the_attack_itself_is_answered_in_bounded_work() -> None:
    # The reported shape: 200 constraints per CA, 200 SANs, 4 levels of cross-signs (16 paths):
    # 36 s before; now a few thousand steps, name comparisons included.
    data = dns_mesh(4, 200, 200)
    with counted(lines=False) as work:
        result = certconv.verify(Source("mesh.pem", data))
    assert not result.ok
    assert work.search_steps < 2_000, work.search_steps  # measured 870, comparisons counted 16 to a step
    (chain,) = result.chains
    assert chain.failures[0].code is FailureCode.NAME_CONSTRAINTS


def ip_mesh() -> bytes:
    """Valid, but each CA's check of the leaf costs 250 x 250 address comparisons (under the per-CA bound)."""
    nets = [x509.IPAddress(ipaddress.ip_network(f"10.0.{i}.0/24")) for i in range(250)]
    names = [x509.IPAddress(ipaddress.ip_address(f"10.0.{i}.1")) for i in range(250)]
    return cross_signed_mesh(4, nets, names)


def test_name_constraint_work_counts_in_the_search_budget_and_ends_in_a_too_complex_verdict() -> None:
    # Four CAs each comparing 250 addresses with 250 networks (62,500 comparisons, 3,906 steps)
    # exhaust a certificate's 10,000 steps: the answer is "too complex to verify", naming the input.
    # Before, the comparisons were not counted and the chain was searched path after path.
    with counted(lines=False) as work:
        result = certconv.verify(Source("mesh-ips.pem", ip_mesh()))
    (chain,) = result.chains
    assert not chain.ok
    assert [f.code for f in chain.failures] == [FailureCode.SEARCH_LIMIT]
    message = chain.failures[0].message
    assert message.startswith("mesh-ips.pem: too complex to verify: ")
    assert "limit of 10,000 steps" in message and "give only the CA certificates the chain needs" in message
    # Two searches (chain choice, then verify), each stopped within one CA check past its 10,000 steps.
    assert work.search_steps <= 2 * (10_000 + 3_907), work.search_steps


def test_cli_says_too_complex_in_one_line_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "mesh-ips.pem"
    path.write_bytes(ip_mesh())
    result = CliRunner().invoke(app, ["verify", str(path)])
    assert result.exit_code == 3  # does not verify
    lines = [line for line in result.output.splitlines() if "too complex to verify" in line]
    assert len(lines) == 1 and str(path) in lines[0]
    assert "missing" not in result.output  # the issuer was not searched for, not found missing


def test_a_search_past_its_deadline_stops_with_a_too_complex_verdict() -> None:
    # The mechanism fetch and the doctor judge a served chain with: past the deadline, no more steps.
    from certconv.trust._path import searching_until

    with counted(lines=False) as work, searching_until(time.monotonic() - 1):
        result = certconv.verify(Source("mesh.pem", dns_mesh(4, 20, 20)))
    (chain,) = result.chains
    assert [f.code for f in chain.failures] == [FailureCode.SEARCH_LIMIT]
    assert "needed more than the time the command had" in chain.failures[0].message
    # One step each for chain choice and verify, then the deadline; the CAs' own issuer look-ups
    # (not bound by it, 10,000 steps at most) make the rest. Without the deadline: 222 steps.
    assert work.search_steps < 40, work.search_steps


def test_fetch_judges_a_served_mesh_in_bounded_work() -> None:
    # Issue 19.2: a server sending such a chain kept `fetch --timeout 3` busy for 30-40 s: judging what
    # it served (the chain choice) compared every name with every constraint on every path.
    # Measured: 0.15 million lines now; 2.4 million before for this smaller mesh.
    served = dns_mesh_certificates(3, 60, 60)
    with tls_server("127.0.0.1", served, served[0]) as server, counted() as work:
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=10)
    assert len(result.served) == len(served)
    assert work.lines < 1_000_000, work.lines
