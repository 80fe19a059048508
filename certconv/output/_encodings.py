"""The forms of one certificate or one chain: ``der``, ``pem``, ``p7b``, ``fullchain``, ``chain``, ``keyvault``.

Also the choices every form makes the same way: which chain of the bundle
(:func:`leaf_path`), which private key belongs to a certificate (:func:`key_of`),
what a server sends (:func:`sent`). The PKCS#12 forms are in :mod:`certconv.output._pkcs12_write`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7

from ..base._enums import Form, Format
from ..base._errors import ConversionError, CorruptInputError, KeyMismatchError, Option, hint
from ..pki._model import Bundle, Certificate
from ..pki._x509 import checked_key, key_spki, public_key_spki
from ._conversion import Conversion

__all__ = [
    "KEY_VAULT_PEM_DOC",
    "key_of",
    "keyvault",
    "leaf_path",
    "note_left_out",
    "ordered",
    "p7b",
    "path_from",
    "pem_chain",
    "pem_key",
    "pfx_subject",
    "sent",
    "single",
]

# Microsoft, "Get started with Key Vault certificates", Formats of Import we support: a PEM file
# with the certificate and a PKCS#8, unencrypted key, and no other metadata in the file.
KEY_VAULT_PEM_DOC = (
    "https://learn.microsoft.com/azure/key-vault/certificates/certificate-scenarios#formats-of-import-we-support"
)
_PEM_KEY = "PKCS#8, AES-256-CBC (PBES2)"

# Key Vault exports (and so imports for certificates) RSA and EC keys only
# ("About Azure Key Vault certificates": exportable keys are allowed only with RSA and EC).
_KEY_VAULT_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)


def single(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool) -> Conversion:
    if len(bundle.certificates) != 1:
        raise ConversionError(
            f"input holds {len(bundle.certificates)} certificates and the {to} form writes one",
            hint=hint(
                "pick it with {}, or write them all with {} p7b or fullchain; split writes one file each",
                Option.SHA1,
                Option.TO,
            ),
        )
    cert = bundle.certificates[0]
    notes: list[str] = []
    if to is Form.DER:
        data = cert.der
        if bundle.private_keys:
            notes.append("the input's private key was not written (a DER certificate cannot hold one)")
        return Conversion(Form.DER, Format.DER, (cert,), False, None, tuple(notes), bundle, data)
    data = cert.pem
    encryption = None
    if include_key:
        key = key_of(bundle, cert)
        data += pem_key(key, secret)
        encryption = _PEM_KEY if secret else None
    elif bundle.private_keys:
        notes.append("the input's private key was not written (it is appended only on request)")
    return Conversion(Form.PEM, Format.PEM, (cert,), include_key, encryption, tuple(notes), bundle, data)


def p7b(bundle: Bundle, fmt: Format) -> Conversion:
    certs = ordered(bundle)
    for cert in certs:
        cert.refuse_rewrite("PKCS#7")
    encoding = serialization.Encoding.PEM if fmt is Format.PEM else serialization.Encoding.DER
    data = pkcs7.serialize_certificates([c.x509 for c in certs], encoding)
    # DER sorts a SET OF by encoding, so the file's order is not the chain's: report the real one.
    # Sorted here rather than read back from the file: OpenSSL's PKCS#7 parser refuses certificates
    # certconv read (ValueError) and re-warns about ones it already warned about (found by fuzzing).
    in_file = tuple(sorted(certs, key=lambda c: c.der))
    notes = ("the input's private key was not written (a PKCS#7 file cannot hold one)",) if bundle.private_keys else ()
    return Conversion(Form.P7B, fmt, in_file, False, None, notes, bundle, data)


def pem_chain(bundle: Bundle, to: Form, secret: bytes | None, *, include_key: bool, include_root: bool) -> Conversion:
    path = leaf_path(bundle, to)
    leaf = path[0]
    notes: list[str] = []
    # Servers send the leaf and the intermediates; the client has the root already.
    served = sent(path, include_root=include_root, notes=notes)
    certs = served if to is Form.FULLCHAIN else served[1:]
    if not certs:
        why = "is self-signed" if leaf.self_signed else "is issued directly by the root"
        raise ConversionError(
            f"'{leaf.common_name}' {why}: there is no intermediate certificate to write (convert to fullchain or pem)",
            hint=hint("or add {}", Option.INCLUDE_ROOT),
        )
    # An incomplete chain is written as far as it goes; the bundle's missing-issuer warning says so.
    data = b"".join(c.pem for c in certs)
    encryption = None
    if include_key:
        data += pem_key(key_of(bundle, leaf), secret)
        encryption = _PEM_KEY if secret else None
    elif bundle.private_keys and to is Form.FULLCHAIN:
        notes.append("the input's private key was not written (it is appended only on request)")
    return Conversion(to, Format.PEM, certs, include_key, encryption, tuple(notes), bundle, data)


def sent(path: Sequence[Certificate], *, include_root: bool, notes: list[str]) -> tuple[Certificate, ...]:
    """The leaf and its intermediates, and the root at the end when asked for and present."""
    leaf = path[0]
    certs = tuple(c for c in path if c is leaf or not c.self_signed)
    top = path[-1]
    if include_root:
        if top.self_signed and top is not leaf:
            certs += (top,)
        elif not top.self_signed:
            notes.append(
                f"root asked for, but the chain of '{leaf.common_name}' ends at '{top.common_name}', whose issuer "
                "is not in the input, so no root was written (add the root certificate as another input)"
            )
    return certs


def keyvault(bundle: Bundle, *, include_root: bool) -> Conversion:
    """The PEM Key Vault imports (:data:`KEY_VAULT_PEM_DOC`): PKCS#8 key, unencrypted, then the certificates."""
    path = leaf_path(bundle, Form.KEYVAULT)
    leaf = path[0]
    if not bundle.private_keys:
        raise ConversionError(
            f"the keyvault form needs the private key of '{leaf.common_name}': Key Vault imports a certificate "
            "with its key (add the key file, or the PFX that holds it, as another input)"
        )
    key = key_of(bundle, leaf)
    if not isinstance(key, _KEY_VAULT_KEY_TYPES):
        raise ConversionError(
            f"the private key of '{leaf.common_name}' is neither RSA nor EC, the key types Key Vault certificates hold"
        )
    notes: list[str] = []
    certs = sent(path, include_root=include_root, notes=notes)
    # Only PEM blocks, no "Bag Attributes" or other text: Key Vault refuses metadata in the file.
    data = pem_key(key, None) + b"".join(c.pem for c in certs)
    if not include_root and path[-1].self_signed and path[-1] is not leaf:
        notes.append(f"the root '{path[-1].common_name}' was left out (it is added only on request)")
    note_left_out(bundle, path, notes)
    encryption = "none: the key is unencrypted PKCS#8, as Key Vault's PEM import requires"
    return Conversion(Form.KEYVAULT, Format.PEM, certs, True, encryption, tuple(notes), bundle, data)


