"""Public trust stores for ``verify --ca public`` and ``--ca system``.

APIM in the classic tiers trusts the public roots of its Windows host besides
the uploaded CA certificates. certconv cannot read that store, so it offers two
stand-ins:

* ``public``: Mozilla's root program as packaged by ``certifi`` (an optional
  dependency: ``pip install 'certconv[public]'``). Microsoft's and Mozilla's
  root programs overlap in nearly every CA a public backend uses, but they are
  not the same list: treat a yes as "a public CA issued it", not as Windows'.
* ``system``: the machine's own store — on Windows the real ``ROOT`` store
  (``ssl.enum_certificates``), elsewhere OpenSSL's compiled-in bundle or the
  common distribution paths (Debian/Ubuntu, RHEL/Fedora, SUSE, Alpine, macOS).

Every certificate of a store is a trust anchor. Reading one is a local file read;
nothing is downloaded.
"""

from __future__ import annotations

import ssl
import sys
from pathlib import Path

from ..base._enums import TrustStore, values
from ..base._errors import InputError
from ..readers._read import Source

__all__ = ["STORES", "store_sources"]

STORES = values(TrustStore)
"""The names ``trust_store`` (``--ca``) takes for a store instead of files."""

_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # RHEL, Fedora, CentOS
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",  # SUSE
    "/etc/ssl/cert.pem",  # Alpine, macOS, BSDs
)


def store_sources(name: str) -> tuple[list[Source], str]:
    """The certificates of store ``name`` as sources to read, and a line saying what they are.

    Raises:
        InputError: certifi is not installed (``public``), or the machine has no store certconv can read.
    """
    if name == TrustStore.PUBLIC:
        return _public()
    return _system()


def _public() -> tuple[list[Source], str]:
    try:
        import certifi
    except ImportError:
        raise InputError(
            "the public roots come from the certifi package, which is not installed: pip install "
            "'certconv[public]' (or pip install certifi), or use the machine's store (ca system)",
            path="public",
        ) from None
    path = Path(certifi.where())
    version = getattr(certifi, "__version__", "?")
    return [Source(f"certifi {version}", path.read_bytes())], (
        f"Mozilla's public roots (certifi {version}), standing in for the Windows store APIM trusts"
    )


def _system() -> tuple[list[Source], str]:
    if sys.platform == "win32":  # pragma: no cover - the real Windows store
        ders = [der for der, encoding, _trust in ssl.enum_certificates("ROOT") if encoding == "x509_asn"]
        if ders:
            return [Source(f"windows-root-{n}", der) for n, der in enumerate(ders)], (
                "this machine's Windows ROOT store"
            )
    candidates = [ssl.get_default_verify_paths().openssl_cafile, *_BUNDLES]
    for candidate in candidates:
        path = Path(candidate)
        try:
            data = path.read_bytes() if path.is_file() else b""
        except OSError:
            continue
        if b"-----BEGIN" in data:
            return [Source(str(path), data)], f"this machine's store ({path})"
    raise InputError(
        "this machine has no certificate store certconv can read (looked for "
        f"{', '.join(dict.fromkeys(candidates))}); give the roots as files, or use the public roots (ca public)",
        path="system",
    )
