"""docs/architecture.md draws the stages the import contract enforces, and the contract holds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "docs" / "architecture.md"


def _contract_layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return [{part.strip() for part in re.split(r"[:|]", layer)} for layer in layers]


def _drawn_layers() -> list[set[str]]:
    text = PAGE.read_text(encoding="utf-8")
    block = text.split("<!-- stages")[1].split("-->", 1)[1].split("<!-- /stages -->")[0]
    drawn = []
    for line in block.splitlines():
        modules = re.findall(r"(\S+)(?:/|\.py)(?=\s|$)", line)
        if modules:
            drawn.append(set(modules))
    return drawn


def test_the_page_draws_the_contracts_stages_in_order() -> None:
    assert _drawn_layers() == _contract_layers()


def test_every_folder_and_module_of_certconv_is_drawn() -> None:
    package = ROOT / "certconv"
    present = {p.stem for p in package.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
    drawn = set().union(*_drawn_layers())
    assert present - {"__init__"} == drawn


def test_each_stage_package_says_which_stage_it_is() -> None:
    for layer in _contract_layers():
        for name in layer:
            init = ROOT / "certconv" / name / "__init__.py"
            if init.is_file() and name != "cli":
                assert init.read_text(encoding="utf-8").startswith('"""Stage '), name


def test_the_import_contracts_are_kept() -> None:
    # import-linter is in the test extra: its script sits beside this Python.
    beside = Path(sys.executable).with_name("lint-imports")
    exe = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert exe, "lint-imports not found (pip install -e '.[test]')"
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout
