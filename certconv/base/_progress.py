"""Progress of long calls, reported to a callback the caller installs; the library never draws anything.

A call over thousands of certificates (or ``split_each`` over hundreds of
inputs) takes seconds. Inside ``with certconv.report_progress(callback):`` the
library calls ``callback(Progress(...))`` as it goes: at every stage's start,
every :data:`EVERY` items (every input of ``split_each``) and at its end. The ``certconv`` command draws it as a
line on standard error when that is a terminal; scripts may log it, or not
install anything (then reporting costs one context-variable lookup per stage).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from ._face import publish

__all__ = ["EVERY", "Progress", "ProgressStage", "Reporter", "report_progress", "reporter"]

EVERY = 250
"""Items between two reports of one stage."""


class ProgressStage(StrEnum):
    """What a long call is doing."""

    INPUTS = "inputs"
    """``split_each``: inputs handled."""
    READING = "reading"
    """Certificates read from one input."""
    CLASSIFYING = "classifying"
    """Certificates told apart (duplicates, self-signatures checked)."""
    CHAINING = "chaining"
    """Certificates linked to their issuers (signature checks)."""
    CHAINS = "choosing chains"
    """End-entity certificates whose chain is chosen."""
    VERIFYING = "verifying"
    """Certificates whose path is searched and judged (``verify``)."""
    WRITING = "writing"
    """Files written (``split``)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` items of ``stage`` (``total`` ``None`` when not known ahead)."""

    stage: ProgressStage
    done: int
    total: int | None


ProgressCallback = Callable[[Progress], None]

_CALLBACK: ContextVar[ProgressCallback | None] = ContextVar("certconv_progress", default=None)


@contextmanager
def report_progress(callback: ProgressCallback) -> Iterator[None]:
    """Report the progress of certconv calls made inside the block to ``callback``.

    The callback runs in the calling thread, between items: keep it quick, and do
    not call certconv from it. An exception it raises stops the call.
    """
    token = _CALLBACK.set(callback)
    try:
        yield
    finally:
        _CALLBACK.reset(token)


class Reporter:
    """Reports one stage: ``step()`` per item, :data:`EVERY` items apart; ``done()`` at its end."""

    __slots__ = ("_callback", "_count", "_every", "_stage", "_total")

    def __init__(self, callback: ProgressCallback, stage: ProgressStage, total: int | None, every: int) -> None:
        self._callback = callback
        self._stage = stage
        self._total = total
        self._every = every
        self._count = 0
        callback(Progress(stage, 0, total))

    def step(self, items: int = 1) -> None:
        before = self._count
        self._count += items
        if before // self._every != self._count // self._every:
            self._callback(Progress(self._stage, self._count, self._total))

    def done(self) -> None:
        self._callback(Progress(self._stage, self._count, self._total))


class _Silent:
    """What :func:`reporter` returns when nobody listens: two no-ops."""

    __slots__ = ()

    def step(self, items: int = 1) -> None:
        pass

    def done(self) -> None:
        pass


_SILENT = _Silent()


def reporter(stage: ProgressStage, total: int | None, *, every: int = EVERY) -> Reporter | _Silent:
    """A :class:`Reporter` for ``stage`` if a callback is installed (:func:`report_progress`), else a no-op."""
    callback = _CALLBACK.get()
    return _SILENT if callback is None else Reporter(callback, stage, total, every)


publish(globals())
