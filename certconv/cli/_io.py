"""What every command shares: writing output, secrets, inputs, and the one library call with its errors."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

import errno
import os
import sys
import typing
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import typer

import certconv
from certconv import CertconvError, PasswordRequiredError, Source, UsageError
from certconv.console import emit, emit_bytes, printable, stream_encoding

from ._options import flag

T = TypeVar("T")


def _languages(option: str | None) -> list[str]:
    """``--emit bicep,arm`` as the list of languages the library takes."""
    return [lang.strip() for lang in (option or "").split(",") if lang.strip()]


def _notes(notes: tuple[str, ...]) -> None:
    """What a write says beside its result (cleanup after an interrupted run), on stderr: JSON stays clean."""
    for note in notes:
        _say(f"note: {printable(note)}", err=True)


def _new_password(value: str | None, file: Path | None, env: str | None, *, quiet: bool) -> str | bytes | None:
    return _secret(value, file, env, option="--new-password", quiet=quiet)


def _ask_new_password(prompt: str = "New PFX password: ") -> str:
    import getpass

    first = getpass.getpass(prompt)
    if first != getpass.getpass("Repeat it: "):
        _say("error: the two passwords differ; nothing was written", err=True)
        raise typer.Exit(1)
    return first


def _sources(inputs: list[str], max_input_size: int = certconv.DEFAULT_MAX_INPUT_SIZE) -> list[str | Source]:
    if inputs.count("-") > 1:
        raise typer.BadParameter("standard input (-) can be given only once")
    if "-" in inputs and sys.stdin is None:
        raise typer.BadParameter("standard input (-) is closed: give a file, or pipe the input in")
    # Read one byte past the limit, never more: the library refuses what is over it.
    return [Source("<stdin>", sys.stdin.buffer.read(max_input_size + 1)) if item == "-" else item for item in inputs]


def _password(
    password: str | None, password_file: Path | None, password_env: str | None, *, quiet: bool
) -> str | bytes | None:
    return _secret(password, password_file, password_env, option="--password", quiet=quiet)


def _secret(value: str | None, file: Path | None, env: str | None, *, option: str, quiet: bool) -> str | bytes | None:
    """The secret from ``OPTION``, ``OPTION-file`` or ``OPTION-env`` (at most one of them).

    A file's first line is read as :func:`certconv.read_password_file`
    reads it: UTF-8/UTF-16/UTF-32 with a byte-order mark are decoded, other bytes
    kept, so a password in a legacy encoding (Latin-1 exports from old Windows)
    reaches PKCS#12 unchanged; arguments and environment values keep their
    original bytes too (the library encodes with ``surrogateescape``).
    """
    given = [opt for opt, v in ((option, value), (f"{option}-file", file), (f"{option}-env", env)) if v is not None]
    if len(given) > 1:
        raise typer.BadParameter(f"give only one of {', '.join(given)}")
    if value is not None:
        if not quiet:
            typer.echo(
                f"note: {option} is visible to other local users (process list, shell history); "
                f"prefer {option}-file, {option}-env or the prompt",
                err=True,
            )
        return value
    if file is not None:
        try:
            return certconv.read_password_file(file)
        except CertconvError as exc:
            raise typer.BadParameter(f"{option}-file {exc.message(flag)}") from None
    if env is not None:
        secret = os.environ.get(env)
        if secret is None:
            raise typer.BadParameter(f"environment variable {env} is not set")
        return secret
    return None


def _fail_within(
    certificates: "Sequence[certconv.Certificate]", days: float, at: datetime, *, ok: bool = True, quiet: bool = False
) -> None:
    """--fail-within: one line per certificate expiring within ``days`` on stderr (not with -q), exit 3 if any."""
    try:
        found = certconv.expiring(certificates, within_days=days, at=at)
    except CertconvError as exc:
        _say(f"error: {printable(exc.message(flag))}", err=True)
        raise typer.Exit(2) from None
    if not quiet:
        _expiry_lines(found)
    if found or not ok:
        raise typer.Exit(3)


def _expiry_lines(found: "tuple[certconv.Expiry, ...]") -> None:
    """One line per certificate on stderr: stdout keeps the document a pipeline reads."""
    for item in found:
        _say(printable(item.message), err=True)


def _proxy_config() -> "certconv.ProxyConfig":
    """HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lowercase first): the CLI reads them, the library never does."""
    try:
        return certconv.ProxyConfig.from_environ(os.environ)
    except UsageError as exc:
        typer.echo(f"error: {exc.message(flag)}", err=True)
        raise typer.Exit(2) from None


def _say(text: str, *, err: bool = False, newline: bool = True, ansi: bool = False) -> None:
    """Write one piece of output through certconv.console: any encoding, a closed pipe, never a traceback."""
    failed = emit(text, sys.stderr if err else sys.stdout, newline=newline, ansi=ansi)
    # A reader that went away (`| head`) wanted no more; any other failure (a full disk) is worth a line.
    if failed is not None and failed.errno != errno.EPIPE and not err:
        emit(f"warning: the output could not be written ({failed.strerror or failed})", sys.stderr)


def _write_bytes(data: bytes) -> None:
    """Write a converted file to standard output: it is the result, so failing to is an error (exit 1)."""
    failed = emit_bytes(data, sys.stdout)
    if failed is None or failed.errno == errno.EPIPE:
        return  # written, or the reader took what it wanted (`| head -c 100`)
    _say(
        f"error: the converted file could not be written to standard output ({failed.strerror or failed}); "
        "what reached it, if anything, is incomplete",
        err=True,
    )
    raise typer.Exit(1)


def _encoding(stream: "typing.IO[str] | None" = None) -> str | None:
    """The encoding of stdout (or ``stream``) when it lacks characters (a Windows code page), else ``None``."""
    return stream_encoding(sys.stdout if stream is None else stream)


def _color() -> bool:
    """Colour only on a terminal that shows it: never with NO_COLOR set (https://no-color.org) or TERM=dumb.

    The library never reads the environment: the command decides here and passes ``color`` down.
    """
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    # sys.stdout is None when the shell closed it (`>&-`): no terminal, no colour.
    return sys.stdout is not None and sys.stdout.isatty()


def _stdin_is_terminal() -> bool:
    """Whether a person can answer a prompt (not a pipe, not CI)."""
    return sys.stdin is not None and sys.stdin.isatty()  # None: closed by the shell (`<&-`)


class _ProgressLine:
    """The library's progress (:func:`certconv.report_progress`) as one line on a terminal's stderr.

    Drawn only once the call has run for :attr:`AFTER` seconds (short runs show nothing),
    redrawn at most every :attr:`EVERY` seconds, cleared when the call ends, before
    anything else is printed. ASCII only, so every console code page can show it.
    """

    AFTER = 2.0
    EVERY = 0.2

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._drawn = 0.0
        self._width = 0
        self._inputs: certconv.Progress | None = None

    def update(self, progress: "certconv.Progress") -> None:
        if progress.stage is certconv.ProgressStage.INPUTS:
            self._inputs = progress
        now = self._clock()
        if now - self._start < self.AFTER or now - self._drawn < self.EVERY:
            return
        self._drawn = now
        # The current stage; with split --each, after the count of inputs.
        outer = self._inputs
        shown = [outer] if outer is not None and outer is not progress else []
        parts = [_progress_text(p) for p in (*shown, progress)]
        self._write("certconv: " + ", ".join(parts))

    def clear(self) -> None:
        if self._width:
            self._write("")

    def _write(self, text: str) -> None:
        text = text[:79]
        padding = " " * max(self._width - len(text), 0)
        try:
            sys.stderr.write(f"\r{text}{padding}\r" if not text else f"\r{text}{padding}")
            sys.stderr.flush()
        except (OSError, ValueError):
            return
        self._width = len(text)


def _progress_text(progress: "certconv.Progress") -> str:
    if progress.total:
        return f"{progress.stage.value} {progress.done:,}/{progress.total:,}"
    return f"{progress.stage.value} {progress.done:,}"


def _with_progress(call: Callable[[], T], shown: bool) -> T:
    """``call()``, its progress drawn on stderr when ``shown`` and stderr is a terminal."""
    if not shown or not _stderr_is_terminal():
        return call()
    line = _ProgressLine()
    try:
        with certconv.report_progress(line.update):
            return call()
    finally:
        line.clear()


def _stderr_is_terminal() -> bool:
    """Whether stderr is a terminal a person watches (not a pipe, a file or CI's log)."""
    return sys.stderr.isatty()


def _run(
    call: Callable[[str | bytes | None], T],
    password: str | bytes | None,
    *,
    may_prompt: bool,
    progress: bool = False,
) -> T:
    """Make the library call; ask for a PKCS#12 password once if one is needed and we can ask.

    ``progress``: draw the library's progress on stderr when it is a terminal and the call
    takes more than a couple of seconds (never with ``-q`` or ``--json``: callers pass ``False``).
    """
    try:
        try:
            return _with_progress(lambda: call(password), progress)
        except PasswordRequiredError:
            if password is not None or not may_prompt or not _stdin_is_terminal():
                raise
            import getpass

            secret = getpass.getpass("PKCS#12 password: ")
            return _with_progress(lambda: call(secret), progress)
    except CertconvError as exc:
        _notes(tuple(getattr(exc, "__notes__", ())))  # e.g. an interrupted run undone before this refusal
        # Messages quote file names, names from certificates, URLs and OpenSSL's words: one printable line.
        _say(f"error: {printable(exc.message(flag))}", err=True)
        raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
    except KeyboardInterrupt:
        _say("error: interrupted; nothing was written", err=True)
        raise typer.Exit(130) from None
