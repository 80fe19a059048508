"""HTTP proxies: which one a connection goes through, and the ``CONNECT`` that opens a tunnel.

Corporate networks often allow nothing but a proxy, so ``fetch`` and AIA
downloads go through one when asked. The library never reads the environment:
the command line builds a :class:`ProxyConfig` with
``ProxyConfig.from_environ(os.environ)`` (``HTTPS_PROXY``, ``HTTP_PROXY``,
``NO_PROXY`` and their lowercase forms, lowercase winning as in curl and
urllib) and passes it down; a script passes its own or none.

* ``fetch`` and ``https`` AIA URLs tunnel through ``CONNECT host:port``
  (the ``https`` proxy); ``http`` AIA URLs are asked of the ``http`` proxy with
  an absolute-URI ``GET`` (RFC 9112 §3.2.2).
* The proxy resolves the backend's name: a name only the proxy knows works.
* Credentials in the proxy URL (``http://user:secret@proxy:3128``) are sent as
  ``Proxy-Authorization: Basic`` and never appear in a message or a ``repr``:
  what is shown is :attr:`Proxy.display`, the URL without them.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..base._errors import ConnectionFailedError, NetworkError, NetworkTimeoutError, Option, UsageError, hint
from ..base._face import publish
from ._sockio import receive, send_all

if TYPE_CHECKING:
    import socket

__all__ = ["MAX_PROXY_RESPONSE", "Proxy", "ProxyConfig", "connect_tunnel"]

MAX_PROXY_RESPONSE = 64 * 1024
"""Bytes of a proxy's answer to ``CONNECT`` read at most (status line and headers)."""


