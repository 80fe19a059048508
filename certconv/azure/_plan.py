"""Plan a split: which files, in which form, with which bytes, going where. Nothing is written.

:func:`split_options` checks the options of a split, once, before any input is
read; :func:`plan_split` (or :func:`build_plan`, given checked options) turns a
bundle into a :class:`SplitPlan`: every file's name and bytes, the manifest
(forms and destinations), the snippets and ``UPLOAD.md``. Writing it is
:func:`certconv.write_split`'s job; pure bytes and values here, no I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from ..base._enums import AzureTarget, Form, Format, SnippetLanguage, coerce
from ..base._errors import UsageError
from ..base._face import publish
from ..output._file_names import file_names
from ..output._java_truststore import java_truststore
from ..output._manifest import MANIFEST_NAME, BackendTls, Destination, Manifest, ManifestEntry, manifest_json
from ..pki._model import Bundle, Certificate, Role
from ..pki._x509 import read_extension
from ._facts import FACTS, SNIPPET_LANGUAGES, default_format, targets_of
from ._guide import UPLOAD_NAME, upload_guide
from ._snippets import render_snippets

__all__ = [
    "SplitOptions",
    "SplitPlan",
    "build_plan",
    "certificate_only_pfx",
    "encode",
    "plan_split",
    "server_name",
    "split_options",
]


@dataclass(frozen=True, slots=True)
class SplitOptions:
    """The options of a split, checked (:func:`split_options` makes them).

    Attributes:
        out: The output folder, as given.
        target: Where the files go.
        format: The encoding of the ``.cer`` files (the target's when none was asked for).
        emit: Snippet languages, each once, in the order asked.
    """

    out: str
    target: AzureTarget
    format: Format
    emit: tuple[SnippetLanguage, ...] = ()


def split_options(out: str | PathLike[str], target: str, format: str | None, emit: Sequence[str]) -> SplitOptions:  # noqa: A002
    """Check the options of a split, before any input is read: the one place they are checked.

    Takes what :func:`plan_split` takes (members or their values), as they came from the caller.

    Raises:
        UsageError: an empty ``out`` or one holding a NUL byte, an unknown ``format``,
            ``target`` or ``emit`` language, ``emit`` given as a string, or ``emit``
            with a target or format it cannot serve.
    """
    text = os.fspath(out)
    if not text:
        raise UsageError("the output folder name is empty")
    if "\0" in text:
        raise UsageError("the output path contains a NUL byte")
    chosen = coerce(AzureTarget, target, "target")
    if isinstance(emit, str):
        # A string is a sequence of letters: "bicep" would be five unknown languages.
        example = ", ".join(map(repr, SNIPPET_LANGUAGES[:2]))
        raise UsageError(f"emit takes a list of languages, e.g. [{example}], not the string {emit!r}")
    unknown = [str(lang) for lang in emit if lang not in SNIPPET_LANGUAGES]
    if unknown:
        raise UsageError(f"emit languages must be among {', '.join(SNIPPET_LANGUAGES)}, not {', '.join(unknown)}")
    langs = tuple(dict.fromkeys(SnippetLanguage(lang) for lang in emit))
    fmt = default_format(chosen) if format is None else coerce(Format, format, "format")
    if langs and AzureTarget.APIM not in targets_of(chosen):
        raise UsageError(f"snippets (emit) set APIM's CA certificates: use target apim or all, not {target}")
    if langs and fmt is not Format.DER:
        raise UsageError("snippets (emit) reference the DER .cer files: use format der")
    return SplitOptions(text, chosen, fmt, langs)


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """Everything a split will write, decided and rendered, not yet written.

    Attributes:
        options: The checked options the plan was made with.
        manifest: The manifest of the files: for each certificate file its form
            and destinations, the backend TLS settings, the documents.
        files: Every file's bytes by name, in the order they are written:
            certificate files, snippets, ``UPLOAD.md``, ``manifest.json`` (never in a repr).
    """

    options: SplitOptions
    manifest: Manifest
    files: Mapping[str, bytes] = field(repr=False)

    def __repr__(self) -> str:
        count = len(self.files)
        return f"<SplitPlan {self.options.out!r} {count} file{'s' if count != 1 else ''} target={self.options.target}>"

    @property
    def out(self) -> Path:
        """The folder the files are for."""
        return Path(self.options.out)

    @property
    def names(self) -> tuple[str, ...]:
        """Every file name, in writing order (``manifest.json`` last)."""
        return tuple(self.files)

    @property
    def snippets(self) -> dict[str, str]:
        """The text of each snippet file, by name (empty without ``emit``)."""
        return {name: self.files[name].decode("utf-8-sig") for name in self.manifest.documents if name != UPLOAD_NAME}

    @property
    def upload_guide(self) -> str:
        """The text of ``UPLOAD.md``."""
        return self.files[UPLOAD_NAME].decode("utf-8")


def plan_split(
    bundle: Bundle,
    out: str | PathLike[str],
    *,
    target: AzureTarget | str = AzureTarget.APIM,
    format: Format | str | None = None,  # noqa: A002 - the word users know from --format
    emit: Sequence[SnippetLanguage | str] = (),
) -> SplitPlan:
    """What a split of ``bundle`` into ``out`` would write, without writing anything.

    Args:
        bundle: What :func:`certconv.load` returned.
        out: The output folder the plan is for (named in the manifest; not touched).
        target: Where the files go (:data:`certconv.TARGETS`): ``apim`` (default),
            ``apim-v2``, ``apim-selfhosted``, ``appgw-v2``, ``appgw-v1`` or ``all``.
        format: ``der`` or ``pem`` for the ``.cer`` files; default: what the
            target uploads (``pem``, Base-64, for ``appgw-v2``/``appgw-v1``, else ``der``).
        emit: Snippet languages (a list of :class:`certconv.SnippetLanguage` or their
            values, :data:`certconv.SNIPPET_LANGUAGES`) that set APIM's CA certificates;
            needs target ``apim`` or ``all`` and DER files.

    Returns:
        The :class:`SplitPlan`; :func:`certconv.write_split` writes it.

    Raises:
        UsageError: see :func:`split_options`.
        TargetError: ``emit`` without CA certificates, or with more than 10.
    """
    return build_plan(bundle, split_options(out, target, format, emit))


def build_plan(bundle: Bundle, options: SplitOptions) -> SplitPlan:
    """:func:`plan_split` with options already checked by :func:`split_options`."""
    entries, data, backend_tls = _place(bundle, file_names(bundle.certificates), options.target, options.format)
    snippets = render_snippets(entries, options.emit) if options.emit else {}
    manifest = Manifest(
        out=options.out,
        format=options.format,
        entries=entries,
        bundle=bundle,
        target=options.target,
        documents=(UPLOAD_NAME, *snippets),
        backend_tls=backend_tls,
    )
    files = {**data, **snippets}
    files[UPLOAD_NAME] = upload_guide(manifest).encode("utf-8")
    files[MANIFEST_NAME] = manifest_json(manifest).encode("utf-8")
    return SplitPlan(options, manifest, files)


_Extra = tuple[str, Certificate, Form, list[Destination]]


def _place(
    bundle: Bundle, names: Mapping[Certificate, str], target: AzureTarget, fmt: Format
) -> tuple[tuple[ManifestEntry, ...], dict[str, bytes], tuple[BackendTls, ...]]:
    """The manifest entries, file bytes and backend settings of a split for ``target``.

    Every certificate gets a ``.cer`` in ``fmt`` (bundle order); a target adds the
    forms its Azure place takes (:data:`FACTS`) and a destination on each file it uses.
    """
    base: dict[Certificate, list[Destination]] = {c: [] for c in bundle.certificates}
    extra: list[_Extra] = []
    data: dict[str, bytes] = {names[c]: encode(c, fmt) for c in bundle.certificates}

    def add(cert: Certificate, part: AzureTarget, dest: Destination) -> None:
        """Record ``dest`` on the file of ``cert`` in the form ``part`` adds (the ``.cer`` when none)."""
        form = FACTS[part].form
        if form is None or (form is Form.PEM and fmt is Format.PEM):
            base[cert].append(dest)
            return
        for _file, other, kind, dests in extra:
            if other == cert and kind is form:
                dests.append(dest)
                return
        stem = names[cert].removesuffix(".cer")
        name = _unique(stem + ("-base64.cer" if form is Form.PEM else ".pfx"), data, cert)
        extra.append((name, cert, form, [dest]))
        data[name] = certificate_only_pfx(cert) if form is Form.PFX else encode(cert, Format.PEM)

    backend_tls: list[BackendTls] = []
    for part in targets_of(target):
        facts = FACTS[part]
        if part is AzureTarget.APIM:
            for cert in bundle.certificates:
                if cert.apim_store is not None:
                    add(cert, part, Destination(part, facts.place, facts.settings["ca"], store=cert.apim_store))
        elif part is AzureTarget.APIM_V2:
            for server, issuer in _servers(bundle):
                backend_tls.append(BackendTls(server, server_name(server), issuer.sha1 if issuer else None))
                add(server, part, Destination(part, facts.place, facts.settings["server"]))
                if issuer is not None:
                    add(issuer, part, Destination(part, facts.place, facts.settings["issuer"]))
        elif part is AzureTarget.APIM_SELFHOSTED:
            for cert in bundle.certificates:
                if cert.role is not Role.LEAF:
                    dest = Destination(part, facts.place, facts.settings["pfx"], trusted=cert.role is Role.ROOT)
                    add(cert, part, dest)
        else:  # App Gateway v2 trusts roots; v1 authenticates the backend's own certificate
            certs = bundle.roots if part is AzureTarget.APPGW_V2 else [s for s, _ in _servers(bundle)]
            for cert in certs:
                add(cert, part, Destination(part, facts.place, facts.settings["file"]))

    entries = [ManifestEntry(names[c], c, Form(fmt), tuple(base[c])) for c in bundle.certificates]
    entries += [ManifestEntry(file, cert, form, tuple(dests)) for file, cert, form, dests in extra]
    return tuple(entries), data, tuple(backend_tls)


def _unique(name: str, taken: Mapping[str, bytes], cert: Certificate) -> str:
    """``name``, or with the short thumbprint added when another file has it (ignoring case)."""
    if name.casefold() not in {t.casefold() for t in taken}:
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{cert.sha1[:8]}{dot}{suffix}"


def _servers(bundle: Bundle) -> list[tuple[Certificate, Certificate | None]]:
    """Each backend (end-entity) certificate and its issuer in the bundle (itself when self-signed)."""
    found: list[tuple[Certificate, Certificate | None]] = []
    for chain in bundle.chains:
        server = chain.leaf
        if server.self_signed:
            issuer: Certificate | None = server
        elif len(chain) > 1:
            issuer = chain.certificates[1]
        else:
            issuer = None
        if all(s != server for s, _ in found):
            found.append((server, issuer))
    return found


def server_name(cert: Certificate) -> str:
    """The name APIM v2 matches in ``serverX509Names``: the CN, else the first DNS name."""
    for attr in cert.x509.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        if isinstance(attr.value, str) and attr.value.strip():
            return attr.value.strip()
    san = read_extension(cert.x509, x509.SubjectAlternativeName)  # None also when extensions are unreadable
    if san is None:
        return cert.common_name
    dns = san.get_values_for_type(x509.DNSName)
    return dns[0] if dns else cert.common_name


def certificate_only_pfx(cert: Certificate) -> bytes:
    """A PKCS#12 holding only ``cert``, with an empty password (what the self-hosted gateway takes).

    The file has no private key; its integrity MAC uses the empty password, so
    ``openssl pkcs12 -passin pass:`` and Windows' import with an empty password
    open it, and its bag carries Java's trusted-certificate attribute, so
    ``keytool -list -storepass ''`` lists it as a ``trustedCertEntry``.
    """
    return java_truststore([cert], serialization.NoEncryption())


def encode(cert: Certificate, fmt: str) -> bytes:
    """The bytes of ``cert`` in ``fmt``: ``der`` or ``pem`` (Base-64 ``.cer``)."""
    if fmt == Format.PEM:
        return cert.pem
    return cert.der


publish(globals())
