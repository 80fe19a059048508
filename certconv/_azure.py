"""Azure targets: which files ``split`` writes, in which form, and where each one goes.

Every target writes one ``.cer`` per certificate (so the manifest covers the
whole bundle); a target adds the forms its Azure place accepts and records a
:class:`Destination` on each file that is uploaded (or whose thumbprint is
entered) there:

========================  =============================================  ==================================
target                    what Azure takes                               files
========================  =============================================  ==================================
``apim``                  CA certificates, store Root / CertificateAuth.  DER ``.cer`` (the default output)
``apim-v2``               backend ``tls`` thumbprints (no CA upload)      ``.cer`` + ``backend_tls`` settings
``apim-selfhosted``       CA certificates as certificate-only PFX         ``.pfx``, empty password
``appgw-v2``              trusted root certificate, Base-64 ``.cer``       root as Base-64 ``.cer``
``appgw-v1``              authentication certificate = backend leaf        leaf as Base-64 ``.cer``
``all``                   all of the above
========================  =============================================  ==================================

Pure: bytes and value objects in, bytes and value objects out; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ._enums import AzureTarget, Form, Format, SnippetLanguage, coerce, values
from ._model import BackendTls, Bundle, Certificate, Destination, ManifestEntry, Role
from ._x509 import read_extension

__all__ = [
    "PLACES",
    "SINGLE_TARGETS",
    "SNIPPET_LANGUAGES",
    "TARGETS",
    "Plan",
    "default_format",
    "encode",
    "plan",
    "server_name",
    "targets_of",
]

TARGETS = values(AzureTarget)
"""What ``split(target=...)`` accepts (the values of :class:`AzureTarget`); ``all`` means every other one."""

SINGLE_TARGETS = tuple(t for t in AzureTarget if t is not AzureTarget.ALL)

SNIPPET_LANGUAGES = values(SnippetLanguage)
"""What ``split(emit=...)`` accepts (the values of :class:`SnippetLanguage`): APIM CA-certificate snippets."""

PLACES = {
    AzureTarget.APIM: "API Management → Security → Certificates → CA certificates",
    AzureTarget.APIM_V2: "API Management (v2 tier) → Backends → your backend → TLS settings",
    AzureTarget.APIM_SELFHOSTED: "API Management → Security → Certificates, then Self-hosted gateways → "
    "your gateway → Certificate authorities",
    AzureTarget.APPGW_V2: "Application Gateway (v2) → Backend settings → Trusted root certificate",
    AzureTarget.APPGW_V1: "Application Gateway (v1) → HTTP settings → Authentication certificate",
}
"""Where in the Azure portal each target's files go."""

_BASE64_TARGETS = (AzureTarget.APPGW_V2, AzureTarget.APPGW_V1)


def targets_of(target: str) -> tuple[AzureTarget, ...]:
    """The single targets ``target`` stands for (``all`` → every one).

    Raises:
        UsageError: ``target`` is not one of :data:`TARGETS`.
    """
    member = coerce(AzureTarget, target, "target")
    return SINGLE_TARGETS if member is AzureTarget.ALL else (member,)


def default_format(target: str) -> Format:
    """The ``.cer`` encoding a target wants when none is asked for: ``pem`` for App Gateway, else ``der``."""
    return Format.PEM if target in _BASE64_TARGETS else Format.DER


@dataclass(frozen=True, slots=True)
class Plan:
    """What a split writes for a target: manifest entries, their bytes, backend settings.

    Attributes:
        entries: One per certificate file, ``.cer`` files first (bundle order),
            then the files a target adds.
        data: The bytes of each entry's file, by file name.
        backend_tls: APIM v2 backend ``tls`` settings, one per backend certificate.
    """

    entries: tuple[ManifestEntry, ...]
    data: Mapping[str, bytes] = field(repr=False)
    backend_tls: tuple[BackendTls, ...] = ()