@dataclass(frozen=True, slots=True)
class Proxy:
    """One HTTP proxy: where it listens and, hidden from every repr, its credentials.

    Attributes:
        host: Host name or address of the proxy (IPv6 without brackets).
        port: Its TCP port (80, http's own, when the URL gives none).
        username: User name from the URL, percent-decoded; not shown in a repr.
        password: Password from the URL, percent-decoded; not shown in a repr.
    """

    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """``http://host:port``: the proxy as messages name it, without credentials."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def authorization(self) -> str | None:
        """The ``Proxy-Authorization`` header value (Basic), ``None`` without credentials."""
        if self.username is None:
            return None
        pair = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    @classmethod
    def parse(cls, url: str) -> Proxy:
        """``http://[user[:password]@]host[:port][/]``, or ``host:port`` alone (taken as http).

        Raises:
            UsageError: not an http proxy URL certconv can use (the message never
                repeats credentials).
        """
        text = url.strip()
        if "://" not in text:
            text = "http://" + text
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise UsageError(f"proxy {_redacted(url)} is not a URL like http://proxy.example:3128") from None
        if parts.scheme.lower() != "http":
            raise UsageError(
                f"proxy {_redacted(url)}: only http:// proxies are supported (the tunnel itself carries TLS)"
            )
        if not parts.hostname:
            raise UsageError(f"proxy {_redacted(url)} names no host; write it as http://proxy.example:3128")
        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        return cls(parts.hostname, port if port is not None else 80, username, password)


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """Which proxy each connection uses.

    Attributes:
        https: For ``fetch`` and ``https`` URLs (tunnelled with ``CONNECT``).
        http: For ``http`` URLs (absolute-URI ``GET``).
        no_proxy: Hosts reached directly: ``*`` (all), a name (``example.com``
            also covers ``a.example.com``; a leading ``.`` or ``*.`` is the same),
            an IP address or a network (``10.0.0.0/8``), each optionally with ``:port``.
    """

    https: Proxy | None = None
    http: Proxy | None = None
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ProxyConfig:
        """The proxies the usual variables name: ``https_proxy``, ``http_proxy``, ``no_proxy``.

        The lowercase form wins when both are set (curl, urllib); an empty value
        means no proxy. ``environ`` is any mapping: the CLI passes ``os.environ``.

        Raises:
            UsageError: a variable holds something that is not an http proxy URL.
        """

        def get(name: str) -> str:
            value = environ.get(name.lower())
            if value is None:
                value = environ.get(name.upper())
            return (value or "").strip()

        https, http, bypass = get("https_proxy"), get("http_proxy"), get("no_proxy")
        return cls(
            https=Proxy.parse(https) if https else None,
            http=Proxy.parse(http) if http else None,
            no_proxy=tuple(entry.strip().lower() for entry in bypass.split(",") if entry.strip()),
        )

    def for_url(self, scheme: str, host: str, port: int | None = None) -> Proxy | None:
        """The proxy a connection to ``host`` for ``scheme`` (``https``/``tls`` or ``http``) goes through."""
        proxy = self.http if scheme.lower() == "http" else self.https
        if proxy is None or self.bypasses(host, port):
            return None
        return proxy

    def bypasses(self, host: str, port: int | None = None) -> bool:
        """True when ``no_proxy`` says ``host`` (and ``port``) is reached directly."""
        name = host.strip().strip("[]").rstrip(".").lower()
        address = _ip(name)
        for entry in self.no_proxy:
            if entry == "*":
                return True
            pattern, wanted_port = _split_port(entry)
            if wanted_port is not None and port is not None and wanted_port != port:
                continue
            if address is not None:
                try:
                    if address in ipaddress.ip_network(pattern, strict=False):
                        return True
                except ValueError:
                    pass
                continue
            pattern = pattern.removeprefix("*").lstrip(".")
            if pattern and (name == pattern or name.endswith("." + pattern)):
                return True
        return False


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port`` / ``[v6]:port`` / ``v6`` / ``net/len`` into the host part and the port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, int(port) if port.isdigit() else None
    return entry, None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _redacted(url: str) -> str:
    """``url`` with anything before an ``@`` in its authority replaced, for messages."""
    scheme, sep, rest = url.strip().rpartition("://")
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{tail}"


def connect_tunnel(
    sock: socket.socket, proxy: Proxy, host: str, port: int, *, deadline: float, timeout: float, name: str
) -> bytes:
    """Ask ``proxy`` (connected on the non-blocking ``sock``) for a tunnel to ``host:port``.

    The whole exchange ends by ``deadline`` (``time.monotonic()``), whatever the
    proxy sends. Returns what the proxy sent after its answer's headers (normally
    nothing), which belongs to the tunnel.

    Raises:
        NetworkTimeoutError: no complete answer before the deadline.
        ConnectionFailedError: the proxy refused the tunnel (its status says why).
        NetworkError: the answer is not HTTP.
    """
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", "User-Agent: certconv"]
    if proxy.authorization is not None:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("idna" if not host.isascii() else "ascii")
    late = NetworkTimeoutError(
        f"the proxy {proxy.display} did not open a tunnel within {timeout:g} s",
        path=name,
        hint=hint("raise {}, or check the proxy", Option.TIMEOUT),
    )
    if not send_all(sock, request, deadline):
        raise late
    answer = b""
    while b"\r\n\r\n" not in answer:
        if len(answer) > MAX_PROXY_RESPONSE:
            raise NetworkError(f"the proxy {proxy.display} answered CONNECT with over 64 KiB of headers", path=name)
        chunk = receive(sock, deadline, 4096)
        if chunk is None:
            raise late
        if not chunk:
            raise ConnectionFailedError(
                f"the proxy {proxy.display} closed the connection instead of opening a tunnel to {authority}",
                path=name,
            )
        answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise NetworkError(f"the proxy {proxy.display} did not answer CONNECT in HTTP", path=name)
    status = int(parts[1])
    reason = "".join(ch for ch in (parts[2] if len(parts) > 2 else "") if ch.isprintable())[:80]
    if 200 <= status < 300:
        return rest
    said = f"HTTP {status}" + (f" {reason}" if reason else "")
    if status == 407:
        todo = (
            "the proxy refused the credentials in its URL"
            if proxy.username is not None
            else "it wants credentials: give them in the proxy URL, http://user:password@host:port"
        )
        raise ConnectionFailedError(f"the proxy {proxy.display} answered {said}: {todo}", path=name)
    raise ConnectionFailedError(
        f"the proxy {proxy.display} would not open a tunnel to {authority} ({said}); check the host name "
        "and port, or whether the proxy allows them (NO_PROXY lists hosts reached directly)",
        path=name,
    )


publish(globals())
