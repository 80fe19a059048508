"""The JSON Schema of each ``--json`` document, shipped in the package (``certconv/schemas/``).

Every command's ``--json`` output is one JSON object with ``schema`` (its version,
raised only on incompatible changes) and ``tool`` (``certconv X.Y.Z``); the schema
files say the rest, in JSON Schema draft 2020-12, each file complete in itself.
The test suite validates every command's output against its file (docs/json.md).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..base._errors import UsageError
from ..base._face import publish

__all__ = ["JSON_DOCUMENTS", "json_schema"]

JSON_DOCUMENTS = ("split", "split-each", "convert", "inspect", "verify", "fetch", "create")
"""The documents that have a schema: one per command's ``--json`` (``split-each`` is ``split --each --json``).

``split`` also describes the ``manifest.json`` that ``split`` and ``fetch --out`` write.
"""


def json_schema(document: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one ``--json`` document, e.g. ``json_schema("inspect")``.

    The same text is ``certconv/schemas/<document>.schema.json`` in the installed
    package, for tools that read files (``importlib.resources.files("certconv") /
    "schemas"``).

    Raises:
        UsageError: ``document`` is not one of :data:`JSON_DOCUMENTS`.
    """
    if document not in JSON_DOCUMENTS:
        raise UsageError(f"no JSON document {document!r}: there are {', '.join(JSON_DOCUMENTS)}")
    text = resources.files("certconv").joinpath("schemas", f"{document}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


publish(globals())
