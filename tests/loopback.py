"""Servers on loopback (127.0.0.1 / ::1) for the fetch and AIA tests; nothing else is ever contacted.

Each server runs in a daemon thread, serves until closed, and records what it
was asked, so tests can assert how often a URL was followed.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from pki import Issued

LOOPBACK = ("127.0.0.1", "::1")


def _listener(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(16)
    sock.settimeout(0.05)
    return sock


def host_port(host: str, port: int) -> str:
    """``HOST:PORT`` as a user types it (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class _Server:
    sock: socket.socket
    handle: Callable[[socket.socket], None]
    thread: threading.Thread = field(init=False)
    stop: threading.Event = field(default_factory=threading.Event)
    connections: int = 0
    server_names: list[str | None] = field(default_factory=list)
    bytes_sent: int = 0  # by tcp_server's trickle: how far it got before the client hung up

    port: int = field(init=False)

    def __post_init__(self) -> None:
        self.port = int(self.sock.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(10)
                self.handle(conn)
        except Exception:  # noqa: BLE001, S110 - the client hanging up early is the point of some tests
            pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@contextmanager
def tls_server(
    host: str,
    served: Sequence[Issued],
    key_of: Issued,
    *,
    client_ca: Issued | None = None,
    versions: tuple[ssl.TLSVersion, ssl.TLSVersion] | None = None,
    ciphers: str | None = None,
    require_sni: bool = False,
) -> Iterator[_Server]:
    """A TLS server (Python's ``ssl``) sending ``served`` in exactly this order, with ``key_of``'s key.

    ``require_sni``: answer a ClientHello without a server name with the ``unrecognized_name``
    alert, as servers hosting several names do.

    ``client_ca``: demand a client certificate from this CA, over TLS 1.2 (where the
    server's certificates arrive before the handshake fails). ``versions``: the
    (minimum, maximum) TLS versions it accepts; ``ciphers``: its TLS 1.2 cipher list.
    """
    with tempfile.TemporaryDirectory() as tmp:
        chain = Path(tmp, "chain.pem")
        chain.write_bytes(b"".join(i.pem for i in served))
        key = Path(tmp, "key.pem")
        key.write_bytes(
            key_of.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, key)
        if client_ca is not None:
            ca = Path(tmp, "client-ca.pem")
            ca.write_bytes(client_ca.pem)
            context.load_verify_locations(ca)
            context.verify_mode = ssl.CERT_REQUIRED
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        if versions is not None:
            context.minimum_version, context.maximum_version = versions
        if ciphers is not None:
            context.set_ciphers(ciphers)
    names: list[str | None] = []

    def record(_sock: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _ctx: ssl.SSLContext) -> int | None:
        names.append(server_name)
        return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME if require_sni and server_name is None else None

    context.sni_callback = record

    def handle(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)  # wait for the client to hang up

    server = _Server(_listener(host), handle, server_names=names)
    try:
        yield server
    finally:
        server.close()


@dataclass
class ClientAuthLog:
    """What a client-certificate server saw: per handshake it completed, the client certificate's SHA-1."""

    presented: list[str | None] = field(default_factory=list)


@contextmanager
def client_auth_server(
    host: str,
    served: Sequence[Issued],
    key_of: Issued,
    *,
    client_ca: Issued,
    mode: str,
    tls13: bool = True,
    list_cas: bool = True,
    alert: bool = True,
    tickets: bool = True,
) -> Iterator[tuple[_Server, ClientAuthLog]]:
    """A TLS server (pyOpenSSL) that asks for a client certificate issued by ``client_ca``.

    ``mode``: ``require`` (no certificate: the handshake fails, as ``openssl s_server
    -Verify``) or ``request`` (asks, but goes on without one, as ``-verify``); a
    certificate from another CA is refused either way (alert unknown_ca). ``tls13``:
    TLS 1.2 and 1.3, else TLS 1.2 only. ``list_cas``: name ``client_ca`` in the request.
    ``alert=False``: refuse by hanging up, without the alert. ``tickets=False``: send
    nothing after a TLS 1.3 handshake it accepts (no session tickets: silence). ``presented`` logs, per
    completed handshake, the client certificate's SHA-1 (``None``: none).
    """
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.set_max_proto_version(SSL.TLS1_3_VERSION if tls13 else SSL.TLS1_2_VERSION)
    context.use_certificate(served[0].cert)
    for extra in served[1:]:
        context.add_extra_chain_cert(extra.cert)
    context.use_privatekey(key_of.key)
    ca_file = tempfile.NamedTemporaryFile(suffix=".pem", delete=False)  # noqa: SIM115 - removed below
    with ca_file:
        ca_file.write(client_ca.pem)
    try:
        context.load_verify_locations(ca_file.name)
    finally:
        Path(ca_file.name).unlink()
    if list_cas:
        context.add_client_ca(client_ca.cert)
    flags = SSL.VERIFY_PEER | (SSL.VERIFY_FAIL_IF_NO_PEER_CERT if mode == "require" else 0)
    context.set_verify(flags, lambda _conn, _cert, _errno, _depth, ok: bool(ok))
    log = ClientAuthLog()

    def handle(conn: socket.socket) -> None:
        tls = SSL.Connection(context, None)  # memory BIOs: the test decides what reaches the socket
        tls.set_accept_state()
        failed = done = False
        while not (failed or done):
            try:
                tls.do_handshake()
                done = True
            except SSL.WantReadError:
                pass
            except SSL.Error:
                failed = True
            out = b""
            with suppress(SSL.WantReadError):
                out = tls.bio_read(65536)
            if out and (alert or not failed) and (tickets or not done or tls.get_protocol_version_name() != "TLSv1.3"):
                conn.sendall(out)  # with alert=False a refusal is a bare hang-up; tickets=False: silence
            if not (failed or done):
                data = conn.recv(65536)
                if not data:
                    break
                tls.bio_write(data)
        peer = tls.get_peer_certificate(as_cryptography=True)
        log.presented.append(peer.fingerprint(hashes.SHA1()).hex().upper() if done and peer is not None else None)
        if done:
            while conn.recv(4096):  # wait for the client to hang up
                pass

    server = _Server(_listener(host), handle)
    try:
        yield server, log
    finally:
        server.close()


@contextmanager
def tcp_server(host: str, reply: bytes | None, *, trickle: float | None = None) -> Iterator[_Server]:
    """A plain TCP server: sends ``reply`` after the client's first bytes (one byte per ``trickle``
    seconds if given), or stays silent (``None``)."""
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        if reply is None:
            conn.recv(1)  # hold the connection open until the client gives up
        elif trickle is None:
            conn.sendall(reply)
        else:
            for i in range(len(reply)):
                if stop.wait(trickle):
                    return
                conn.sendall(reply[i : i + 1])
                server.bytes_sent += 1

    server = _Server(_listener(host), handle)
    try:
        yield server
    finally:
        stop.set()
        server.close()


HELLO_REQUEST = bytes.fromhex("160303000400000000")
"""A TLS 1.2 record (handshake, 4 bytes) holding one HelloRequest (type 0, empty): clients skip it."""


@dataclass
class Flood:
    """What a flooding server managed: records sent, and whether the client hung up on it."""

    records: int = 0
    client_hung_up: threading.Event = field(default_factory=threading.Event)
    gave_up: threading.Event = field(default_factory=threading.Event)  # the hang guard ended the flood


@contextmanager
def hello_request_server(
    host: str, served: Sequence[Issued], key_of: Issued, *, after_server_hello: bool, guard: float = 60.0
) -> Iterator[tuple[_Server, Flood]]:
    """A TLS 1.2 server that floods HelloRequest records instead of finishing the handshake.

    ``after_server_hello``: answer the ClientHello with a real ServerHello, Certificate,
    ServerKeyExchange and ServerHelloDone first (Python's ``ssl`` over memory BIOs), then
    flood; otherwise flood straight after the ClientHello. The flood stops when the client
    hangs up or, as a hang guard only, after ``guard`` seconds.
    """
    flood = Flood()
    context: ssl.SSLContext | None = None
    if after_server_hello:
        with tempfile.TemporaryDirectory() as tmp:
            chain, key = Path(tmp, "chain.pem"), Path(tmp, "key.pem")
            chain.write_bytes(b"".join(i.pem for i in served))
            key.write_bytes(
                key_of.key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(chain, key)
            context.maximum_version = ssl.TLSVersion.TLSv1_2  # its server flight is plaintext
    burst = HELLO_REQUEST * 1000

    def handle(conn: socket.socket) -> None:
        hello = conn.recv(65536)
        if context is not None:
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = context.wrap_bio(incoming, outgoing, server_side=True)
            incoming.write(hello)
            with suppress(ssl.SSLWantReadError):
                tls.do_handshake()
            conn.sendall(outgoing.read())  # ServerHello ... ServerHelloDone
        end = time.monotonic() + guard
        while time.monotonic() < end:
            try:
                conn.sendall(burst)
            except OSError:  # broken pipe, reset: the client closed its socket
                flood.client_hung_up.set()
                return
            flood.records += 1000
        flood.gave_up.set()

    server = _Server(_listener(host), handle)
    try:
        yield server, flood
    finally:
        server.close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port with nothing listening (bound, then released)."""
    sock = _listener(host)
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@dataclass
class Response:
    """What the HTTP server answers for one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/pkix-cert"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float | None = None  # seconds between single bytes
    hang: bool = False
    send_length: bool = True  # False: the body ends when the connection closes (HTTP/1.0)


class HttpServer:
    """An HTTP/1.1 server on loopback answering from ``routes``; ``hits`` counts requests per path."""

    def __init__(self, host: str = "127.0.0.1", *, tls: Issued | None = None) -> None:
        self.routes: dict[str, Response] = {}
        self.hits: dict[str, int] = {}
        self.stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                response = outer.routes.get(self.path, Response(b"not found", 404, "text/plain"))
                if response.hang:
                    outer.stop.wait(30)
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if response.send_length and "Content-Length" not in response.headers:
                    self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if response.trickle is None:
                    self.wfile.write(response.body)
                    return
                for i in range(len(response.body)):
                    if outer.stop.wait(response.trickle):
                        return
                    self.wfile.write(response.body[i : i + 1])
                    self.wfile.flush()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
                pass

        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Server(http.server.ThreadingHTTPServer):
            address_family = family
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that give up early are expected

        self.httpd = Server((host, 0), Handler)
        self.host = host
        self.scheme = "http"
        if tls is not None:
            with tempfile.TemporaryDirectory() as tmp:
                cert, key = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
                cert.write_bytes(tls.pem)
                key.write_bytes(
                    tls.key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    )
                )
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def wait_until(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@dataclass
class ProxyLog:
    """What the loopback proxy was asked: request lines and Proxy-Authorization values."""

    requests: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)


@contextmanager
def http_proxy(
    names: dict[str, tuple[str, int]],
    *,
    host: str = "127.0.0.1",
    require_auth: str | None = None,
    silent: bool = False,
) -> Iterator[tuple[_Server, ProxyLog]]:
    """An HTTP proxy on loopback: ``CONNECT host:port`` tunnels and absolute-URI ``GET`` requests.

    ``names`` maps the host names (and ports, as ``"name:port"`` keys, or just ``"name"``) only this
    proxy knows, such as ``backend.test``, to loopback addresses; nothing else is reachable
    through it (403), so a test can tell that a connection went through the proxy.
    ``require_auth``: the ``Proxy-Authorization`` value wanted (407 otherwise). ``silent``: accept
    connections and never answer (a hung proxy).
    """
    log = ProxyLog()

    def where(authority: str) -> tuple[str, int] | None:
        name, _, port = authority.rpartition(":")
        name = name.strip("[]").lower()
        if f"{name}:{port}" in names:
            return names[f"{name}:{port}"]
        if name in names and port.isdigit():
            return names[name][0], int(port)
        return None

    def pipe(a: socket.socket, b: socket.socket) -> None:
        with suppress(OSError):
            while chunk := a.recv(65536):
                b.sendall(chunk)
        with suppress(OSError):
            b.shutdown(socket.SHUT_WR)

    def handle(conn: socket.socket) -> None:
        if silent:
            conn.recv(65536)
            conn.recv(1)
            return
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        log.requests.append(lines[0])
        log.authorizations.append(headers.get("proxy-authorization"))
        if require_auth is not None and headers.get("proxy-authorization") != require_auth:
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return
        if method == "CONNECT":
            address = where(target)
            if address is None:
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection(address, timeout=10)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            with upstream:
                if rest:
                    upstream.sendall(rest)
                back = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
                back.start()
                pipe(conn, upstream)
                back.join(10)
            return
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        address = where(f"{parts.hostname}:{parts.port or 80}") if parts.scheme == "http" else None
        if address is None:
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with socket.create_connection(address, timeout=10) as upstream:
            upstream.sendall(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
            while chunk := upstream.recv(65536):
                conn.sendall(chunk)

    server = _Server(_listener(host), handle)
    try:
        yield server, log
    finally:
        server.close()
