"""Ask a TLS server for its certificate chain, exactly as it sends it.

The handshake is made with pyOpenSSL, without verification (the point is to see
chains nobody trusts yet), and pyOpenSSL is imported only when a connection is
made, so importing this module stays cheap. What the server sent becomes an
ordinary input named ``tls://host:port``: classification, chains and writing are
the same code as for files. :func:`certconv.network._served.diagnose` says what the order
and content of the served chain mean for a client such as Azure API Management.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..azure._checks import BUNDLE_CHECKS
from ..base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from ..base._errors import InputError, NetworkError, NetworkTimeoutError, NotTLSError, Option, hint
from ..base._face import publish
from ..bundle._chain import build_bundle
from ..readers._read import Source, read_source
from ._net import is_ip
from ._served import FetchResult, diagnose
from ._sockio import receive, send_all

if TYPE_CHECKING:
    import socket

    from OpenSSL import SSL

    from ._proxy import ProxyConfig

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Offer",
    "Session",
    "Target",
    "fetch",
    "handshake",
    "parse_target",
    "session_of",
]

DEFAULT_PORT = 443

# Labels of letters (any script), digits, "-" and "_", separated by dots.
_HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*")


@dataclass(frozen=True, slots=True)
class Target:
    """Where to connect and which server name to send.

    Attributes:
        host: Host name or IP address (IPv6 without brackets).
        port: TCP port.
        sni: Server Name Indication to send; ``None`` sends none (IP literals).
    """

    host: str
    port: int
    sni: str | None

    @property
    def name(self) -> str:
        """``tls://host:port``, IPv6 hosts in brackets: the input's name in bundles and manifests."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tls://{host}:{self.port}"


def parse_target(text: str, *, sni: str | None = None) -> Target:
    """Parse ``HOST``, ``HOST:PORT``, ``[IPv6]:PORT``, ``https://HOST[:PORT]/...`` or ``tls://HOST:PORT``.

    Args:
        text: What the user typed. The port defaults to 443.
        sni: Server name to send instead of the host. ``None`` (default) sends
            the host name, or nothing when the host is an IP address; ``""``
            sends nothing.

    Raises:
        InputError: The text is not a host and port certconv can connect to.
    """
    raw = text.strip()
    port_text: str | None = None
    if "://" in raw:
        scheme, _, rest = raw.partition("://")
        if scheme.lower() not in ("https", "tls"):
            raise InputError(
                f"{scheme}:// is not TLS; give HOST[:PORT] or https://HOST[:PORT]/ of the backend", path=text
            )
        authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if "@" in authority:
            raise InputError("user names in the URL are not used; give HOST[:PORT]", path=text)
        raw = authority
    if raw.startswith("["):
        match = re.fullmatch(r"\[([^\]]+)\](?::([^:]*))?", raw)
        if match is None:
            raise InputError("an IPv6 address in brackets must look like [2001:db8::1]:443", path=text)
        host, port_text = match.group(1), match.group(2)
        if not is_ip(host) or ":" not in host:
            raise InputError(f"{host!r} in brackets is not an IPv6 address", path=text)
    elif raw.count(":") > 1:
        host = raw
        if not is_ip(host):
            raise InputError("not a host name or address; write IPv6 with a port as [2001:db8::1]:443", path=text)
    else:
        host, _, port_text = raw.partition(":") if ":" in raw else (raw, "", None)
    host = host.rstrip(".") if not is_ip(host) else host
    if not host or not (is_ip(host) or _HOST_NAME.fullmatch(host)):
        raise InputError("not a host name or IP address", path=text)
    port = DEFAULT_PORT
    if port_text is not None:
        if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InputError(f"port {port_text!r} is not a number from 1 to 65535", path=text)
        port = int(port_text)
    default_name = None if is_ip(host) else host
    server_name = default_name if sni is None else (sni.strip().rstrip(".") or None)
    if server_name is not None:
        try:
            server_name.encode("idna")
        except UnicodeError:
            raise InputError(f"{server_name!r} cannot be sent as a server name (SNI)", path=text) from None
    return Target(host, port, server_name)