def note_left_out(bundle: Bundle, path: Sequence[Certificate], notes: list[str]) -> None:
    """Say how many certificates of the bundle are not in the chain ``path`` (and so not written)."""
    left_out = [c for c in bundle.certificates if c not in path]
    if left_out:
        notes.append(
            f"{len(left_out)} certificate{'s' if len(left_out) != 1 else ''} not in the chain of "
            f"'{path[0].common_name}' left out"
        )


def pem_key(key: PrivateKeyTypes, secret: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def ordered(bundle: Bundle) -> tuple[Certificate, ...]:
    """Every certificate once: each chain leaf first, then the rest in bundle order."""
    seen: dict[Certificate, None] = {}
    for chain in bundle.chains:
        seen.update(dict.fromkeys(chain.certificates))
    seen.update(dict.fromkeys(bundle.certificates))
    return tuple(seen)


def path_from(bundle: Bundle, cert: Certificate) -> tuple[Certificate, ...]:
    """``cert`` and its issuers found in the bundle, up to the top."""
    for chain in bundle.chains:
        if chain.leaf == cert:
            return chain.certificates
    path = [cert]
    while path[-1].issuer_sha1 is not None and len(path) <= len(bundle.certificates):
        issuer = bundle.by_sha1(path[-1].issuer_sha1)
        if issuer in path:
            break
        path.append(issuer)
    return tuple(path)


def leaf_path(bundle: Bundle, to: str) -> tuple[Certificate, ...]:
    """The one end-entity chain of the bundle (the one with the key, if several)."""
    chains = bundle.chains
    if len(chains) > 1:
        chains = tuple(c for c in chains if c.leaf.has_private_key) or chains
    if len(chains) == 1:
        return chains[0].certificates
    if not chains:
        raise ConversionError(
            f"input holds no end-entity certificate, only CA certificates: the {to} form needs the server's "
            "certificate (convert to p7b, or split the bundle, for CA certificates)"
        )
    names = ", ".join(f"'{c.leaf.common_name}'" for c in chains)
    raise ConversionError(
        f"input holds {len(chains)} end-entity certificates ({names}): convert one at a time, "
        "or give the private key of the one you want"
    )


def pfx_subject(bundle: Bundle) -> Certificate:
    """The certificate the PFX's key belongs to; refuses a key that fits another one."""
    keyed = [c for c in bundle.certificates if c.has_private_key]
    if bundle.chains:
        try:
            leaf = leaf_path(bundle, Form.PFX)[0]
        except ConversionError:
            if len(keyed) == 1:
                leaf = keyed[0]
            else:
                raise
        if not leaf.has_private_key:
            owner = f"it belongs to '{keyed[0].common_name}'" if keyed else "it belongs to no certificate of the input"
            raise KeyMismatchError(
                f"the private key does not match the leaf '{leaf.common_name}' ({owner}); give the key "
                f"that was made with this certificate's request"
            )
        return leaf
    if len(keyed) == 1:
        return keyed[0]
    if not keyed:
        raise KeyMismatchError(
            "the private key matches no certificate of the input; give the key that belongs to the certificate"
        )
    raise ConversionError(f"input holds private keys of {len(keyed)} certificates: convert one at a time")


def key_of(bundle: Bundle, cert: Certificate) -> PrivateKeyTypes:
    """The private key whose public half is ``cert``'s public key."""
    wanted = public_key_spki(cert.x509)
    if wanted is None:
        raise KeyMismatchError(
            f"the public key of '{cert.common_name}' is of a type or encoding certconv cannot read, "
            "so no private key can be matched to it"
        )
    for key in bundle.private_keys:
        if key_spki(key) == wanted:
            # Keys are read without cryptography's RSA consistency check (only their public half is
            # matched to certificates); one written out gets the full check.
            if not checked_key(key):
                raise CorruptInputError(
                    f"the private key of '{cert.common_name}' is damaged: its public half matches the certificate "
                    "but its private values are inconsistent (it would not sign); export the key again"
                )
            return key
    if bundle.private_keys:
        raise KeyMismatchError(
            f"the private key does not match '{cert.common_name}'; give the key that belongs to this certificate"
        )
    raise ConversionError(
        f"the input has no private key for '{cert.common_name}' to add "
        "(add the key file as another input, or the PFX that holds it)"
    )
