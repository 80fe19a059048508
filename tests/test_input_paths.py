"""Inputs that never open or never end, and passwords OpenSSL cannot take (issue 10 §2, §3).

A FIFO with no writer blocked ``open()`` forever; ``/dev/zero`` as a password
file was read until the kernel killed the process; a NUL in a password made
``cryptography`` panic (``pyo3_runtime.PanicException``, not an ``Exception``).
No test here measures time: library calls get a short ``deadline`` and the CLI
runs as a subprocess whose timeout is only a hang guard.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pki import Pki, to_pem, to_pfx

import certconv
from certconv.readers import _open, _read
from certconv.readers._password import MAX_PASSWORD_FILE_SIZE, MAX_PASSWORD_SIZE, read_password_file
from certconv.readers._read import read_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")

HANG_GUARD = 120  # seconds; only so a regression fails instead of hanging the suite
SHORT = 0.05  # a deadline for library calls: no writer ever comes, so its length changes nothing but the wait


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.pem"
    os.mkfifo(path)
    return path


@pytest.fixture
def pfx(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "bundle.pfx"
    path.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=b"changeit"))
    return path


@pytest.fixture
def no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any PKCS#12 or PEM key is opened (a key derivation would start)."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a password reached cryptography")

    monkeypatch.setattr(pkcs12, "load_pkcs12", forbidden)  # cryptography's modules: wherever certconv calls them
    monkeypatch.setattr(serialization, "load_pem_private_key", forbidden)


@contextmanager
def write_later(path: Path, data: bytes) -> Iterator[None]:
    """A writer that opens the FIFO (blocking until a reader comes), writes ``data`` and closes it."""

    def run() -> None:
        with open(path, "wb") as handle:
            handle.write(data)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    thread.join(HANG_GUARD)
    assert not thread.is_alive()


def run_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "certconv", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(run: subprocess.Popen[str]) -> tuple[str, str]:
    """The process's stdout and stderr; a process still running after the hang guard is killed and fails the test."""
    try:
        return run.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        pytest.fail(f"{run.args} still ran after {HANG_GUARD} s")


# -- passwords OpenSSL cannot take --------------------------------------------------------


@pytest.mark.parametrize("password", ["a\x00b", b"a\x00b", "\x00"])
def test_nul_in_a_password_is_a_password_error_not_a_panic(
    pfx: Path, password: str | bytes, no_derivation: None
) -> None:
    with pytest.raises(certconv.PasswordError, match="contains a NUL character") as info:
        certconv.load(pfx, password=password)
    assert "a\x00b" not in str(info.value)


def test_nul_in_a_password_for_an_encrypted_pem_key(pki: Pki, no_derivation: None) -> None:
    key = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"changeit"),
    )
    data = to_pem(pki.chain) + key
    with pytest.raises(certconv.PasswordError, match="NUL"):
        certconv.load(data, password="change\x00it")
    with pytest.raises(certconv.PasswordError, match="NUL"):  # read_source is the one door every input passes
        _read.read_source(certconv.Source("k.pem", data), password=b"change\x00it")


def test_nul_in_a_new_password_is_refused_before_anything_is_written(pfx: Path, tmp_path: Path) -> None:
    # cryptography wrote a PFX protected by the password cut at the NUL ("a"), without a word.
    out = tmp_path / "new.pfx"
    with pytest.raises(certconv.PasswordError, match="new password contains a NUL"):
        certconv.convert(pfx, out, to="pfx", password="changeit", new_password="a\x00b")
    assert not out.exists()
    bundle = certconv.load(pfx, password="changeit")
    with pytest.raises(certconv.PasswordError, match="new password contains a NUL"):
        certconv.convert_bundle(bundle, to="pfx", new_password=b"a\x00b")


def test_password_over_the_bound_is_refused_before_any_derivation(pfx: Path, no_derivation: None) -> None:
    with pytest.raises(certconv.PasswordError, match=f"over the {MAX_PASSWORD_SIZE:,}-byte limit"):
        certconv.load(pfx, password="x" * (MAX_PASSWORD_SIZE + 1))


def test_password_at_the_bound_is_still_tried(pfx: Path) -> None:
    with pytest.raises(certconv.WrongPasswordError):
        certconv.load(pfx, password="x" * MAX_PASSWORD_SIZE)


def test_password_file_over_its_bound_is_refused(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_bytes(b"x" * (MAX_PASSWORD_FILE_SIZE + 1))
    with pytest.raises(certconv.InputTooLargeError, match="limit for a password file"):
        read_password_file(pw)


def test_endless_pipe_as_password_file_reads_only_the_bound(fifo: Path) -> None:
    # The /dev/zero of pipes: a writer that never stops. At most the bound plus one byte is read.
    written = 0

    def flood() -> None:
        nonlocal written
        chunk = b"x" * 65536
        try:
            with open(fifo, "wb") as handle:
                while written < 100 * MAX_PASSWORD_FILE_SIZE:
                    handle.write(chunk)
                    written += len(chunk)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=flood, daemon=True)
    writer.start()
    with pytest.raises(certconv.InputTooLargeError):
        read_password_file(fifo, deadline=HANG_GUARD)
    writer.join(HANG_GUARD)
    assert not writer.is_alive()
    assert written < 2 * MAX_PASSWORD_FILE_SIZE  # it stopped when the reader closed, not at the writer's end


