"""The command is written against the public API: no private import, hints worded as flags, -h, completion."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import certconv
from certconv.cli import app

CLI = Path(__file__).parent.parent / "certconv" / "cli"
SAMPLES = Path(__file__).parent.parent / "samples"


def _cli_sources() -> list[Path]:
    return sorted(CLI.rglob("*.py")) if CLI.is_dir() else [CLI.with_suffix(".py")]


def _private_uses(path: Path) -> list[str]:
    """Imports of certconv's private modules (``certconv._x``, ``from certconv._x``) and ``certconv._x`` look-ups."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            # Relative imports inside certconv/cli/ are the command's own modules; ``from .. import x`` is not.
            if node.level > 1 or (node.level == 0 and module.startswith("certconv.") and "._" in f".{module[9:]}"):
                found.append(f"{path.name}:{node.lineno}: from {'.' * node.level}{module} import ...")
            if node.level == 0 and module == "certconv":
                found += [f"{path.name}:{node.lineno}: {a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno}: import {a.name}" for a in node.names if "._" in a.name]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "certconv"
            and node.attr.startswith("_")
            and node.attr != "__version__"
        ):
            found.append(f"{path.name}:{node.lineno}: certconv.{node.attr}")
    return found


def test_the_cli_imports_only_public_certconv() -> None:
    sources = _cli_sources()
    assert sources and all(p.exists() for p in sources)
    assert [use for path in sources for use in _private_uses(path)] == []


def test_the_private_import_check_finds_each_kind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import certconv._text\nfrom certconv.base._args import check_timeout\nfrom certconv import _api\n"
        "import certconv\nx = certconv._convert\nfrom certconv.console import emit\n"
    )
    assert len(_private_uses(bad)) == 4


def test_every_option_a_hint_can_name_has_a_flag() -> None:
    from certconv.cli import FLAGS

    assert set(FLAGS) == set(certconv.Option)
    assert all(FLAGS[option].startswith("--") for option in certconv.Option if option is not certconv.Option.PROXY)


def test_a_hinted_library_error_names_the_flag_on_the_command_line_and_the_keyword_in_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = certconv.OutputExistsError(
        "exists already; nothing was written",
        path=str(tmp_path / "o" / "x.cer"),
        hint=certconv.Hint("use {} to overwrite", (certconv.Option.FORCE,)),
    )

    def refuse(*args: object, **kwargs: object) -> certconv.Manifest:
        raise error

    monkeypatch.setattr(certconv, "split", refuse)
    result = CliRunner().invoke(app, ["split", str(SAMPLES / "fullchain.pem"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {tmp_path / 'o' / 'x.cer'}: exists already; nothing was written (use --force to overwrite)\n"
    )
    assert str(error).endswith("(use force=True to overwrite)")


def test_a_password_hint_names_all_three_ways_to_give_it() -> None:
    from certconv.cli import flag

    message = certconv.PasswordRequiredError("encrypted", hint=certconv.Hint("give {}", (certconv.Option.PASSWORD,)))
    assert message.message(flag) == "encrypted (give --password-file, --password-env or --password)"


COMMANDS = ["split", "convert", "create", "inspect", "verify", "fetch"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short = CliRunner().invoke(app, [*command, "-h"])
    long = CliRunner().invoke(app, [*command, "--help"])
    assert short.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert "Usage:" in short.stdout and "-h, --help" in short.stdout


def test_commands_are_all_covered() -> None:
    import typer.main

    assert sorted(typer.main.get_command(app).commands) == sorted(COMMANDS)  # type: ignore[attr-defined]


def test_show_completion_prints_a_shell_script() -> None:
    env = {**os.environ, "SHELL": "/bin/bash"}
    done = subprocess.run(
        [sys.executable, "-m", "certconv", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "complete -o default -F" in done.stdout and "_COMPLETE=complete_bash" in done.stdout


def test_completion_completes_command_names() -> None:
    env = {**os.environ, "_CERTCONV_COMPLETE": "complete_bash", "COMP_WORDS": "certconv ver", "COMP_CWORD": "1"}
    code = "import sys; sys.argv[0] = 'certconv'; from certconv.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.stdout.split() == ["verify"], (done.stdout, done.stderr)
