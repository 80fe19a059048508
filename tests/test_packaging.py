"""The project builds into a wheel that carries its licence and its one version."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import certconv

ROOT = Path(__file__).resolve().parent.parent


def test_build_requirement_accepts_the_spdx_license_string() -> None:
    # setuptools < 77 rejects `license = "MIT"` (an SPDX expression) when it builds.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]


def test_wheel_ships_license_version_and_urls(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("certconv-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = zf.read(metadata).decode("utf-8")
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert f"\nVersion: {certconv.__version__}\n" in text
    assert "\nLicense-Expression: MIT\n" in text
    assert "\nProject-URL: Documentation, " in text
    assert "certconv/py.typed" in names
