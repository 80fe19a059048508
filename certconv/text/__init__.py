"""Stage 8, text for people: what the commands print, rendered as ``str``, never printed here.

``_split`` (what ``certconv split`` prints), ``_conversion`` (what ``certconv convert``
prints), ``_inspect`` (the tree ``certconv inspect`` prints), ``_create`` (what
``certconv create`` prints). The primitives they write
with (escapes, widths, code-page fallbacks, dates) are :mod:`certconv.base`'s, reached
by scripts through :mod:`certconv.console`; only the CLI calls ``emit``.
"""
