"""``python -m certconv``: the same as the ``certconv`` command."""

from certconv.cli import main

main()
