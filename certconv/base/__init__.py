"""Stage 0, the base every other stage stands on: errors, enums, limits, argument checks, console text and dates.

Imports nothing else of certconv. The public names are re-exported by :mod:`certconv`
(and the console functions by :mod:`certconv.console`).
"""
