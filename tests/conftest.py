"""Shared fixtures: a generated private PKI in the shape of the APIM scenario."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pki import Pki, make_chain

import certconv

SAMPLES = Path(__file__).parent.parent / "samples"
SOURCE_TREE = Path(__file__).resolve().parent.parent
IMPORTED_FROM = Path(certconv.__file__).resolve().parent


def imported_from_source_tree() -> bool:
    """True when ``import certconv`` found the checkout instead of the installed package."""
    return IMPORTED_FROM == SOURCE_TREE / "certconv"


def pytest_report_header() -> str:
    return f"certconv {certconv.__version__} imported from {IMPORTED_FROM}"


def pytest_sessionstart(session: pytest.Session) -> None:
    # Ship what we test: a wheel once lacked three subpackages while every test passed,
    # because `python -m pytest` from the root imported the checkout. CI must test what
    # users install (README: `pip install '.[test]'` then `python -P -m pytest`).
    if os.environ.get("CI") == "true" and imported_from_source_tree():
        pytest.exit(
            f"certconv was imported from the source tree ({IMPORTED_FROM}), not the installed package: "
            "install it with `pip install '.[test]'` (not -e) and run `python -P -m pytest`",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _outside_the_checkout(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in a scratch folder, so a child ``python -m certconv`` cannot import the checkout."""
    monkeypatch.chdir(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def pki() -> Pki:
    """root CA → intermediate CA → ``*.backend.example`` (EC P-256), made once per run."""
    return make_chain()


@pytest.fixture(scope="session")
def rsa_pki() -> Pki:
    """The same shape with RSA 2048 keys, for interop with tools that prefer RSA."""
    return make_chain("RSA", key_kind="rsa")
