"""One dialect for every command: -q/--quiet and --json everywhere, no escape sequence for
TERM=dumb or NO_COLOR, and one message for one situation whichever command meets it."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from cryptography.hazmat.primitives import serialization
from loopback import tls_server
from pki import Pki, make_chain, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

runner = CliRunner()
COMMANDS = ("split", "convert", "inspect", "verify", "fetch", "create")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dialect")
    key = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    paths = {
        "pfx": folder / "bundle.pfx",
        "chain": folder / "chain.pem",  # no root: inspect marks the missing issuer (in colour on a terminal)
        "root": folder / "root.pem",
        "key": folder / "backend.key",
    }
    paths["pfx"].write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    paths["chain"].write_bytes(to_pem([pki.leaf, pki.intermediate]))
    paths["root"].write_bytes(pki.root.pem)
    paths["key"].write_bytes(key)
    return paths


# -- the same options everywhere ------------------------------------------------------------


def commands() -> dict[str, Any]:
    """The app's commands by name, as click objects (typer ships its own copy of click)."""
    found: dict[str, Any] = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_quiet_and_json(name: str) -> None:
    options = {opt for param in commands()[name].params for opt in param.opts}
    assert {"-q", "--quiet", "--json"} <= options


def test_quiet_and_json_read_the_same_in_every_help() -> None:
    helps = {
        opt: {getattr(p, "help", None) for name in COMMANDS for p in commands()[name].params if opt in p.opts}
        for opt in ("--quiet", "--json")
    }
    assert all(len(texts) == 1 for texts in helps.values()), helps


def quiet_runs(files: dict[str, Path], tmp_path: Path) -> list[tuple[list[str], int]]:
    """One run of each command, as (arguments, the exit code it has without -q)."""
    return [
        (["split", str(files["pfx"]), "--password-env", "PW", "-o", str(tmp_path / "split")], 0),
        (["split", "--each", str(files["chain"]), "-o", str(tmp_path / "each")], 0),
        (["convert", str(files["pfx"]), "--password-env", "PW", "--to", "fullchain", "-o", str(tmp_path / "f.pem")], 0),
        (["inspect", str(files["pfx"]), "--password-env", "PW"], 0),
        (["inspect", str(files["chain"]), "--fail-within", "36500"], 3),
        (["verify", str(files["chain"]), "--ca", str(files["root"]), "--host", "backend.example"], 0),
        (["verify", str(files["chain"]), "--ca", str(files["root"]), "--host", "other.example"], 3),
    ]


@pytest.mark.parametrize("extra", [["-q"], ["--quiet"], ["--quiet", "--json"]])
def test_quiet_prints_nothing_and_keeps_the_exit_code(files: dict[str, Path], tmp_path: Path, extra: list[str]) -> None:
    for args, code in quiet_runs(files, tmp_path):
        result = runner.invoke(app, [*args, *extra, "--force"] if args[0] in ("split", "convert") else [*args, *extra],
                               env={"PW": "changeit"})  # fmt: skip
        assert result.exit_code == code, (args, result.output)
        assert result.stdout == "", args
        assert result.stderr == "", args


