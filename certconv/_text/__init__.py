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
:mod:`certconv.network._tls`.)
"""
