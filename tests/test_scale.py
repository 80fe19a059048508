"""Whole CA inventories: linear work is allowed at every size the input limits admit.

A CA's inventory (thousands of leaves it issued, each checked against the one
issuer its name and key identifier point to) is linear work and must be
answered; only super-linear work (many certificates sharing an issuer name
*and* many candidates of that name, with nothing to tell them apart) is
bounded, by a budget that grows with the input. Work is counted
(``tests/work.py``), never timed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pki import Issued, issue, make_key, to_pem
from work import counted

import certconv
from certconv.base import _limits

LEAVES = 20_000


@pytest.fixture(scope="module")
def inventory() -> bytes:
    """A root, one CA under it, and 20,000 leaves that CA issued (one key pair shared by the leaves, for speed)."""
    root = issue("Inventory Root", ca=True)
    ca = issue("Inventory CA", root, ca=True)
    key = make_key()
    return to_pem([root, ca, *(issue(f"host{i}.example", ca, key=key) for i in range(LEAVES))])


def test_split_answers_20000_leaves_of_one_ca_with_one_check_each(inventory: bytes, tmp_path: Path) -> None:
    with counted(lines=False) as work:
        manifest = certconv.split(inventory, tmp_path / "out")
    assert len(manifest.entries) == LEAVES + 2
    # One check per leaf (its CA), one for the CA (the root), one self-signature; the old
    # bound refused this input ("more than 4,000 certificates share an issuer name").
    assert work.signature_checks <= LEAVES + 3, f"{work.signature_checks:,} checks"
    assert work.search_steps <= 2 * (LEAVES + 2)


def test_inspect_answers_20000_leaves_of_one_ca(inventory: bytes) -> None:
    with counted(lines=False) as work:
        inspection = certconv.inspect(inventory)
    assert len(inspection.details) == LEAVES + 2
    assert work.signature_checks <= LEAVES + 3


def test_verify_answers_20000_leaves_of_one_ca(inventory: bytes) -> None:
    with counted(lines=False) as work:
        verification = certconv.verify(inventory)
    assert len(verification.chains) == LEAVES and verification.ok
    # The input is chained once, then once more with what verify knows: the memo keeps
    # every verdict, so each signature is still checked once.
    assert work.signature_checks <= LEAVES + 3, f"{work.signature_checks:,} checks"
    # Each search walks leaf, CA, root: linear, far inside the budget that grows with the input.
    assert work.search_steps <= 4 * LEAVES


def _crowd(children: int, issuers: int) -> bytes:
    """``issuers`` CAs of one name without key identifiers, and ``children`` certificates naming that name."""
    same = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Crowded CA")])
    cas = [issue(same, key_ids=False, ca=True) for _ in range(issuers)]
    signer = cas[0]
    key = make_key()
    kids = [issue(f"kid{i}.example", Issued(signer.cert, signer.key), key=key, key_ids=False) for i in range(children)]
    return to_pem([*cas, *kids])


def test_many_candidates_for_many_certificates_are_refused_naming_input_limit_and_remedy(tmp_path: Path) -> None:
    # 300 children x 60 candidate issuers: 18,000 checks, 16,800 beyond 4 each, over 10,000 + 2 x 360.
    source = tmp_path / "crowd.pem"
    source.write_bytes(_crowd(300, 60))
    with counted(lines=False) as work, pytest.raises(certconv.UnsafeInputError) as caught:
        certconv.load(source)
    assert work.signature_checks <= 60  # only the self-signatures: refused before any issuer check
    message = str(caught.value)
    assert message.startswith(f"{source}: chaining would need 16,800 signature checks beyond 4 per certificate")
    assert "300 certificates name 'Crowded CA' as their issuer and up to 60 certificates of that name" in message
    assert "certconv allows 10,720 (10,000 + 2 per certificate)" in message
    assert "Split the input" in message


def test_the_extra_check_budget_grows_with_the_input() -> None:
    assert _limits.extra_check_budget(100) < _limits.extra_check_budget(100_000)
    assert _limits.search_budget(100) < _limits.search_budget(100_000)


def test_a_ca_with_a_few_renewed_keys_of_one_name_chains_thousands_of_leaves() -> None:
    # A CA renewed its key three times, keeping its name: key identifiers tell the generations
    # apart, so each leaf is checked against one of them only.
    root = issue("Renewing Root", ca=True)
    generations = [issue("Renewing CA", root, ca=True) for _ in range(3)]
    key = make_key()
    leaves = [issue(f"h{i}.example", generations[i % 3], key=key) for i in range(3_000)]
    with counted(lines=False) as work:
        bundle = certconv.load(to_pem([root, *generations, *leaves]))
    assert len(bundle.chains) == 3_000
    assert work.signature_checks <= 3_000 + 3 + 1
