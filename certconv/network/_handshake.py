"""The TLS handshake itself: a target parsed, one handshake made, what the server sent and asked for.

pyOpenSSL is imported only when a connection is made. :mod:`certconv.network._tls`
turns a session into a :class:`certconv.FetchResult`; :mod:`certconv.network._probe`
makes one handshake per TLS version and cipher offer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..base._args import DEFAULT_TIMEOUT, check_timeout
from ..base._errors import InputError, NetworkError, NetworkTimeoutError, NotTLSError, Option, hint
from ._net import is_ip
from ._refusals import HEAD, named_refusal
from ._sockio import receive, send_all

if TYPE_CHECKING:
    import socket

    from OpenSSL import SSL

    from ._client_cert import ClientIdentity
    from ._proxy import ProxyConfig

__all__ = ["DEFAULT_PORT", "ClientAuth", "Offer", "Session", "Target", "handshake", "parse_target", "session_of"]

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


@dataclass(frozen=True, slots=True)
class ClientAuth:
    """What one handshake showed about client certificates.

    Attributes:
        requested: The server sent a CertificateRequest.
        alert: After asking, the server ended the handshake with this TLS alert
            (``certificate_required``, ``unknown_ca``…), or ``closed`` when it hung up
            without one; ``None`` when it went on.
        acceptable_cas: The issuers the server named in its request (RFC 4514), in its order.
    """

    requested: bool = False
    alert: str | None = None
    acceptable_cas: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    """What one handshake showed: the certificates in the server's order, and what was agreed.

    Attributes:
        chain: The certificates the server sent, in its order, as DER exactly as sent (OpenSSL
            re-emits the bytes it received; cryptography would refuse some real ones whole).
        protocol: ``TLSv1.2``, ``TLSv1.3``…; ``None`` if the handshake ended before it was agreed.
        cipher: OpenSSL's name of the cipher suite agreed (``ECDHE-RSA-AES128-GCM-SHA256``,
            ``TLS_AES_256_GCM_SHA384``); ``None`` likewise.
        client_auth: Whether the server asked for a client certificate, and how it ended.
    """

    chain: tuple[bytes, ...]
    protocol: str | None
    cipher: str | None
    client_auth: ClientAuth = ClientAuth()


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


def handshake(target: Target, *, timeout: float = DEFAULT_TIMEOUT, proxy: ProxyConfig | None = None) -> list[bytes]:
    """The certificates ``target`` sends in a TLS handshake, in its order, as DER (nothing is verified).

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
    client: ClientIdentity | None = None,
    settle: bool = False,
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

    ``client`` is presented when the server asks for a client certificate. With
    ``settle``, a TLS 1.3 handshake in which the server asked is followed by one
    more read, up to :data:`SETTLE` seconds within the deadline: a TLS 1.3 server
    judges the client's certificate only after the client's side of the handshake
    is done, and says no with an alert then (RFC 8446 §4.4.2.4).

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
        return _tls_handshake(sock, target, deadline, timeout, offer or Offer(), early, client, settle=settle)


# Bytes handed to OpenSSL per step: one record at most (16 KiB plus its header and
# expansion), so no single call into OpenSSL works on more than that.
_READ_SIZE = 16 * 1024 + 2048

SETTLE = 2.0
"""Seconds to wait, after a TLS 1.3 handshake in which the server asked for a client
certificate, for its verdict: an alert (refused) or a session ticket or data (accepted).
Silence that long counts as accepted."""

# OpenSSL's state name after reading a CertificateRequest (TLS 1.2 and 1.3), and a session ticket.
_CERT_REQUEST_STATE = b"read server certificate request"
_TICKET_STATE = b"read server session ticket"
_ALERT = re.compile(r"\balert (.+)$")


def _tls_handshake(
    sock: socket.socket,
    target: Target,
    deadline: float,
    timeout: float,
    offer: Offer,
    early: bytes,
    client: ClientIdentity | None,
    *,
    settle: bool,
) -> Session:
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_verify(SSL.VERIFY_NONE)
    states: set[bytes] = set()
    context.set_info_callback(lambda c, _where, _ret: states.add(c.get_state_string()))
    if client is not None:
        context.use_certificate(client.certificate.x509)
        context.use_privatekey(client.key)  # type: ignore[arg-type]  # pyOpenSSL checks the key type
        for extra in client.chain:
            context.add_extra_chain_cert(extra)
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
    head = bytearray(early[:HEAD])  # the start of what the server sent: a too-large chain's size is in it

    def session(chain: Sequence[bytes], alert: str | None = None) -> Session:
        protocol = conn.get_protocol_version_name()
        cipher = conn.get_cipher_name()
        # Before a ServerHello OpenSSL names the version it offered: report only what was agreed.
        agreed = cipher is not None
        requested = any(_CERT_REQUEST_STATE in state for state in states)
        auth = ClientAuth(requested, alert if requested else None, _acceptable_cas(conn) if requested else ())
        return Session(tuple(chain), protocol if agreed and protocol != "Unknown" else None, cipher, auth)

    while True:
        try:
            conn.do_handshake()
            break
        except SSL.WantReadError:
            pass
        except SSL.Error as exc:
            chain = _peer_chain(conn)
            if chain:
                # The server sent its certificates and then ended the handshake
                # (it wants a client certificate, say): what we came for arrived.
                return session(chain, _alert_of(exc))
            raise _handshake_error(exc, target, bytes(head)) from None
        data = _exchange(conn, sock, deadline)
        if data is None:
            raise late
        if not data:
            chain = _peer_chain(conn)
            if chain:
                return session(chain, "closed")
            raise _closed(target)
        head += data[: max(HEAD - len(head), 0)]
        conn.bio_write(data)
    chain = _peer_chain(conn)
    if not chain:
        raise NetworkError("the server completed the handshake without sending a certificate", path=target.name)
    # TLS 1.3: the client's last flight (its certificate, if asked, and Finished) is written by the
    # call that completes the handshake; send it, so the server sees what certconv presents.
    _send_pending(conn, sock, deadline)
    asked = any(_CERT_REQUEST_STATE in state for state in states)
    if settle and asked and conn.get_protocol_version_name() == "TLSv1.3":
        return session(chain, _verdict_after(conn, sock, min(deadline, time.monotonic() + SETTLE), states))
    return session(chain)


