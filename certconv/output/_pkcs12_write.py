"""The PKCS#12 forms: ``pfx`` (with a key, certificate-only, App Service's profile) and ``truststore``.

How each is protected (modern AES-256 and SHA-256, legacy 3DES and SHA-1, or
certificates in the clear for Java) is decided here, and said the same way in
every :class:`~certconv._convert.Conversion`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from ..base._enums import Form, Format, PfxProfile
from ..base._errors import ConversionError, NewPasswordRequiredError, Option, hint
from ..pki._model import Bundle, Certificate, Role
from ..pki._x509 import read_extension
from ._conversion import Conversion
from ._encodings import key_of, note_left_out, ordered, path_from, pfx_subject, sent
from ._java_truststore import alias_note, aliases, java_truststore, visible

__all__ = ["APP_SERVICE_DOC", "app_service_pfx", "certificate_only_pfx", "pfx", "truststore", "unprotected_pfx"]

# Microsoft, "Add and manage TLS/SSL certificates in Azure App Service", Private certificate
# requirements: a password-protected PFX encrypted with triple DES, a private key of at least
# 2048 bits, and every intermediate and the root of the chain.
APP_SERVICE_DOC = (
    "https://learn.microsoft.com/azure/app-service/configure-ssl-certificate#private-certificate-requirements"
)
_APP_SERVICE_MIN_RSA = 2048

# PBKDF2 rounds of a modern PFX: cryptography's BestAvailableEncryption uses the same,
# and Windows, OpenSSL 3 and Java read it. The MAC keeps OpenSSL's 2048 iterations.
_PBKDF2_ROUNDS = 20_000
# ``openssl pkcs12 -export -legacy`` and old Windows: 3DES for keys and certificates, SHA-1 MAC.
_LEGACY_ROUNDS = 2048

_MODERN = "AES-256-CBC (PBES2, PBKDF2-HMAC-SHA256, 20,000 rounds), SHA-256 MAC"
_LEGACY = "3DES (pbeWithSHA1And3-KeyTripleDES-CBC, 2,048 rounds), SHA-1 MAC"
_CLEAR_CERTS = "none: certificates in the clear, SHA-256 MAC over the empty password"

_PKCS12_KEY_TYPES = (
    rsa.RSAPrivateKey,
    dsa.DSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


def pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool, include_root: bool) -> Conversion:
    if not bundle.private_keys:
        return certificate_only_pfx(bundle, secret, legacy=legacy)
    leaf, key = _pfx_key(bundle)
    if not secret:
        raise NewPasswordRequiredError(
            "a PFX with a private key needs a password; an empty one does not protect the key",
            hint=hint("give one with {}", Option.NEW_PASSWORD),
        )
    notes: list[str] = []
    path = path_from(bundle, leaf)
    certs = sent(path, include_root=include_root, notes=notes)
    if not include_root and path[-1].self_signed and path[-1] is not leaf:
        notes.append(f"the root '{path[-1].common_name}' was left out (it is added only on request)")
    data = _serialize_pfx(leaf, key, certs[1:], _pkcs12_encryption(secret, legacy=legacy))
    note_left_out(bundle, path, notes)
    encryption = _LEGACY if legacy else _MODERN
    return Conversion(Form.PFX, Format.DER, certs, True, encryption, tuple(notes), bundle, data)


def unprotected_pfx(leaf: Certificate, intermediate: Certificate, key: PrivateKeyTypes) -> bytes:
    """A PFX of ``leaf``, its ``key`` and ``intermediate`` with no password (``create --no-password``).

    Key and certificates in the clear, the MAC over the empty password: what
    ``openssl pkcs12 -export -passout pass:`` writes, and what :func:`pfx` refuses
    without an explicit request. cryptography's PKCS#12 encryption takes no empty password.
    """
    if not isinstance(key, _PKCS12_KEY_TYPES):
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    ca = pkcs12.PKCS12Certificate(intermediate.x509, _friendly_name(intermediate))
    return pkcs12.serialize_key_and_certificates(
        _friendly_name(leaf), key, leaf.x509, [ca], serialization.NoEncryption()
    )


def app_service_pfx(bundle: Bundle, secret: bytes | None) -> Conversion:
    """What App Service requires (:data:`APP_SERVICE_DOC`): 3DES, a 2048-bit key, the chain up to its root."""
    if not bundle.private_keys:
        raise ConversionError(
            "the appservice profile needs the private key of the certificate: App Service takes a PFX with its key "
            "(add the key file, or the PFX that holds it, as another input)"
        )
    leaf, key = _pfx_key(bundle)
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < _APP_SERVICE_MIN_RSA:
        raise ConversionError(
            f"App Service requires a private key of at least {_APP_SERVICE_MIN_RSA} bits, and the key of "
            f"'{leaf.common_name}' has {key.key_size}: the certificate needs a new key ({APP_SERVICE_DOC})"
        )
    if not secret:
        raise NewPasswordRequiredError(
            "App Service requires a password-protected PFX", hint=hint("give a password with {}", Option.NEW_PASSWORD)
        )
    path = path_from(bundle, leaf)
    if not path[-1].self_signed:
        raise ConversionError(
            f"App Service requires every intermediate and the root in the PFX, and the chain of "
            f"'{leaf.common_name}' ends at '{path[-1].common_name}', whose issuer is not in the input: "
            f"add the missing certificates as more inputs ({APP_SERVICE_DOC})"
        )
    notes: list[str] = []
    if isinstance(key, ec.EllipticCurvePrivateKey):
        notes.append("App Service accepts EC keys, but its requirements page covers RSA only")
    if not _serves_tls(leaf):
        notes.append(
            f"'{leaf.common_name}' has no extended key usage for server authentication: App Service can hold it, "
            "but not bind it to a custom domain"
        )
    certs = sent(path, include_root=True, notes=notes)
    data = _serialize_pfx(leaf, key, certs[1:], _pkcs12_encryption(secret, legacy=True))
    note_left_out(bundle, path, notes)
    return Conversion(
        Form.PFX, Format.DER, certs, True, _LEGACY, tuple(notes), bundle, data, profile=PfxProfile.APPSERVICE
    )


def certificate_only_pfx(bundle: Bundle, secret: bytes | None, *, legacy: bool) -> Conversion:
    certs = ordered(bundle)
    encryption, described = _store_encryption(secret, legacy=legacy)
    # Java's trusted-certificate attribute on each bag, so keytool lists them; OpenSSL and Windows read it as before.
    data = java_truststore(certs, encryption)
    chosen = aliases(certs)
    notes: tuple[str, ...] = ("the input has no private key: this PFX holds certificates only",)
    notes += tuple(n for n in [alias_note(certs, chosen)] if n)
    return Conversion(Form.PFX, Format.DER, certs, False, described, notes, bundle, data, aliases=tuple(chosen))


def truststore(bundle: Bundle, secret: bytes | None, *, legacy: bool, include_leaf: bool) -> Conversion:
    certs = tuple(c for c in bundle.certificates if include_leaf or c.role is not Role.LEAF)
    if not certs:
        raise ConversionError(
            "input holds no CA certificate (root or intermediate) to trust: add the CA certificates as inputs",
            hint=hint("or add {} to trust the end-entity certificates themselves", Option.INCLUDE_LEAF),
        )
    encryption, described = _store_encryption(secret, legacy=legacy)
    notes: list[str] = []
    if not secret:
        notes.append(
            "the truststore password is empty (keytool -storepass '' and javax.net.ssl.trustStorePassword= open it); "
            "it holds public certificates only, give a new password for one"
        )
    leaves = [c for c in bundle.certificates if c not in certs]
    if leaves:
        notes.append(
            f"{len(leaves)} end-entity certificate{'s' if len(leaves) != 1 else ''} left out "
            "(Java trusts the CAs that issued them; they are added only on request)"
        )
    if bundle.private_keys:
        notes.append("the input's private key was not written (a truststore holds certificates only)")
    data = java_truststore(certs, encryption)
    chosen = aliases(certs)
    notes += [n for n in [alias_note(certs, chosen)] if n]
    return Conversion(
        Form.TRUSTSTORE, Format.DER, certs, False, described, tuple(notes), bundle, data, aliases=tuple(chosen)
    )


def _pfx_key(bundle: Bundle) -> tuple[Certificate, PrivateKeyTypes]:
    leaf = pfx_subject(bundle)
    key = key_of(bundle, leaf)
    if not isinstance(key, _PKCS12_KEY_TYPES):
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    return leaf, key


def _serialize_pfx(
    leaf: Certificate,
    key: PrivateKeyTypes,
    cas: Sequence[Certificate],
    encryption: serialization.KeySerializationEncryption,
) -> bytes:
    for cert in (leaf, *cas):
        cert.refuse_rewrite("PKCS#12")
    if not isinstance(key, _PKCS12_KEY_TYPES):  # _pfx_key checked; this narrows the type
        raise ConversionError(f"the private key of '{leaf.common_name}' is of a type PKCS#12 cannot hold")
    return pkcs12.serialize_key_and_certificates(
        _friendly_name(leaf),
        key,
        leaf.x509,
        [pkcs12.PKCS12Certificate(c.x509, _friendly_name(c)) for c in cas],
        encryption,
    )


def _store_encryption(secret: bytes | None, *, legacy: bool) -> tuple[serialization.KeySerializationEncryption, str]:
    """How a certificate-only PKCS#12 is protected, and how the summary says it."""
    if secret:
        return _pkcs12_encryption(secret, legacy=legacy), _LEGACY if legacy else _MODERN
    if legacy:
        raise ConversionError("legacy encryption needs a password", hint=hint("give one with {}", Option.NEW_PASSWORD))
    # What the APIM self-hosted gateway and Java take: no key, the empty password.
    return serialization.NoEncryption(), _CLEAR_CERTS


def _serves_tls(cert: Certificate) -> bool:
    """No extendedKeyUsage (any use), or one that lists serverAuth or anyExtendedKeyUsage."""
    eku = read_extension(cert.x509, x509.ExtendedKeyUsage)
    if eku is None:
        return True
    return ExtendedKeyUsageOID.SERVER_AUTH in eku or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in eku


def _pkcs12_encryption(secret: bytes, *, legacy: bool) -> serialization.KeySerializationEncryption:
    builder = serialization.PrivateFormat.PKCS12.encryption_builder()
    if legacy:
        builder = (
            builder.kdf_rounds(_LEGACY_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303 - old Windows Server reads nothing else
        )
    else:
        builder = (
            builder.kdf_rounds(_PBKDF2_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
        )
    return builder.build(secret)


def _friendly_name(cert: Certificate) -> bytes:
    # keytool -list prints it as the alias: visible characters only (see certconv._truststore.visible).
    return (visible(cert.friendly_name or cert.common_name) or cert.sha1[:8]).encode("utf-8")
