"""The calls most scripts need: :func:`load`, then :func:`split` = load → plan → write.

Data flows one way: reading and chaining (:mod:`certconv.readers._read`,
:mod:`certconv.bundle._chain`) make a :class:`Bundle`; the Azure planner
(:func:`certconv.azure._plan.build_plan`) turns it into a :class:`SplitPlan`
without writing; :func:`write_split` hands the plan's files to
:mod:`certconv.output._write`, which knows nothing of Azure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, overload

from .azure._checks import BUNDLE_CHECKS
from .azure._plan import SplitPlan, build_plan, plan_split, split_options
from .base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from .base._enums import AzureTarget, Format, SnippetLanguage
from .base._errors import InputError, Option, UsageError, hint
from .base._face import publish
from .bundle._chain import build_bundle
from .output._manifest import MANIFEST_NAME, Manifest
from .output._write import write_planned
from .pki._model import Bundle
from .readers._password import password_bytes
from .readers._read import DEFAULT_MAX_INPUT_SIZE, ReadResult, Source, key_only_error, read_file, read_source

if TYPE_CHECKING:
    from .network._proxy import ProxyConfig

__all__ = ["DEFAULT_TIMEOUT", "InputLike", "input_name", "load", "plan_split", "read_inputs", "split", "write_split"]

InputLike = str | PathLike[str] | bytes | Source
"""A path, raw bytes (named ``<bytes>``), or a named :class:`Source`."""


def load(
    inputs: InputLike | Sequence[InputLike],
    *,
    password: str | bytes | None = None,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    keys_alone: bool = False,
    proxy: ProxyConfig | None = None,
) -> Bundle:
    """Read one or more inputs and classify and chain every certificate in them.

    Args:
        inputs: A path, bytes, a :class:`Source`, or a sequence of them (merged
            into one bundle). The format is detected from the content.
        password: Password of PKCS#12 files and encrypted keys. ``None`` tries
            no password, then the empty one.
        at: When validity is judged (``expired``/``not-yet-valid`` warnings);
            default now.
        max_input_size: Inputs larger than this many bytes are refused unread.
        complete: Download missing issuers from the certificates' AIA
            caIssuers URLs (http/https); downloaded certificates have
            ``source="aia:<url>"``. Off by default: without it certconv never
            touches the network. Download problems are warnings, not errors.
        timeout: Seconds allowed per AIA download (with ``complete``); all
            downloads of the call share ``3 × timeout`` (see :func:`complete_bundle`).
        keys_alone: Accept inputs that hold only a private key (``backend.key``
            beside ``backend.crt``); otherwise such an input is an error.
        proxy: Proxies for the AIA downloads (:class:`ProxyConfig`); ``None``
            connects directly. certconv never reads ``HTTPS_PROXY`` itself.

    Returns:
        The :class:`Bundle`.

    Raises:
        UsageError: ``timeout`` is not a number of seconds from 0 to an hour, or
            ``at`` is outside the dates certconv can compare.
        CertconvError: a subclass saying what is wrong with which input.
    """
    timeout = check_timeout(timeout)
    at = check_moment(at)
    password = password_bytes(password)  # before any input is read: a NUL or a huge password is refused
    items: Sequence[InputLike]
    items = [inputs] if isinstance(inputs, str | bytes | Source | PathLike) else list(inputs)
    if not items:
        raise InputError("no input given")
    results = read_inputs(items, password=password, max_input_size=max_input_size, keys_alone=keys_alone)
    if not any(r.certificates for r in results):
        raise key_only_error(results)
    if complete:
        # Imported here: the network code stays out of `import certconv`.
        from .network._aia import complete_bundle

        return complete_bundle(results, at=at, timeout=timeout, proxy=proxy, checks=BUNDLE_CHECKS)
    return build_bundle(results, at=at, checks=BUNDLE_CHECKS)


def read_inputs(
    items: Sequence[InputLike], *, password: bytes | None, max_input_size: int, keys_alone: bool = False
) -> list[ReadResult]:
    """Read each input once (a PKCS#12 file is decrypted once), in the order given."""
    return [read_source(_to_source(item, max_input_size), password=password, keys_alone=keys_alone) for item in items]


def input_name(item: InputLike) -> str:
    """The name messages and results give an input: its path, its :class:`Source` name, or ``<bytes>``."""
    if isinstance(item, Source):
        return item.name
    if isinstance(item, bytes):
        return "<bytes>"
    return str(item)


def _to_source(item: InputLike, max_input_size: int) -> Source:
    if isinstance(item, Source):
        source = item
    elif isinstance(item, bytes):
        source = Source("<bytes>", item)
    else:
        return read_file(item, max_input_size=max_input_size)
    if len(source.data) > max_input_size:
        from .base._errors import InputTooLargeError

        raise InputTooLargeError(
            # Standard input is read only one byte past the limit: its real size is unknown.
            f"is over the {max_input_size:,}-byte input limit",
            path=source.name,
            hint=hint("raise it with {}", Option.MAX_INPUT_SIZE),
        )
    return source


def split(
    inputs: InputLike | Sequence[InputLike],
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
) -> Manifest:
    """Load ``inputs`` and write one ``.cer`` per certificate, ``UPLOAD.md`` and ``manifest.json`` to ``out``.

    ``target`` picks the Azure place the files are for (an :class:`AzureTarget`:
    ``apim``, ``apim-v2``, ``apim-selfhosted``, ``appgw-v2``, ``appgw-v1`` or ``all``)
    and ``emit`` the list of snippet languages to write (:class:`SnippetLanguage`:
    ``bicep``, ``arm``, ``terraform``, ``powershell``, ``azcli``, ``rest``).

    ``write_split(plan_split(load(inputs, ...), out, ...), force=force)``, with the
    options checked before any input is read; see those three for the arguments.
    Nothing is written when anything fails.
    """
    options = split_options(out, target, format, emit)  # before reading or prompting
    bundle = load(
        inputs,
        password=password,
        at=at,
        max_input_size=max_input_size,
        complete=complete,
        timeout=timeout,
        proxy=proxy,
    )
    return write_split(build_plan(bundle, options), force=force)


@overload
def write_split(plan: SplitPlan, *, force: bool = False) -> Manifest: ...


@overload
def write_split(
    plan: Bundle,
    out: str | PathLike[str],
    *,
    format: Format | str | None = None,
    force: bool = False,
    target: AzureTarget | str = AzureTarget.APIM,
    emit: Sequence[SnippetLanguage | str] = (),
) -> Manifest: ...


def write_split(
    plan: SplitPlan | Bundle,
    out: str | PathLike[str] | None = None,
    *,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    force: bool = False,
    target: AzureTarget | str = AzureTarget.APIM,
    emit: Sequence[SnippetLanguage | str] = (),
) -> Manifest:
    """Write the files of a :class:`SplitPlan` into its folder: all of them, or none.

    ``write_split(bundle, out, target=..., format=..., emit=..., force=...)``, the
    form of certconv 0.x, still works: it plans (:func:`plan_split`) and writes.

    Args:
        plan: What :func:`plan_split` returned (or a :class:`Bundle`, with ``out``).
        out: Only with a bundle: the output folder.
        format: Only with a bundle: as for :func:`plan_split`.
        target: Only with a bundle: as for :func:`plan_split`.
        emit: Only with a bundle: as for :func:`plan_split`.
        force: Replace files that exist already.

    Returns:
        The :class:`Manifest` of what was written (the plan's); its ``notes`` say
        what was cleaned up after an interrupted earlier run on the folder.

    Raises:
        UsageError: options given with a plan, or a bundle without ``out``
            (and, with a bundle, what :func:`plan_split` raises).
        OutputExistsError: A file exists and ``force`` is false. Nothing is written.
        OutputBusyError: Another run is writing into the folder. Nothing is written.
        UnsafeOutputError: the folder is not usable. Nothing is written.
        OutputError: The system refused a step (a file held open by another
            program for 2 s, a full disk); what was done is undone.
    """
    if isinstance(plan, Bundle):
        if out is None:
            raise UsageError("write_split of a bundle needs the output folder (out), or give it a plan_split() plan")
        plan = plan_split(plan, out, format=format, target=target, emit=emit)
    elif out is not None or format is not None or target != AzureTarget.APIM or emit:
        raise UsageError("a plan carries its folder and options: write_split(plan, force=...) takes nothing else")
    notes = write_planned(plan.options.out, plan.files, force=force, last=MANIFEST_NAME)
    return dataclasses.replace(plan.manifest, notes=notes) if notes else plan.manifest


publish(globals())
