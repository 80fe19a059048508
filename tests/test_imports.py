"""`import certconv` stays light, and `certconv split` loads nothing it does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent.parent / "samples" / "fullchain.pem"

HEAVY_FOR_LIBRARY = ("typer", "click", "rich", "pydantic", "OpenSSL", "urllib.request", "http.client", "ssl")
HEAVY_FOR_SPLIT = (
    "rich",
    "pydantic",
    "OpenSSL",
    "urllib.request",
    "http.client",
    "ssl",
    "certconv._tls",
    "certconv._aia",
    "certconv._verify",
)


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_certconv_loads_no_cli_framework_network_or_openssl() -> None:
    assert not loaded_after("import certconv") & set(HEAVY_FOR_LIBRARY)


def test_split_command_loads_neither_network_nor_verification_code(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom certconv.cli import app\n"
        f"sys.argv = ['certconv', 'split', {str(SAMPLE)!r}, '--out', {str(tmp_path)!r}, '-q']\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code"
    )
    assert not loaded_after(code) & set(HEAVY_FOR_SPLIT)