# -- devices, folders, sockets --------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_character_devices_are_refused_before_reading(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(certconv.InputError, match="is a character device, not a certificate file"):
        read_file(device)
    with pytest.raises(certconv.InputError, match="is a character device, not a password file"):
        read_password_file(device)


def test_folder_and_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(certconv.InputError, match="is a folder, not a certificate file"):
        certconv.load(tmp_path)
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(certconv.InputError, match="is a socket, not a certificate file"):
            certconv.load(path)
        with pytest.raises(certconv.InputError, match="is a socket, not a password file"):
            read_password_file(path)


# -- FIFOs ------------------------------------------------------------------------------------


def test_fifo_without_a_writer_is_an_error_not_a_hang(fifo: Path) -> None:
    with pytest.raises(certconv.InputError, match=r"no data arrived within .* \(a FIFO or pipe with no writer\?\)"):
        read_file(fifo, deadline=SHORT)
    with pytest.raises(certconv.InputError, match="no data arrived"):
        read_password_file(fifo, deadline=SHORT)


def test_fifo_without_a_writer_as_ca_of_verify(pki: Pki, fifo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_open, "PIPE_DEADLINE", SHORT)  # the library default, read at each call
    with pytest.raises(certconv.InputError, match="no data arrived") as info:
        certconv.verify(to_pem(pki.chain), ca=[fifo])
    assert info.value.path == str(fifo)


def test_fifo_whose_writer_writes_and_closes_is_read(pki: Pki, fifo: Path) -> None:
    data = to_pem(pki.chain)
    with write_later(fifo, data):
        assert read_file(fifo, deadline=HANG_GUARD).data == data


def test_fifo_whose_writer_never_closes_is_cut_at_the_deadline(pki: Pki, fifo: Path) -> None:
    # A reader of our own lets the writer open and write before read_file starts: its bytes are
    # waiting in the pipe, so what arrives before the deadline does not depend on the machine's load.
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(fifo, os.O_WRONLY)
    try:
        os.write(writer, to_pem(pki.chain))
        with pytest.raises(certconv.InputError, match=r"the pipe did not end within .* bytes arrived"):
            read_file(fifo, deadline=SHORT)
    finally:
        os.close(writer)
        os.close(holder)


def test_fifo_password_file_with_a_writer(pfx: Path, fifo: Path) -> None:
    with write_later(fifo, "\ufeffchangeit\r\n".encode("utf-16-le")):
        password = read_password_file(fifo, deadline=HANG_GUARD)
    assert len(certconv.load(pfx, password=password).certificates) == 3


def test_fifo_larger_than_the_input_bound_is_refused(fifo: Path) -> None:
    with write_later(fifo, b"-" * 5000), pytest.raises(certconv.InputTooLargeError, match="over the 1,000-byte"):
        read_file(fifo, max_input_size=1000, deadline=HANG_GUARD)


# -- the CLI, as a real process -------------------------------------------------------------


def test_cli_fifo_without_writer_as_input_ca_and_password_file(pki: Pki, tmp_path: Path) -> None:
    chain = tmp_path / "chain.pem"
    chain.write_bytes(to_pem(pki.chain))
    fifos = [tmp_path / name for name in ("input", "ca", "pw")]
    for path in fifos:
        os.mkfifo(path)
    runs = [  # all three at once: each waits out the library's default deadline
        run_cli("inspect", str(fifos[0])),
        run_cli("verify", str(chain), "--ca", str(fifos[1])),
        run_cli("inspect", str(chain), "--password-file", str(fifos[2])),
    ]
    results = [finish(run) for run in runs]
    codes = [run.returncode for run in runs]
    assert codes == [1, 1, 2], results
    assert results[0][1] == f"error: {fifos[0]}: no data arrived within 5 s (a FIFO or pipe with no writer?)\n"
    assert results[1][1] == f"error: {fifos[1]}: no data arrived within 5 s (a FIFO or pipe with no writer?)\n"
    assert f"--password-file {fifos[2]}: no data arrived" in results[2][1]
    assert all("Traceback" not in err for _, err in results)


def test_cli_reads_a_fifo_whose_writer_closes(pki: Pki, fifo: Path) -> None:
    with write_later(fifo, to_pem(pki.chain)):
        run = run_cli("inspect", str(fifo), "--json")
        out, err = finish(run)
    assert run.returncode == 0, err
    assert '"role": "root"' in out


@pytest.mark.parametrize("option", [[], ["--password-file"], ["--ca"]])
def test_cli_refuses_dev_zero_at_once(pki: Pki, tmp_path: Path, option: list[str]) -> None:
    chain = tmp_path / "chain.pem"
    chain.write_bytes(to_pem(pki.chain))
    command = "verify" if option == ["--ca"] else "inspect"
    args = [command, "/dev/zero"] if not option else [command, str(chain), *option, "/dev/zero"]
    run = run_cli(*args)
    _, err = finish(run)
    assert run.returncode in (1, 2)
    assert "/dev/zero: is a character device, not a" in err
    assert "Traceback" not in err


def test_cli_nul_password_from_a_file_is_one_line(pfx: Path, tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_bytes(b"change\x00it\n")
    run = run_cli("inspect", str(pfx), "--password-file", str(pw))
    _, err = finish(run)
    assert run.returncode == 1
    assert err.startswith("error: password contains a NUL character") and err.count("\n") == 1
