"""What users install is what the suite tests: the wheel holds every module, the sdist can run the suite.

A release once passed 1,147 tests while its wheel lacked three subpackages: the suite imported the
checkout. These tests build the distributions the way a user or a packager does and look inside.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import IMPORTED_FROM, SOURCE_TREE, imported_from_source_tree

import certconv

ROOT = SOURCE_TREE
PACKAGE = ROOT / "certconv"


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """sdist and wheel as ``python -m build`` makes them: the wheel is built from the unpacked sdist.

    Not ``pip wheel .``: that builds in the source tree, and a stale ``build/`` folder there
    once put modules deleted from the tree into the wheel.
    """
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "-o", str(out), str(ROOT)], check=True, capture_output=True)
    (sdist,) = out.glob("certconv-*.tar.gz")
    (wheel,) = out.glob("certconv-*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def wheel(dists: tuple[Path, Path]) -> Path:
    return dists[1]


def source_files() -> set[str]:
    """Every file of the package in the source tree that Python or the code itself opens."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}
    }


def test_build_requirement_accepts_the_spdx_license_string() -> None:
    # setuptools < 77 rejects `license = "MIT"` (an SPDX expression) when it builds.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]


def test_wheel_holds_every_file_of_the_package_tree(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n for n in zf.namelist() if n.startswith("certconv/")}
    expected = source_files()
    assert any(name.count("/") > 1 for name in expected), "the package has subpackages"
    assert expected - shipped == set()
    assert shipped - expected == set()


def test_wheel_ships_license_version_and_urls(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = zf.read(metadata).decode("utf-8")
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert f"\nVersion: {certconv.__version__}\n" in text
    assert "\nLicense-Expression: MIT\n" in text
    assert "\nProject-URL: Documentation, " in text
    assert "certconv/py.typed" in names


def test_sdist_can_run_the_suite_and_build_the_docs(dists: tuple[Path, Path]) -> None:
    sdist, _ = dists
    with tarfile.open(sdist) as tf:
        names = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    for needed in ("tests/conftest.py", "tests/pki.py", "samples/bundle.pfx", "samples/password.txt",
                   "docs/index.md", "mkdocs.yml", "LICENSE", "pyproject.toml"):
        assert needed in names, needed
    tracked_tests = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("*.py")}
    assert tracked_tests <= names
    assert not any("__pycache__" in name for name in names)


def test_child_processes_import_the_same_certconv_as_the_suite() -> None:
    # Tests run `python -m certconv` in subprocesses: they must not pick up the checkout either.
    child = subprocess.run(
        [sys.executable, "-c", "import certconv, pathlib; print(pathlib.Path(certconv.__file__).resolve().parent)"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(child.stdout.strip()) == IMPORTED_FROM


def test_the_guard_knows_where_certconv_came_from() -> None:
    # Under CI=true the session refuses to start when this is True (tests/conftest.py).
    assert imported_from_source_tree() == (IMPORTED_FROM == PACKAGE)


README_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_links_resolve_on_pypi_too() -> None:
    # PyPI renders README.md without the repository around it: a relative link is a dead link there.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    relative = [link for link in README_LINK.findall(text) if not re.match(r"[a-z]+://|#|mailto:", link)]
    assert relative == []
