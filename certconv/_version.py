"""The one place the version is written; pyproject.toml reads it from here (``[tool.setuptools.dynamic]``).

Kept as a literal rather than read from the installed metadata: ``importlib.metadata``
costs a small split tens of milliseconds of start-up (docs/performance.md).
"""

__version__ = "0.1.0"
