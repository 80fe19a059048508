"""A new private chain for a backend: root CA, intermediate CA and the backend's certificate, in one call.

:func:`plan_chain` checks every option (host names first), then makes three
keys and three certificates and renders every file, writing nothing;
:func:`write_chain` writes the plan into its folder, all or nothing;
:func:`create_chain` does both. What APIM needs is exactly what a split of the
chain writes (the planner is :func:`certconv.plan_split`'s): the root and the
intermediate as DER ``.cer`` files (and the leaf's, kept for reference),
``UPLOAD.md`` and ``manifest.json``. Beside them go what the backend needs:

* ``<leaf>.pfx``: the backend's certificate, the intermediate and the key
  (convert's ``pfx`` form: AES-256, SHA-256 MAC; Windows, OpenSSL 3 and Java read it);
* ``<leaf>-fullchain.pem`` (leaf and intermediate), ``<leaf>-chain.pem`` (the
  intermediate alone) and ``<leaf>.key``: the same as PEM for nginx, Apache or
  ``openssl s_server``; the key is PKCS#8, encrypted with the password.

The CA keys are dropped unless ``keep_ca_keys`` (then written encrypted with the
same password), so nobody issues more certificates under the new root by accident.
Files holding a key are created with mode 0600, and where that does not keep
others out (Windows), a note says so, as convert's do.

The profile is what certconv's own ``strict`` policy, APIM, browsers, OpenSSL and
Java accept (RFC 5280, CA/Browser Forum Baseline Requirements §7.1.2): SHA-256
signatures, random 159-bit serial numbers, critical basicConstraints (path
length 0 on the intermediate) and keyUsage, subject and authority key
identifiers, serverAuth (or clientAuth) in the leaf's extended key usage and
both in the intermediate's.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from os import PathLike

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._api import load
from .azure._chain_plan import ChainOptions, ChainPlan
from .azure._plan import build_plan, split_options
from .base._args import check_moment
from .base._enums import KeyProfile, coerce
from .base._errors import NewPasswordRequiredError, Option, UsageError, hint
from .base._face import publish
from .output._conversion import KEY_MODE, unprotected_key_note
from .output._encodings import pem_key
from .output._manifest import MANIFEST_NAME
from .output._out_folder import restricts_to_owner
from .output._pkcs12_write import pfx, unprotected_pfx
from .output._write import write_planned
from .pki._model import Role
from .readers._password import password_bytes
from .readers._read import Source
from .trust._new_names import IPAddress, check_client_name, check_hosts, check_ips

__all__ = ["CA_DAYS", "DEFAULT_DAYS", "INTERMEDIATE_DAYS", "MAX_DAYS", "create_chain", "plan_chain", "write_chain"]

DEFAULT_DAYS = 397
"""Days the backend's certificate is valid by default: the CA/Browser Forum's limit for public ones (398) less one."""
MAX_DAYS = 825
"""Most days a leaf may be valid: Apple's platforms refuse longer TLS server certificates, private CAs' too."""
INTERMEDIATE_DAYS = 5 * 365 + 1
"""Days the intermediate CA is valid (five years)."""
CA_DAYS = 10 * 365 + 2
"""Days the root CA is valid (ten years)."""
_BACKDATE = timedelta(hours=1)  # a client whose clock is a little behind still finds the chain valid

_SOURCE = "<created>"  # the source every new certificate names in manifest.json

_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def create_chain(
    hosts: str | Sequence[str],
    out: str | PathLike[str],
    *,
    ips: Sequence[str | IPAddress] = (),
    client: str | None = None,
    key: KeyProfile | str = KeyProfile.EC_P256,
    days: int | None = None,
    new_password: str | bytes | None = None,
    no_password: bool = False,
    keep_ca_keys: bool = False,
    force: bool = False,
    at: datetime | None = None,
) -> ChainPlan:
    """Make a new private chain for a backend and write it into ``out``: every file, or none.

    ``write_chain(plan_chain(hosts, out, ...), force=force)``; see :func:`plan_chain`
    for the arguments and what is made.

    Returns:
        The written :class:`ChainPlan`; its ``notes`` say which key files other
        users may be able to read.

    Raises:
        UsageError: a host, address, client name, key or number of days certconv cannot use.
        NewPasswordRequiredError: no ``new_password`` and no ``no_password``.
        OutputError: see :func:`certconv.write_split`. Nothing is written.
    """
    plan = plan_chain(
        hosts,
        out,
        ips=ips,
        client=client,
        key=key,
        days=days,
        new_password=new_password,
        no_password=no_password,
        keep_ca_keys=keep_ca_keys,
        at=at,
    )
    return write_chain(plan, force=force)


def plan_chain(
    hosts: str | Sequence[str],
    out: str | PathLike[str],
    *,
    ips: Sequence[str | IPAddress] = (),
    client: str | None = None,
    key: KeyProfile | str = KeyProfile.EC_P256,
    days: int | None = None,
    new_password: str | bytes | None = None,
    no_password: bool = False,
    keep_ca_keys: bool = False,
    at: datetime | None = None,
) -> ChainPlan:
    """Make a new root CA, intermediate CA and leaf, and render every file, without writing anything.

    Every argument is checked before the first key is made.

    Args:
        hosts: The backend's DNS names (one or a list): each a DNS name or a
            wildcard of its whole left-most label (``*.api.example.com``), not on a
            public suffix; a U-label name is written as its A-label.
        out: The output folder the plan is for (not touched).
        ips: The backend's IP addresses, for its SAN beside ``hosts``.
        client: Make a client-authentication certificate with this common name
            instead of a server certificate (what APIM presents to a backend that
            asks for one); takes no ``hosts`` or ``ips``.
        key: The :class:`KeyProfile` of all three keys: ``ec-p256`` (default),
            ``rsa-2048`` or ``rsa-3072``.
        days: Days the leaf is valid, 1 to :data:`MAX_DAYS`; ``None``: :data:`DEFAULT_DAYS` (397).
        new_password: Protects the PFX, the PEM key and the CA keys.
        no_password: Write the PFX and the keys without a password (the PFX's
            MAC uses the empty one; Java does not read a key from such a PFX).
        keep_ca_keys: Also write the root's and the intermediate's keys
            (encrypted with ``new_password``), to issue more certificates later.
        at: When the chain starts being valid (an hour earlier, for slow clocks); default now.

    Returns:
        The :class:`ChainPlan`.

    Raises:
        UsageError: as :func:`create_chain` says, or ``no_password`` with
            ``new_password`` or ``keep_ca_keys``.
        NewPasswordRequiredError: no ``new_password`` (or an empty one) and no ``no_password``.
        PasswordError: a password PKCS#12 cannot take (a NUL, over 64 KiB).
    """
    options, secret = _options(
        hosts, out, ips, client, key, days, new_password, no_password=no_password, keep_ca_keys=keep_ca_keys, at=at
    )
    split = split_options(out, "apim", None, ())
    start = options.at - _BACKDATE
    profile = options.key
    label = _ca_label(options.label)
    root_key, ca_key, leaf_key = _new_key(profile), _new_key(profile), _new_key(profile)
    root_name = _name(f"{label} private root CA")
    root = _sign(
        _builder(root_name, root_name, root_key, start, CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False),
        root_key,
    )
    ca_name = _name(f"{label} private intermediate CA")
    intermediate = _sign(
        _issued(_builder(ca_name, root_name, ca_key, start, INTERMEDIATE_DAYS), ca_key, root_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        # CA/Browser Forum §7.1.2.10.6: a TLS subordinate CA names the usages it issues for.
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        ),
        root_key,
    )
    leaf = _sign(_leaf(options, ca_name, leaf_key, ca_key, start), ca_key)

    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (root, intermediate, leaf))
    bundle = load(Source(_SOURCE, chain_pem), at=options.at)
    split_plan = build_plan(bundle, split)
    by_role = {entry.certificate.role: entry for entry in split_plan.manifest.entries}

    keyed = load(Source(_SOURCE, chain_pem + pem_key(leaf_key, None)), at=options.at)
    if secret is not None:
        pfx_data = pfx(keyed, secret, legacy=False, include_root=False).data
    else:
        pfx_data = unprotected_pfx(by_role[Role.LEAF].certificate, by_role[Role.INTERMEDIATE].certificate, leaf_key)
    fullchain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, intermediate))

    stem = by_role[Role.LEAF].file.removesuffix(".cer")
    pfx_name, key_name = f"{stem}.pfx", f"{stem}.key"
    fullchain_name, chain_name = f"{stem}-fullchain.pem", f"{stem}-chain.pem"
    files = {name: data for name, data in split_plan.files.items() if name != MANIFEST_NAME}
    files[pfx_name] = pfx_data
    files[fullchain_name] = fullchain_pem
    files[chain_name] = intermediate.public_bytes(serialization.Encoding.PEM)
    files[key_name] = pem_key(leaf_key, secret)
    ca_key_files: tuple[str, ...] = ()
    if options.keep_ca_keys:
        ca_key_files = tuple(
            by_role[role].file.removesuffix(".cer") + ".key" for role in (Role.ROOT, Role.INTERMEDIATE)
        )
        files[ca_key_files[0]] = pem_key(root_key, secret)
        files[ca_key_files[1]] = pem_key(ca_key, secret)
    files[MANIFEST_NAME] = split_plan.files[MANIFEST_NAME]
    return ChainPlan(
        options=options,
        split=split_plan,
        root=by_role[Role.ROOT].certificate,
        intermediate=by_role[Role.INTERMEDIATE].certificate,
        leaf=by_role[Role.LEAF].certificate,
        pfx=pfx_name,
        fullchain=fullchain_name,
        chain=chain_name,
        key_file=key_name,
        ca_key_files=ca_key_files,
        files=files,
    )


def write_chain(plan: ChainPlan, *, force: bool = False) -> ChainPlan:
    """Write the files of a :class:`ChainPlan` into its folder: all of them, or none.

    Files holding a private key are created with mode 0600, the others 0644.

    Returns:
        The plan with ``written``, ``owner_only`` and ``notes`` (cleanup after an
        interrupted run on the folder; key files the platform could not restrict).

    Raises:
        UsageError: the plan was written already.
        OutputExistsError, OutputBusyError, UnsafeOutputError, OutputError: as for
            :func:`certconv.write_split`. Nothing is written.
    """
    if plan.written:
        raise UsageError("this chain was written already: plan a new one (a second copy of its keys helps nobody)")
    modes = {name: KEY_MODE for name in plan.key_files}
    notes = list(write_planned(plan.out, plan.files, force=force, last=MANIFEST_NAME, modes=modes))
    owner_only = all(restricts_to_owner(plan.out / name) for name in plan.key_files)
    if not owner_only:
        notes += [
            unprotected_key_note(os.path.join(plan.options.out, name), encrypted=plan.options.protected)
            for name in plan.key_files
        ]
    return dataclasses.replace(plan, written=True, owner_only=owner_only, notes=(*plan.notes, *notes))


# -- the options, checked before any key is made -----------------------------------------


def _options(
    hosts: str | Sequence[str],
    out: str | PathLike[str],
    ips: Sequence[str | IPAddress],
    client: str | None,
    key: KeyProfile | str,
    days: int | None,
    new_password: str | bytes | None,
    *,
    no_password: bool,
    keep_ca_keys: bool,
    at: datetime | None,
) -> tuple[ChainOptions, bytes | None]:
    split_options(out, "apim", None, ())  # the folder name, as a split checks it
    profile = coerce(KeyProfile, key, "key")
    days = DEFAULT_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise UsageError(
            f"days must be a whole number from 1 to {MAX_DAYS} (Apple's platforms refuse longer TLS certificates), "
            f"not {days!r}"
        )
    names = check_hosts(hosts)
    addresses = check_ips(ips)
    name = None
    if client is not None:
        name = check_client_name(client)
        if names or addresses:
            raise UsageError("a client certificate names no host or address: give either hosts or client, not both")
    elif not names and not addresses:
        raise UsageError("give the backend's host name (backend.example), an address, or a client name")
    secret = password_bytes(new_password, what="new password")
    if no_password:
        if secret is not None:
            raise UsageError("no_password and a new password contradict each other: give one of them")
        if keep_ca_keys:
            raise NewPasswordRequiredError(
                "the CA keys are kept only encrypted: whoever reads them can issue certificates the backend's "
                "clients trust",
                hint=hint("give a password with {}", Option.NEW_PASSWORD),
            )
    elif not secret:
        empty = "an empty password does not protect the key" if secret == b"" else "the new keys need a password"
        raise NewPasswordRequiredError(
            f"{empty} (the PFX, the PEM key{' and the CA keys' if keep_ca_keys else ''})",
            hint=hint("give one with {}, or write them unprotected with {}", Option.NEW_PASSWORD, Option.NO_PASSWORD),
        )
    moment = (check_moment(at) or datetime.now(UTC)).replace(microsecond=0)
    try:
        moment + timedelta(days=CA_DAYS) - _BACKDATE
    except OverflowError:
        raise UsageError(f"at {moment.isoformat()} leaves no room for a {CA_DAYS}-day root before year 9999") from None
    if moment.year < 2:
        raise UsageError(f"at {moment.isoformat()} is before the dates a certificate can hold")
    options = ChainOptions(
        out=os.fspath(out),
        hosts=names,
        ips=addresses,
        client=name,
        key=profile,
        days=days,
        at=moment,
        protected=not no_password,
        keep_ca_keys=keep_ca_keys,
    )
    return options, None if no_password else secret


# -- keys and certificates -----------------------------------------------------------------

_Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _new_key(profile: KeyProfile) -> _Key:
    if profile is KeyProfile.EC_P256:
        return ec.generate_private_key(ec.SECP256R1())
    bits = 3072 if profile is KeyProfile.RSA_3072 else 2048
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


_MAX_CN = 64  # RFC 5280 Appendix A, ub-common-name
_CA_SUFFIX = " private intermediate CA"


def _ca_label(label: str) -> str:
    """What the CAs' names start with: the leaf's first name, without a wildcard, short enough for a CN."""
    return label.removeprefix("*.")[: _MAX_CN - len(_CA_SUFFIX)].rstrip(".-")


def _leaf_subject(options: ChainOptions) -> tuple[x509.Name, bool]:
    """The leaf's subject and whether its SAN must be critical.

    The common name is the client name, or the first host name or address that fits
    in one (64 characters); a server whose names are all longer gets an empty subject,
    and then RFC 5280 §4.2.1.6 makes the SAN critical.
    """
    names = [options.client] if options.client else [*options.hosts, *map(str, options.ips)]
    for name in names:
        if name is not None and len(name) <= _MAX_CN:
            return _name(name), False
    return x509.Name([]), True


def _builder(subject: x509.Name, issuer: x509.Name, key: _Key, start: datetime, days: int) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())  # 159 random bits (CA/Browser Forum §7.1: at least 64)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
    )


def _issued(builder: x509.CertificateBuilder, key: _Key, issuer_key: _Key) -> x509.CertificateBuilder:
    """The key identifiers of a certificate ``issuer_key`` signs (RFC 5280 §4.2.1.1, §4.2.1.2)."""
    return builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
    ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)


def _leaf(
    options: ChainOptions, issuer: x509.Name, key: _Key, issuer_key: _Key, start: datetime
) -> x509.CertificateBuilder:
    client = options.client is not None
    # RSA keys encipher TLS 1.2 RSA key exchange on a server; ECDSA keys only sign (RFC 5480 §3).
    encipher = isinstance(key, rsa.RSAPrivateKey) and not client
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    eku = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    subject, san_critical = _leaf_subject(options)
    builder = _issued(_builder(subject, issuer, key, start, options.days), key, issuer_key)
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    )
    if client:
        return builder
    san: list[x509.GeneralName] = [x509.DNSName(h) for h in options.hosts]
    san += [x509.IPAddress(ip) for ip in options.ips]
    return builder.add_extension(x509.SubjectAlternativeName(san), critical=san_critical)


def _sign(builder: x509.CertificateBuilder, key: _Key) -> x509.Certificate:
    return builder.sign(key, hashes.SHA256())


publish(globals())