def fetch(
    target: str | Target,
    *,
    sni: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    complete: bool = False,
    at: datetime | None = None,
    proxy: ProxyConfig | None = None,
) -> FetchResult:
    """Connect to a TLS server and capture the certificate chain it sends, in its order.

    Nothing is verified (the point is to see chains nobody trusts yet). The
    served certificates are classified and chained as :func:`load` does, as one
    input named ``tls://host:port``; write them with :func:`write_split`. For
    the whole check APIM's side makes (trust with the uploaded CA certificates,
    TLS versions and cipher suites) use :func:`certconv.diagnose_backend`.

    Args:
        target: ``HOST``, ``HOST:PORT``, ``[IPv6]:PORT``, ``https://HOST[:PORT]/…``
            or ``tls://HOST:PORT``; the port defaults to 443.
        sni: Server name to send; default the host name (nothing for IP
            addresses); ``""`` sends none.
        timeout: Seconds for the name lookup, connecting and the whole
            handshake together: one deadline, whatever the server sends. With
            ``complete``, also the limit per AIA download; all downloads
            together get ``3 × timeout`` more (:func:`complete_bundle`), so a
            ``fetch`` with ``complete`` ends within ``4 × timeout``.
        complete: Also download missing issuers over AIA (see :func:`load`).
        at: When validity is judged; default now (a naive datetime is UTC).
        proxy: Proxies to go through (:class:`ProxyConfig`); ``None`` connects
            directly. The library never reads ``HTTPS_PROXY`` itself.

    Returns:
        A :class:`FetchResult`: the served certificates in order, the bundle,
        the negotiated protocol and cipher suite, and a verdict on the served chain.

    Raises:
        UsageError: ``timeout`` is not a number of seconds from 0 to an hour, or
            ``at`` is outside the dates certconv can compare.
        InputError: ``target`` is not a host and port.
        ConnectionFailedError, NetworkTimeoutError, NotTLSError, NetworkError:
            the server (or the proxy) could not be asked (see :mod:`certconv.base._errors`).
    """
    timeout = check_timeout(timeout)
    at = check_moment(at)
    where = target if isinstance(target, Target) else parse_target(target, sni=sni)
    session = session_of(where, timeout=timeout, proxy=proxy)
    served_x509 = session.chain
    pem = b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in served_x509)
    # The served certificates are an input like any file; its format says where they came from.
    result = replace(read_source(Source(where.name, pem)), format="TLS")
    if complete:
        from ._aia import complete_bundle

        bundle = complete_bundle([result], at=at, timeout=timeout, proxy=proxy, checks=BUNDLE_CHECKS)
    else:
        bundle = build_bundle([result], at=at, checks=BUNDLE_CHECKS)
    by_sha1 = {c.sha1: c for c in bundle.certificates}
    served = tuple(
        by_sha1[hashlib.sha1(c.public_bytes(serialization.Encoding.DER)).hexdigest().upper()]  # noqa: S324
        for c in served_x509
    )
    verdict, message = diagnose(served, bundle)
    return FetchResult(
        where.name, where.sni, served, bundle, verdict, message, protocol=session.protocol, cipher=session.cipher
    )


@dataclass(frozen=True, slots=True)
class Session:
    """What one handshake showed: the certificates in the server's order, and what was agreed.

    Attributes:
        chain: The certificates the server sent, in its order.
        protocol: ``TLSv1.2``, ``TLSv1.3``…; ``None`` if the handshake ended before it was agreed.
        cipher: OpenSSL's name of the cipher suite agreed (``ECDHE-RSA-AES128-GCM-SHA256``,
            ``TLS_AES_256_GCM_SHA384``); ``None`` likewise.
    """

    chain: tuple[x509.Certificate, ...]
    protocol: str | None
    cipher: str | None


@dataclass(frozen=True, slots=True)
class Offer:
    """What the client offers in a handshake (the probes narrow it; a plain fetch offers everything).

    Attributes:
        min_version, max_version: pyOpenSSL's ``TLS1_VERSION``…``TLS1_3_VERSION``; ``None``: no limit.
        ciphers: OpenSSL cipher string for TLS 1.2 and older.
        tls13_ciphersuites: The TLS 1.3 suites (``None``: OpenSSL's default).
    """

    min_version: int | None = None
    max_version: int | None = None
    ciphers: bytes = b"ALL:@SECLEVEL=0"
    tls13_ciphersuites: bytes | None = None


def handshake(
    target: Target, *, timeout: float = DEFAULT_TIMEOUT, proxy: ProxyConfig | None = None
) -> list[x509.Certificate]:
    """The certificates ``target`` sends in a TLS handshake, in its order (nothing is verified).

    See :func:`session_of`, which also says what protocol and cipher suite were agreed.
    """
    return list(session_of(target, timeout=timeout, proxy=proxy).chain)


def session_of(
    target: Target,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    proxy: ProxyConfig | None = None,
    offer: Offer | None = None,
    deadline: float | None = None,
) -> Session:
    """One handshake with ``target``: its certificates and the protocol and cipher agreed.

    One deadline, ``timeout`` seconds from the call (or ``deadline``, a
    ``time.monotonic()`` moment, when given), covers the name lookup,
    connecting (through the proxy's tunnel, when one is used) and the whole
    handshake, whatever the server sends: OpenSSL only ever sees the bytes
    certconv has read for it (a memory BIO), at most :data:`_READ_SIZE` at a
    time, and the deadline is checked between any two reads. A server that
    trickles bytes, or floods HelloRequests, empty records or warning alerts,
    gets :class:`NetworkTimeoutError` at the deadline.

    Raises:
        UsageError: ``timeout`` is not a number of seconds from 0 to an hour.
        ConnectionFailedError, NetworkTimeoutError, NotTLSError, NetworkError.
    """
    timeout = check_timeout(timeout)
    if deadline is None:
        deadline = time.monotonic() + timeout
    via = proxy.for_url("https", target.host, target.port) if proxy is not None else None
    from ._net import connect

    sock, early = connect(target.host, target.port, name=target.name, deadline=deadline, timeout=timeout, proxy=via)
    with sock:
        return _tls_handshake(sock, target, deadline, timeout, offer or Offer(), early)


