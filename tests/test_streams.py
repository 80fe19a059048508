"""Closed and full standard streams, and a locale that cannot spell a file name (issue 19, point 7).

Each case ran into a traceback before; each now ends in one line (or silence where
nothing was asked for) and the exit code the work earned. The installed entry point
runs in a real process: the shell's ``>&-``/``<&-`` leave Python a ``None`` stream,
which no in-process runner can stand in for.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from pki import issue, make_chain, to_pem, to_pfx

needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


def certconv(
    *args: str | Path, close: Sequence[int] = (), stdout: object = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m certconv`` with the descriptors in ``close`` closed, as the shell's ``>&-`` does."""

    def closing() -> None:
        for fd in close:
            os.close(fd)

    return subprocess.run(
        [sys.executable, "-m", "certconv", *map(str, args)],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        preexec_fn=closing,
        timeout=120,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[bytes]) -> str:
    text = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    (line,) = text.splitlines()
    return line


@pytest.fixture
def chain_pem(tmp_path: Path) -> Path:
    path = tmp_path / "chain.pem"
    path.write_bytes(to_pem(make_chain().chain))
    return path


def test_convert_to_a_closed_standard_output_is_one_error_line(chain_pem: Path) -> None:
    done = certconv("convert", chain_pem, "--to", "fullchain", "--out", "-", "-q", close=[1])
    assert done.returncode == 1
    assert one_line(done) == (
        "error: the converted file could not be written to standard output (standard output is closed); "
        "what reached it, if anything, is incomplete"
    )


@needs_dev_full
def test_convert_to_a_full_standard_output_is_one_error_line(chain_pem: Path) -> None:
    with Path("/dev/full").open("wb") as full:
        done = certconv("convert", chain_pem, "--to", "fullchain", "--out", "-", "-q", stdout=full)
    assert done.returncode == 1
    assert "(No space left on device)" in one_line(done)


def test_inspect_with_standard_output_closed_is_silent_and_succeeds(chain_pem: Path) -> None:
    done = certconv("inspect", chain_pem, close=[1])
    assert done.returncode == 0
    assert done.stderr == b""


def test_inspect_of_a_password_pfx_with_standard_input_closed_says_a_password_is_needed(tmp_path: Path) -> None:
    pki = make_chain()
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    done = certconv("inspect", pfx, close=[0])
    assert done.returncode == 1
    assert one_line(done).startswith(f"error: {pfx}: PKCS#12 file is password-protected")


def test_reading_a_closed_standard_input_is_a_usage_error(tmp_path: Path) -> None:
    done = certconv("inspect", "-", close=[0])
    assert done.returncode == 2
    assert b"standard input (-) is closed" in done.stderr and b"Traceback" not in done.stderr


def test_a_name_the_locale_cannot_spell_is_one_error_before_anything_is_written(tmp_path: Path) -> None:
    # LC_ALL=C with UTF-8 mode off: file names are ASCII, and os.open raised UnicodeEncodeError half-way.
    root = tmp_path / "root.pem"
    root.write_bytes(issue("中文根证书", ca=True).pem)
    out = tmp_path / "out"
    done = certconv("split", root, "--out", out, env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"})
    assert done.returncode == 1
    line = one_line(done)
    assert line.startswith(f"error: {out}: the file name ") and "LC_ALL=C.UTF-8" in line
    assert not out.exists() and list(tmp_path.iterdir()) == [root]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_private_key_never_reaches_a_terminal_without_asking(tmp_path: Path) -> None:
    # Also seen in issue 19: `convert --to keyvault --out -` printed an unencrypted private key on the screen.
    pki = make_chain()
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=None))
    leader, follower = os.openpty()
    try:
        done = certconv("convert", pfx, "--to", "keyvault", "--out", "-", stdout=follower)
        os.close(follower)
        shown = b""
        with contextlib.suppress(OSError):  # EIO once the follower side is closed and drained
            while chunk := os.read(leader, 65536):
                shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 2
    assert b"PRIVATE KEY" not in shown
    assert b"writes the private key unencrypted and standard output is a terminal" in done.stderr
    # Redirected, it is written: the refusal is about the screen, not the form.
    piped = certconv("convert", pfx, "--to", "keyvault", "--out", "-", "-q")
    assert piped.returncode == 0 and b"BEGIN PRIVATE KEY" in piped.stdout
