"""One certificate download over HTTP(S), bounded: redirects, size, time, proxies.

What :mod:`certconv.network._aia` asks for each caIssuers URL. A response over
:data:`MAX_RESPONSE_SIZE` bytes, slower than the timeout from request to last
byte, an HTTP error or a redirect to another scheme is refused (:class:`Refused`)
with a short reason. ``http.client`` is imported only when a URL is fetched.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING

from ..base._args import DEFAULT_TIMEOUT
from ..base._errors import CertconvError

if TYPE_CHECKING:
    import http.client
    import socket
    import ssl

    from ._proxy import Proxy, ProxyConfig

__all__ = ["MAX_REDIRECTS", "MAX_RESPONSE_SIZE", "Refused", "download", "seconds"]

MAX_RESPONSE_SIZE = 1024 * 1024
"""Responses larger than this many bytes are refused (real issuer files are a few KiB)."""

MAX_REDIRECTS = 5
"""HTTP redirects followed per URL."""

_ACCEPT = "application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, application/x-pem-file, */*;q=0.5"


class Refused(Exception):
    """A download that did not produce a response body certconv will read."""


def download(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_size: int = MAX_RESPONSE_SIZE,
    proxy: ProxyConfig | None = None,
) -> tuple[bytes, str]:
    """GET ``url`` (http/https) and return the body and its Content-Type.

    The whole exchange, redirects included, must finish within ``timeout``
    seconds: a watchdog closes the connection of a server that trickles.
    Through a proxy (``proxy.for_url``), ``http`` is an absolute-URI ``GET`` to
    the proxy and ``https`` a ``CONNECT`` tunnel; the deadline covers both.
    The server's TLS certificate is not verified: what is downloaded is checked
    by signature instead (the issuer's key must verify the child).

    Raises:
        Refused: With a short reason (timeout, size, HTTP status, redirect).
    """
    from urllib.parse import urljoin

    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body, content_type = _get_once(url, deadline, timeout, max_size, proxy)
        if status in (301, 302, 303, 307, 308):
            if not location:
                raise Refused(f"HTTP {status} redirect without a Location")
            target = urljoin(url, location)
            if target.partition(":")[0].lower() not in ("http", "https"):
                raise Refused(f"redirected to {target.partition(':')[0]}:, not http or https; not followed")
            url = target
            continue
        if status != 200:
            raise Refused(f"HTTP {status}")
        return body, content_type
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


def _get_once(
    url: str, deadline: float, timeout: float, max_size: int, proxy: ProxyConfig | None
) -> tuple[int, str, bytes, str]:
    import http.client
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise Refused("the URL's port is not a number") from None
    host = parts.hostname
    if not host:
        raise Refused("the URL has no host")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Refused(f"no complete answer within {seconds(timeout)} s")
    https = parts.scheme.lower() == "https"
    port = port if port is not None else (443 if https else 80)
    via = proxy.for_url(parts.scheme, host, port) if proxy is not None else None
    conn: http.client.HTTPConnection
    context: ssl.SSLContext | None = None
    if https:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=remaining, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=remaining)
    expired = threading.Event()
    watchdog: threading.Timer | None = None
    # The socket the watchdog shuts down: the plain one, then its TLS wrapper.
    current: list[socket.socket | None] = [None]

    def _expire() -> None:
        expired.set()
        sock = current[0] if current[0] is not None else conn.sock
        if sock is not None:
            # The plain socket's shutdown, also for TLS: it wakes a blocked read.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    try:
        if via is None:
            conn.connect()
        else:
            # Started before the tunnel, so a proxy that trickles is cut off at the deadline too.
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _expire)
            watchdog.daemon = True
            watchdog.start()
            conn.sock = _through_proxy(via, host, port, https, context, deadline, timeout, url, current)
        if watchdog is None:
            # Keep the socket itself: http.client drops conn.sock once a response will close it.
            current[0] = conn.sock
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _expire)
            watchdog.daemon = True
            watchdog.start()
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"Accept": _ACCEPT, "User-Agent": "certconv", "Connection": "close"}
        if via is not None and not https:
            # RFC 9112 §3.2.2: a proxy is sent the absolute URI (without any user name in it).
            netloc = parts.netloc.rpartition("@")[2]
            path = f"{parts.scheme.lower()}://{netloc}{path}"
            if via.authorization is not None:
                headers["Proxy-Authorization"] = via.authorization
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        status = response.status
        if status == 407 and via is not None:
            raise Refused(f"the proxy {via.display} answered HTTP 407: it wants credentials in the proxy URL")
        if status != 200:
            return status, response.getheader("Location") or "", b"", ""
        length = response.getheader("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > max_size:
            raise Refused(f"the response is {int(length):,} bytes, over the {max_size:,}-byte limit")
        body = _read_limited(response, max_size, deadline, expired)
        return status, "", body, response.getheader("Content-Type") or ""
    except CertconvError as exc:  # from the tunnel: its message names the proxy, never its credentials
        if expired.is_set():
            raise Refused(f"no complete answer within {seconds(timeout)} s") from None
        raise Refused(exc.detail) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise Refused(f"no complete answer within {seconds(timeout)} s") from None
        raise Refused(_reason(exc)) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def _through_proxy(
    via: Proxy,
    host: str,
    port: int,
    https: bool,
    context: ssl.SSLContext | None,
    deadline: float,
    timeout: float,
    url: str,
    current: list[socket.socket | None],
) -> socket.socket:
    """A socket for ``http.client``: to the proxy (http), or TLS through its tunnel (https)."""
    from ._net import connect

    if https:
        sock, early = connect(host, port, name=url, deadline=deadline, timeout=timeout, proxy=via)
        if early:
            sock.close()
            raise Refused(f"the proxy {via.display} sent data before the TLS handshake")
    else:
        sock, _ = connect(via.host, via.port, name=url, deadline=deadline, timeout=timeout)
    current[0] = sock
    sock.setblocking(True)
    sock.settimeout(max(deadline - time.monotonic(), 0.001))
    if not https or context is None:
        return sock
    wrapped = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    current[0] = wrapped
    wrapped.do_handshake()
    return wrapped


def _read_limited(
    response: http.client.HTTPResponse, max_size: int, deadline: float, expired: threading.Event
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if expired.is_set() or time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read1(65536)
        if not chunk:
            if expired.is_set():  # the watchdog's shutdown looks like the end of the body
                raise TimeoutError
            return b"".join(chunks)
        size += len(chunk)
        if size > max_size:
            raise Refused(f"the response is over the {max_size:,}-byte limit")
        chunks.append(chunk)


def seconds(value: float) -> str:
    """``10``, ``0.5``, ``0.12``: a clipped per-download limit is not shown to the microsecond."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