# Bytes handed to OpenSSL per step: one record at most (16 KiB plus its header and
# expansion), so no single call into OpenSSL works on more than that.
_READ_SIZE = 16 * 1024 + 2048


def _tls_handshake(
    sock: socket.socket, target: Target, deadline: float, timeout: float, offer: Offer, early: bytes
) -> Session:
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_verify(SSL.VERIFY_NONE)
    # Old backends are exactly the ones people need to inspect: accept TLS 1.0
    # and any cipher. Nothing is sent over the connection, so nothing is at stake.
    context.set_min_proto_version(offer.min_version or SSL.TLS1_VERSION)
    if offer.max_version is not None:
        context.set_max_proto_version(offer.max_version)
    context.set_cipher_list(offer.ciphers)
    if offer.tls13_ciphersuites is not None:
        context.set_tls13_ciphersuites(offer.tls13_ciphersuites)
    conn = SSL.Connection(context, None)  # memory BIOs: certconv moves every byte itself
    if target.sni is not None:
        conn.set_tlsext_host_name(target.sni.encode("idna"))
    conn.set_connect_state()
    late = NetworkTimeoutError(
        f"connected, but no TLS handshake within {timeout:g} s: the port may not speak TLS, or the server is too slow",
        path=target.name,
        hint=hint("raise {}", Option.TIMEOUT),
    )
    if early:
        conn.bio_write(early)

    def session(chain: Sequence[x509.Certificate]) -> Session:
        protocol = conn.get_protocol_version_name()
        cipher = conn.get_cipher_name()
        # Before a ServerHello OpenSSL names the version it offered: report only what was agreed.
        agreed = cipher is not None
        return Session(tuple(chain), protocol if agreed and protocol != "Unknown" else None, cipher)

    while True:
        try:
            conn.do_handshake()
            break
        except SSL.WantReadError:
            pass
        except SSL.Error as exc:
            chain = conn.get_peer_cert_chain(as_cryptography=True)
            if chain:
                # The server sent its certificates and then ended the handshake
                # (it wants a client certificate, say): what we came for arrived.
                return session(chain)
            raise _handshake_error(exc, target) from None
        if not _send_pending(conn, sock, deadline):
            raise late
        data = receive(sock, deadline, _READ_SIZE)
        if data is None:
            raise late
        if not data:
            chain = conn.get_peer_cert_chain(as_cryptography=True)
            if chain:
                return session(chain)
            raise _closed(target)
        conn.bio_write(data)
    chain = conn.get_peer_cert_chain(as_cryptography=True)
    if not chain:
        raise NetworkError("the server completed the handshake without sending a certificate", path=target.name)
    return session(chain)


def _send_pending(conn: SSL.Connection, sock: socket.socket, deadline: float) -> bool:
    """Send what OpenSSL wrote to its memory BIO; False when ``deadline`` passes first."""
    from OpenSSL import SSL

    while True:
        try:
            pending = conn.bio_read(65536)
        except SSL.WantReadError:
            return True
        if not send_all(sock, pending, deadline):
            return False


def _closed(target: Target) -> NotTLSError:
    return NotTLSError(
        "the server closed the connection during the TLS handshake: the port may not speak TLS, "
        f"or the server refused the name sent ({_sni_words(target)})",
        path=target.name,
    )


def _handshake_error(exc: Exception, target: Target) -> NetworkError:
    from OpenSSL import SSL

    if isinstance(exc, SSL.SysCallError | SSL.ZeroReturnError):
        return _closed(target)
    reasons = [str(part[2]) for part in exc.args[0] if isinstance(part, tuple) and len(part) == 3] if exc.args else []
    reason = "; ".join(reasons) or str(exc) or type(exc).__name__
    if any("alert" in r for r in reasons):
        return NetworkError(
            f"the server refused the TLS handshake ({reason}); it may need another name sent "
            f"({_sni_words(target)}) or a client certificate",
            path=target.name,
            hint=hint("try another name with {}", Option.SNI),
        )
    return NotTLSError(f"the server's answer is not TLS ({reason}); is this the TLS port?", path=target.name)


def _sni_words(target: Target) -> str:
    return f"SNI {target.sni}" if target.sni is not None else "no SNI"

publish(globals())
