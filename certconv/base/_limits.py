"""Limits shared by several stages, defined once.

Work that grows linearly with the input is always allowed up to
:data:`MAX_CERTIFICATES`; only work that grows faster (many certificates sharing
an issuer name *and* many candidate issuers of that name, cross-signing meshes)
is bounded, by budgets that grow with the input (docs/security.md).
"""

from __future__ import annotations

__all__ = [
    "CHECKS_PER_CERTIFICATE",
    "EXTRA_CHECKS_BASE",
    "EXTRA_CHECKS_PER_CERTIFICATE",
    "MAX_CERTIFICATES",
    "SEARCH_BUDGET",
    "SEARCH_STEPS_BASE",
    "SEARCH_STEPS_PER_CERTIFICATE",
    "extra_check_budget",
    "search_budget",
]

MAX_CERTIFICATES = 100_000
"""More certificates than this in one input is refused (the largest public trust stores hold a few hundred)."""

CHECKS_PER_CERTIFICATE = 4
"""Issuer candidates each certificate may be checked against by signature, always allowed.

The candidates are the certificates whose subject is its issuer name, narrowed to
those whose subject key identifier is its authority key identifier: one for an
ordinary chain, two or three where a CA was cross-signed. 100,000 certificates
at this rate cost at most 400,000 checks (about 25 s of ECDSA here), linear in the input.
"""

EXTRA_CHECKS_BASE = 10_000
EXTRA_CHECKS_PER_CERTIFICATE = 2
"""Signature checks beyond :data:`CHECKS_PER_CERTIFICATE` per certificate: ``10,000 + 2 per certificate``.

Only many certificates sharing one issuer name with many candidates of that name
and no key identifier to tell them apart need more: 300 such certificates would
need 90,000 (12 s). limbo's ``pathological-chain-same-subject-distinct-key``
(100 CAs of one name, no key identifiers) needs 9,900 and still chains.
"""

SEARCH_BUDGET = 10_000
"""Path-search steps one certificate may take (classifying a bundle, verifying a chain)."""

SEARCH_STEPS_BASE = 200_000
SEARCH_STEPS_PER_CERTIFICATE = 20
"""Path-search steps for all certificates of one run: ``200,000 + 20 per certificate``.

An ordinary chain takes one step per certificate on it; the budget bounds
cross-signing meshes, where each search could otherwise take its own 10,000.
"""


def extra_check_budget(certificates: int) -> int:
    """Signature checks chaining ``certificates`` may make beyond :data:`CHECKS_PER_CERTIFICATE` each."""
    return EXTRA_CHECKS_BASE + EXTRA_CHECKS_PER_CERTIFICATE * certificates


def search_budget(certificates: int) -> int:
    """Path-search steps all the searches over ``certificates`` certificates may take together."""
    return SEARCH_STEPS_BASE + SEARCH_STEPS_PER_CERTIFICATE * certificates
