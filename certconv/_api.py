"""The two calls most scripts need: :func:`load` and :func:`split` (read → chain → write)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from os import PathLike

from ._chain import build_bundle
from ._errors import InputError
from ._model import Bundle, Manifest
from ._read import DEFAULT_MAX_INPUT_SIZE, Source, read_file, read_source
from ._write import write_split

__all__ = ["InputLike", "load", "split"]

InputLike = str | PathLike[str] | bytes | Source
"""A path, raw bytes (named ``<bytes>``), or a named :class:`Source`."""


def load(
    inputs: InputLike | Sequence[InputLike],
    *,
    password: str | bytes | None = None,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
) -> Bundle:
    """Read one or more inputs and classify and chain every certificate in them.

    Args:
        inputs: A path, bytes, a :class:`Source`, or a sequence of them (merged
            into one bundle). The format is detected from the content.
        password: Password of PKCS#12 files and encrypted keys. ``None`` tries
            no password, then the empty one.
        at: When validity is judged (``expired``/``not-yet-valid`` warnings);
            default now.
        max_input_size: Inputs larger than this many bytes are refused unread.

    Returns:
        The :class:`Bundle`.

    Raises:
        CertconvError: a subclass saying what is wrong with which input.
    """
    if isinstance(password, str):
        password = password.encode("utf-8")
    items: Sequence[InputLike]
    items = [inputs] if isinstance(inputs, str | bytes | Source | PathLike) else list(inputs)
    if not items:
        raise InputError("no input given")
    results = [read_source(_to_source(item, max_input_size), password=password) for item in items]
    return build_bundle(results, at=at)


def _to_source(item: InputLike, max_input_size: int) -> Source:
    if isinstance(item, Source):
        source = item
    elif isinstance(item, bytes):
        source = Source("<bytes>", item)
    else:
        return read_file(item, max_input_size=max_input_size)
    if len(source.data) > max_input_size:
        from ._errors import InputTooLargeError

        raise InputTooLargeError(
            f"is {len(source.data):,} bytes, over the {max_input_size:,}-byte input limit", path=source.name
        )
    return source


def split(
    inputs: InputLike | Sequence[InputLike],
    out: str | PathLike[str],
    *,
    password: str | bytes | None = None,
    format: str = "der",  # noqa: A002 - the word users know from --format
    force: bool = False,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
) -> Manifest:
    """Load ``inputs`` and write one ``.cer`` per certificate plus ``manifest.json`` to ``out``.

    Equivalent to ``write_split(load(inputs, ...), out, ...)``; see both for the
    arguments. Nothing is written when anything fails.
    """
    bundle = load(inputs, password=password, at=at, max_input_size=max_input_size)
    return write_split(bundle, out, format=format, force=force)
