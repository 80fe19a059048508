"""The output layer: every text certconv shows a person, and the one way it reaches a console.

=====================  ==================================================================
module                 what it holds
=====================  ==================================================================
``_console``           escapes (:func:`printable`), display width, code-page fallbacks
                       (:func:`fit`), JSON escaping (:func:`json_text`), writing (:func:`emit`)
``_dates``             the one date format (:func:`iso_day`, :func:`iso_utc`): year 5 is ``0005``
``_split``             what ``certconv split`` prints (:func:`split_summary`)
``_convert``           what ``certconv convert`` prints (:func:`conversion_summary`)
``_inspect``           the tree ``certconv inspect`` prints (:func:`render_inspection`)
=====================  ==================================================================

Renderers return ``str`` and never print; only the CLI calls :func:`emit` and
:func:`prepare_stream`. The renderers are imported from their modules (not
from here), so that reading this package's primitives loads no renderer.
(``verify`` and ``fetch`` still render in :mod:`certconv._verify` and
:mod:`certconv._tls`.)
"""

# Re-exported with "as", so `from certconv._text import printable` keeps working.
from ._console import SYMBOLS as SYMBOLS
from ._console import emit as emit
from ._console import emit_bytes as emit_bytes
from ._console import fit as fit
from ._console import is_utf as is_utf
from ._console import json_text as json_text
from ._console import ljust as ljust
from ._console import prepare_stream as prepare_stream
from ._console import printable as printable
from ._console import shorten as shorten
from ._console import stream_encoding as stream_encoding
from ._console import width as width
from ._dates import iso_day as iso_day
from ._dates import iso_utc as iso_utc
