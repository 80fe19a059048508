"""The ``certconv`` command: options in, one library call, output.

Every command turns :class:`certconv.CertconvError` into ``error: <message>`` on
stderr and exit code 1; typer/click make usage errors exit 2.

=================  ==========================================================
module             what it holds
=================  ==========================================================
``_app``           the typer app and ``--version``
``_options``       option declarations more than one command takes, and how
                   each :class:`certconv.Option` a hint names is spelt (``FLAGS``)
``_io``            output, passwords, inputs, the library call and its errors
``_files``         ``split`` and ``convert``
``_create``        ``create``
``_checks``        ``inspect``, ``verify`` and ``fetch``
=================  ==========================================================

Every module imports certconv's public API only (tests/test_cli_surface.py).
"""

import sys

from certconv.console import prepare_stream

from . import _checks, _create, _files  # noqa: F401 - defining the commands registers them on app
from ._app import app
from ._options import FLAGS, flag

__all__ = ["FLAGS", "app", "flag", "main"]


def main() -> None:
    """Entry point of the ``certconv`` command."""
    # One short run whose objects live until it ends and form almost no reference
    # cycles: the cyclic collector's passes over tens of thousands of certificate
    # objects cost a quarter of a 10,000-certificate split and free next to nothing
    # (docs/performance.md). Only the command does this; the library leaves gc alone.
    import gc

    gc.disable()
    # Redirected on Windows, stdout and stderr use the ANSI code page (cp1252, cp936…): what it
    # lacks is written as ASCII or escapes, also by typer/click's own help and usage errors.
    prepare_stream(sys.stdout)
    prepare_stream(sys.stderr)
    app()