def _peer_chain(conn: SSL.Connection) -> list[bytes]:
    """The peer's certificates as DER, exactly as received: OpenSSL re-emits the encoding it parsed.

    Not ``as_cryptography=True``: it parses each with cryptography, which refuses some real
    certificates whole (certconv's tolerant path reads them from these bytes).
    """
    from OpenSSL import crypto

    return [crypto.dump_certificate(crypto.FILETYPE_ASN1, cert) for cert in conn.get_peer_cert_chain() or ()]


def _verdict_after(conn: SSL.Connection, sock: socket.socket, until: float, states: set[bytes]) -> str | None:
    """After a TLS 1.3 handshake: the alert the server refuses the client's certificate with, if any.

    A session ticket, data, or silence until ``until`` means the server went on.
    """
    from OpenSSL import SSL

    states.discard(_TICKET_STATE)
    while not any(_TICKET_STATE in state for state in states):
        try:
            conn.recv(1)
            return None  # application data: the server went on
        except SSL.WantReadError:
            pass
        except SSL.ZeroReturnError:
            return "closed"
        except SSL.Error as exc:
            return _alert_of(exc) or "closed"
        data = _exchange(conn, sock, until)
        if data is None:
            return None
        if not data:
            return "closed"
        conn.bio_write(data)
    return None


def _alert_of(exc: Exception) -> str | None:
    """The TLS alert in OpenSSL's error (``tlsv13 alert certificate required`` → ``certificate_required``).

    ``closed`` when the server hung up without one (a reset, an end of file: ``SysCallError(-1, …)``).
    """
    detail = exc.args[0] if exc.args else None
    reasons = (
        [str(part[2]) for part in detail if isinstance(part, tuple) and len(part) == 3]
        if isinstance(detail, list)
        else []
    )
    for reason in reasons:
        match = _ALERT.search(reason)
        if match:
            return match.group(1).strip().lower().replace(" ", "_")
    return "closed" if not reasons else None


def _acceptable_cas(conn: SSL.Connection) -> tuple[str, ...]:
    """The issuers the server named in its CertificateRequest (RFC 4514), in its order."""
    try:
        names = conn.get_client_ca_list(as_cryptography=True)  # type: ignore[call-arg, unused-ignore]
    except TypeError:  # older pyOpenSSL (26.1, the floor) has no as_cryptography here: its own X509Name objects
        return tuple(_rfc4514(name.get_components()) for name in conn.get_client_ca_list())
    except ValueError:  # a name cryptography cannot parse: the list is a courtesy, not the point
        return ()
    return tuple(name.rfc4514_string() for name in names)


def _rfc4514(components: Sequence[tuple[bytes, bytes]]) -> str:
    """``CN=…,O=…`` from OpenSSL's (short name, value) pairs, most specific first as RFC 4514 writes it."""
    special = str.maketrans({ch: f"\\{ch}" for ch in ',+"\\<>;='})
    return ",".join(
        f"{key.decode('ascii', 'replace')}={value.decode('utf-8', 'replace').translate(special)}"
        for key, value in reversed(components)
    )


def _exchange(conn: SSL.Connection, sock: socket.socket, deadline: float) -> bytes | None:
    """Send what OpenSSL wrote, then read the server's next bytes (``b""``: it closed); ``None`` at the deadline."""
    if not _send_pending(conn, sock, deadline):
        return None
    return receive(sock, deadline, _READ_SIZE)


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


def _handshake_error(exc: Exception, target: Target, head: bytes) -> NetworkError:
    from OpenSSL import SSL

    if isinstance(exc, SSL.SysCallError | SSL.ZeroReturnError):
        return _closed(target)
    reasons = [str(part[2]) for part in exc.args[0] if isinstance(part, tuple) and len(part) == 3] if exc.args else []
    reason = "; ".join(reasons) or str(exc) or type(exc).__name__
    named = named_refusal(reasons, target.name, _sni_words(target), head)
    if named is not None:
        return named
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
