"""Many bundles in one run: ``split --each`` writes ``OUT/<safe name of the input>/`` for each input.

Migrations and audits come as folders of hundreds of PFX files, and a Python
process costs more to start than OpenSSL does for one small file; one run over
all of them pays that once. Each input is its own bundle and its own
all-or-nothing write (the same files, ``manifest.json`` and ``UPLOAD.md`` as a
single :func:`certconv.split`); a failed input is reported and the others are
still written. Inputs are handled one at a time and only a small summary of
each is kept, so memory stays flat in the number of inputs.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._api import InputLike, input_name, load, write_split
from ._version import __version__
from .azure._plan import build_plan, split_options
from .base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from .base._console import json_text
from .base._enums import AzureTarget, Format, SnippetLanguage
from .base._errors import CertconvError, Option, UnsafeOutputError, hint
from .base._face import publish
from .base._progress import ProgressStage, reporter
from .output._file_names import slug
from .readers._read import DEFAULT_MAX_INPUT_SIZE

if TYPE_CHECKING:
    from .network._proxy import ProxyConfig

__all__ = ["EACH_SCHEMA", "EachResult", "each_json", "folder_names", "split_each"]

EACH_SCHEMA = 1
"""Version of the ``certconv split --each --json`` document (certconv/schemas/split-each.schema.json)."""


@dataclass(frozen=True, slots=True)
class EachResult:
    """What became of one input of :func:`split_each`.

    Attributes:
        input: The input's name (its path, or the :class:`Source` name).
        out: The folder written for it (``OUT/<safe name>``), whether or not it succeeded.
        roles: The roles of the certificates written, in manifest order (empty on failure).
        files: The file names written in ``out`` (empty on failure).
        warnings: How many warnings its manifest holds.
        error: Why nothing was written for it; ``None`` on success.
    """

    input: str
    out: Path
    roles: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    warnings: int = 0
    error: CertconvError | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """The input's folder was written."""
        return self.error is None

    @property
    def summary(self) -> str:
        """One line: the input, its folder, and what is in it or why nothing is (hints in the library's words)."""
        return self.line()

    def line(self, spell: Callable[[Option], str] | None = None) -> str:
        """:attr:`summary` with the options of a hint spelt by ``spell`` (the CLI passes its flags)."""
        if self.error is not None:
            error = self.error
            # The error names its input when it is about the input; else (its folder) the folder too.
            what = error.message(spell)
            if error.path == self.input:
                what = f"{error.detail} ({error.hint.words(spell)})" if error.hint else error.detail
            return f"FAIL  {self.input}: {what}"
        count = len(self.roles)
        roles = ", ".join(self.roles)
        extra = f", {self.warnings} warning{'s' if self.warnings != 1 else ''}" if self.warnings else ""
        return f"OK    {self.input} → {self.out}: {count} certificate{'s' if count != 1 else ''} ({roles}){extra}"

    def to_dict(self) -> dict[str, Any]:
        """The result as ``split --each --json`` prints it."""
        return {
            "input": self.input,
            "out": str(self.out),
            "ok": self.ok,
            "roles": list(self.roles),
            "files": list(self.files),
            "warnings": self.warnings,
            "error": str(self.error) if self.error is not None else None,
        }


def each_json(results: Sequence[EachResult], out: str | PathLike[str]) -> str:
    """What ``split --each --json`` prints: one object with ``schema``, ``tool``, ``out``, ``ok`` and ``results``.

    ``results`` holds :meth:`EachResult.to_dict` of each input in the order given;
    ``ok`` is true when every input was written (the command then exits 0).
    """
    document = {
        "schema": EACH_SCHEMA,
        "tool": f"certconv {__version__}",
        "out": str(out),
        "ok": all(r.ok for r in results),
        "results": [r.to_dict() for r in results],
    }
    # C1 and bidi controls in input names and messages as \uXXXX, as in every certconv document.
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def folder_names(inputs: Sequence[InputLike]) -> list[str]:
    """The folder of each input: its file name without the extension, made safe; ``-2``, ``-3``… on a clash.

    ``contoso.pfx`` → ``contoso``; ``a/backend.pfx`` and ``b/backend.pfx`` → ``backend``, ``backend-2``.
    Folder names are compared without regard to case, as Windows and macOS do.
    """
    names: list[str] = []
    taken: set[str] = set()
    for item in inputs:
        stem = slug(Path(input_name(item)).stem or "input")
        name = stem
        number = 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name.casefold())
        names.append(name)
    return names


def split_each(
    inputs: Sequence[InputLike],
    out: str | PathLike[str],
    *,
    password: str | bytes | None = None,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    force: bool = False,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    target: AzureTarget | str = AzureTarget.APIM,
    emit: Sequence[SnippetLanguage | str] = (),
    proxy: ProxyConfig | None = None,
) -> tuple[EachResult, ...]:
    """Split each input on its own into ``out/<safe name of the input>/`` (see :func:`folder_names`).

    The arguments are those of :func:`certconv.split`, checked once before any
    input is read. Each input is all-or-nothing: a :class:`CertconvError` (wrong
    password, not a bundle, a file that exists without ``force``…) is recorded in
    its :class:`EachResult` and the next input is handled.

    Returns:
        One :class:`EachResult` per input, in input order.

    Raises:
        UsageError: an option is wrong (before anything is read or written).
        InputError: ``inputs`` is empty.
    """
    from .base._errors import InputError

    options = split_options(out, target, format, emit)
    timeout = check_timeout(timeout)
    at = check_moment(at)
    items = list(inputs)
    if not items:
        raise InputError("no input given")
    results: list[EachResult] = []
    progress = reporter(ProgressStage.INPUTS, len(items), every=1)
    for item, folder in zip(items, folder_names(items), strict=True):
        progress.step()
        where = Path(out) / folder
        try:
            _refuse_link(where)
            bundle = load(
                item,
                password=password,
                at=at,
                max_input_size=max_input_size,
                complete=complete,
                timeout=timeout,
                proxy=proxy,
            )
            plan = build_plan(bundle, dataclasses.replace(options, out=str(where)))
            _refuse_link(where)  # checked again just before writing: the input may have taken a while
            manifest = write_split(plan, force=force)
        except CertconvError as exc:
            results.append(EachResult(input_name(item), where, error=exc))
            continue
        results.append(
            EachResult(
                input_name(item),
                where,
                roles=tuple(e.certificate.role.value for e in manifest.entries),
                files=(*(e.file for e in manifest.entries), *manifest.documents, "manifest.json"),
                warnings=len(manifest.bundle.warnings),
            )
        )
        del bundle, plan, manifest  # one input at a time: nothing of it outlives its summary
    progress.done()
    return tuple(results)


publish(globals())


def _refuse_link(where: Path) -> None:
    """A symbolic link at ``OUT/<name>`` is not followed: whoever planted it would choose where files go."""
    if os.path.islink(where):
        raise UnsafeOutputError(
            "is a symbolic link inside the output folder, and certconv does not follow one there "
            "(it could point anywhere); nothing was written for this input",
            path=str(where),
            hint=hint("remove the link, or choose another {}", Option.OUT),
        )
