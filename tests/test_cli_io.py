"""The command's own input and output mechanism (certconv/cli/_io.py): colour only on a terminal, prompts at one."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from pki import Pki, to_pem
from typer.testing import CliRunner

from certconv.cli import _io as cli
from certconv.cli import app

runner = CliRunner()
SECRET = "trust-store-pw"


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [(True, None, True), (True, "1", False), (True, "", True), (False, None, False)],
)
def test_colour_only_on_a_terminal_without_no_color(
    tty: bool, no_color: str | None, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _Terminal(tty))
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert cli._color() is expected


def test_cli_truststore_asks_for_a_password_twice_at_a_terminal(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([SECRET, SECRET])
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))
    src = tmp_path / "chain.pem"
    src.write_bytes(to_pem(pki.chain))
    out = tmp_path / "t.p12"
    done = runner.invoke(app, ["convert", str(src), "--to", "truststore", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "AES-256-CBC" in done.output and "password is empty" not in done.output
    assert len(pkcs12.load_pkcs12(out.read_bytes(), SECRET.encode()).additional_certs) == 2