def plan(bundle: Bundle, names: Mapping[Certificate, str], *, target: str, format: str) -> Plan:  # noqa: A002
    """Decide the files of a split of ``bundle`` for ``target``.

    Args:
        bundle: The classified bundle.
        names: The ``.cer`` name of every certificate (:func:`certconv.file_names`).
        target: One of :data:`TARGETS`.
        format: ``der`` or ``pem``: the encoding of the ``.cer`` files.

    Raises:
        ValueError: unknown ``target`` or ``format``.
    """
    parts = targets_of(target)
    fmt = coerce(Format, format, "format")
    base: dict[Certificate, list[Destination]] = {c: [] for c in bundle.certificates}
    extra: list[tuple[str, Certificate, Form, list[Destination]]] = []
    data: dict[str, bytes] = {names[c]: encode(c, fmt) for c in bundle.certificates}

    def base64_copy(cert: Certificate, dest: Destination) -> None:
        """Record ``dest`` on the cert's Base-64 ``.cer`` (the ``.cer`` itself when it is Base-64)."""
        if fmt is Format.PEM:
            base[cert].append(dest)
            return
        for _file, other, form, dests in extra:
            if other == cert and form is Form.PEM:
                dests.append(dest)
                return
        name = _unique(names[cert].removesuffix(".cer") + "-base64.cer", data, cert)
        extra.append((name, cert, Form.PEM, [dest]))
        data[name] = encode(cert, Format.PEM)

    backend_tls: list[BackendTls] = []
    for part in parts:
        place = PLACES[part]
        if part is AzureTarget.APIM:
            for cert in bundle.certificates:
                if cert.apim_store is not None:
                    base[cert].append(
                        Destination(part, place, "properties.certificates[].encodedCertificate", store=cert.apim_store)
                    )
        elif part is AzureTarget.APIM_V2:
            for server, issuer in _servers(bundle):
                backend_tls.append(BackendTls(server, server_name(server), issuer.sha1 if issuer else None))
                base[server].append(Destination(part, place, "properties.tls.serverCertificateThumbprints[]"))
                if issuer is not None:
                    base[issuer].append(
                        Destination(part, place, "properties.tls.serverX509Names[].issuerCertificateThumbprint")
                    )
        elif part is AzureTarget.APIM_SELFHOSTED:
            for cert in bundle.certificates:
                if cert.role is Role.LEAF:
                    continue
                name = _unique(names[cert].removesuffix(".cer") + ".pfx", data, cert)
                dest = Destination(
                    part,
                    place,
                    "service/certificates properties.data; gateways/certificateAuthorities properties.isTrusted",
                    trusted=cert.role is Role.ROOT,
                )
                extra.append((name, cert, Form.PFX, [dest]))
                data[name] = certificate_only_pfx(cert)
        elif part is AzureTarget.APPGW_V2:
            for cert in bundle.roots:
                base64_copy(cert, Destination(part, place, "properties.trustedRootCertificates[].properties.data"))
        else:  # appgw-v1
            for server, _issuer in _servers(bundle):
                base64_copy(server, Destination(part, place, "properties.authenticationCertificates[].properties.data"))

    entries = [ManifestEntry(names[c], c, Form(fmt), tuple(base[c])) for c in bundle.certificates]
    entries += [ManifestEntry(file, cert, form, tuple(dests)) for file, cert, form, dests in extra]
    return Plan(tuple(entries), data, tuple(backend_tls))


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
    ``openssl pkcs12 -passin pass:`` and Windows' import with an empty password open it.
    """
    return pkcs12.serialize_key_and_certificates(
        cert.common_name.encode("utf-8"), None, cert.x509, None, serialization.NoEncryption()
    )


def encode(cert: Certificate, fmt: str) -> bytes:
    """The bytes of ``cert`` in ``fmt``: ``der`` or ``pem`` (Base-64 ``.cer``)."""
    if fmt == Format.PEM:
        return cert.x509.public_bytes(serialization.Encoding.PEM)
    return cert.der
