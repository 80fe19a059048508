"""Shared fixtures: a generated private PKI in the shape of the APIM scenario."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pki import Pki, make_chain

SAMPLES = Path(__file__).parent.parent / "samples"


@pytest.fixture(scope="session")
def pki() -> Pki:
    """root CA → intermediate CA → ``*.backend.example`` (EC P-256), made once per run."""
    return make_chain()


@pytest.fixture(scope="session")
def rsa_pki() -> Pki:
    """The same shape with RSA 2048 keys, for interop with tools that prefer RSA."""
    return make_chain("RSA", key_kind="rsa")
