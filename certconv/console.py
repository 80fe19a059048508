"""Writing certconv's text to a console: the layer the ``certconv`` command prints through.

A script that shows certconv's renderings (:func:`certconv.render_split`,
``Inspection.render``...) to a person can use the same functions the
command does, so names from certificates cannot put control characters on a
terminal and a Windows code page gets ASCII stand-ins, not a
``UnicodeEncodeError``:

>>> from certconv.console import printable
>>> printable("CN=evil\\x1b[2J")
'CN=evil\\\\x1b[2J'
"""

from __future__ import annotations

from .base._console import emit, emit_bytes, json_text, prepare_stream, printable, stream_encoding

__all__ = ["emit", "emit_bytes", "json_text", "prepare_stream", "printable", "stream_encoding"]

# This module is the public home of these functions: help() and tracebacks name it.
for _function in (emit, emit_bytes, json_text, prepare_stream, printable, stream_encoding):
    _function.__module__ = __name__