def test_quiet_still_says_why_a_command_failed(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["inspect", str(files["pfx"]), "--password", "wrong", "-q"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_json_document_is_an_object_with_schema_and_tool(
    name: str, files: dict[str, Path], tmp_path: Path
) -> None:
    if name == "fetch":
        served = make_chain("Dialect", leaf_name="backend.example")
        with tls_server("127.0.0.1", [served.leaf, served.intermediate], served.leaf) as server:
            result = runner.invoke(app, ["fetch", f"127.0.0.1:{server.port}", "--no-probe", "--timeout", "5", "--json"])
    else:
        args = {
            "split": ["split", str(files["chain"]), "-o", str(tmp_path / "o")],
            "convert": ["convert", str(files["chain"]), "--to", "p7b", "-o", str(tmp_path / "c.p7b")],
            "inspect": ["inspect", str(files["chain"])],
            "verify": ["verify", str(files["chain"]), "--ca", str(files["root"])],
            "create": ["create", "api.backend.example", "-o", str(tmp_path / "new"), "--no-password"],
        }[name]
        result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    assert isinstance(document["schema"], int)
    assert document["tool"] == f"certconv {certconv.__version__}"


# -- no escape sequence for TERM=dumb or NO_COLOR, on a real terminal --------------------------


def on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Run ``python -m certconv ARGS`` with a pseudo-terminal as its stdout and stderr; all it wrote."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    try:
        subprocess.run(
            [sys.executable, "-m", "certconv", *args],
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=follower,
            env={**environ, **env},
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_colour_terminal_gets_colour_but_term_dumb_and_no_color_get_no_escape(files: dict[str, Path]) -> None:
    args = ["inspect", str(files["chain"])]
    assert b"\x1b[" in on_a_terminal(args, {"TERM": "xterm-256color"}), "the control case: colour on a terminal"
    for env in ({"TERM": "dumb"}, {"TERM": "xterm-256color", "NO_COLOR": "1"}):
        output = on_a_terminal(args, env)
        assert b"missing-issuer" in output
        assert b"\x1b" not in output, env


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(
    "args",
    [["--help"], ["split", "--help"], ["inspect", "--no-such-option"], ["verify", "{chain}", "--host", "x.example"]],
)
def test_term_dumb_output_has_no_escape_byte(files: dict[str, Path], args: list[str]) -> None:
    output = on_a_terminal([a.format(chain=files["chain"]) for a in args], {"TERM": "dumb"})
    assert output and b"\x1b" not in output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_fetch_on_a_dumb_terminal_has_no_escape_byte(files: dict[str, Path]) -> None:
    served = make_chain("Dumb", leaf_name="backend.example")
    with tls_server("127.0.0.1", [served.leaf, served.intermediate], served.leaf) as server:
        target = f"127.0.0.1:{server.port}"
        coloured = on_a_terminal(["fetch", target, "--no-probe", "--timeout", "5"], {"TERM": "xterm-256color"})
        dumb = on_a_terminal(["fetch", target, "--no-probe", "--timeout", "5"], {"TERM": "dumb"})
    assert b"\x1b[" in coloured
    assert b"leaf-and-intermediates" in dumb or b"Served" in dumb or b"backend.example" in dumb
    assert b"\x1b" not in dumb


# -- one message for one situation --------------------------------------------------------------


def error_lines(runs: list[list[str]], env: dict[str, str] | None = None) -> set[str]:
    lines = set()
    for args in runs:
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        lines.add(result.stderr.strip().splitlines()[-1])
    return lines


def test_key_only_input_gets_one_message_from_every_command(files: dict[str, Path], tmp_path: Path) -> None:
    key = str(files["key"])
    lines = error_lines(
        [
            ["inspect", key],
            ["split", key, "-o", str(tmp_path / "s")],
            ["convert", key, "--to", "pem", "-o", str(tmp_path / "c.pem")],
            ["verify", key],
        ]
    )
    assert lines == {f"error: {key}: holds a private key but no certificate: add the certificate file"}
    assert not (tmp_path / "s").exists() and not (tmp_path / "c.pem").exists()


def test_wrong_password_gets_one_message_from_every_command(files: dict[str, Path], tmp_path: Path) -> None:
    pfx = str(files["pfx"])
    lines = error_lines(
        [
            ["inspect", pfx, "--password-env", "PW"],
            ["split", pfx, "--password-env", "PW", "-o", str(tmp_path / "s")],
            ["convert", pfx, "--password-env", "PW", "--to", "pem", "--only", "root", "-o", str(tmp_path / "c.pem")],
            ["verify", pfx, "--password-env", "PW"],
        ],
        env={"PW": "not the password"},
    )
    assert len(lines) == 1, lines
    assert "wrong password" in lines.pop()


def test_no_certificate_gets_one_message_from_every_command(tmp_path: Path) -> None:
    public_key_pem = tmp_path / "public-key.pem"  # PEM, but only a public key in it
    key = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="
    public_key_pem.write_text(f"-----BEGIN PUBLIC KEY-----\n{key}\n-----END PUBLIC KEY-----\n")
    lines = error_lines(
        [
            ["inspect", str(public_key_pem)],
            ["split", str(public_key_pem), "-o", str(tmp_path / "s")],
            ["convert", str(public_key_pem), "--to", "pem", "-o", str(tmp_path / "c.pem")],
            ["verify", str(public_key_pem)],
        ]
    )
    assert len(lines) == 1, lines
    assert "no certificate" in lines.pop()


def test_python_dash_m_certconv_is_the_command() -> None:
    """Getting started promises it wherever ``certconv`` is not on PATH."""
    run = subprocess.run(
        [sys.executable, "-m", "certconv", "--version"], capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout == f"certconv {certconv.__version__}\n"


@pytest.mark.parametrize("name", ["split", "convert", "inspect", "verify"])
def test_the_password_note_goes_to_stderr_beside_json_and_quiet_drops_it(
    name: str, files: dict[str, Path], tmp_path: Path
) -> None:
    args = {
        "split": ["split", "-o", str(tmp_path / "s")],
        "convert": ["convert", "--to", "fullchain", "-o", str(tmp_path / "f.pem")],
        "inspect": ["inspect"],
        "verify": ["verify"],
    }[name]
    given = [*args, str(files["pfx"]), "--password", "changeit"]
    loud = runner.invoke(app, [*given, "--json"])
    assert loud.exit_code == 0, loud.output
    assert json.loads(loud.stdout)["tool"].startswith("certconv ")
    assert "note: --password is visible to other local users" in loud.stderr
    quiet = runner.invoke(app, [*given, "--json", "-q", "--force"] if name in ("split", "convert") else [*given, "-q"])
    assert quiet.exit_code == 0
    assert (quiet.stdout, quiet.stderr) == ("", "")
