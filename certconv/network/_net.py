"""Connections with one deadline: name lookup, connect and a proxy's tunnel, for fetch and AIA.

``getaddrinfo`` takes no timeout, so a name is looked up in a thread abandoned at
the deadline; sockets are non-blocking and every wait is a ``select`` bounded by
what is left of the deadline. Through a proxy, the proxy resolves the name.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from ..base._errors import ConnectionFailedError, NetworkTimeoutError, Option, hint

if TYPE_CHECKING:
    import socket

    from ._proxy import Proxy

__all__ = ["connect", "is_ip"]


def is_ip(host: str) -> bool:
    """``host`` is an IPv4 or IPv6 address (not a name)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def connect(
    host: str, port: int, *, name: str, deadline: float, timeout: float, proxy: Proxy | None = None
) -> tuple[socket.socket, bytes]:
    """A connected non-blocking socket to ``host:port`` (through ``proxy``'s tunnel), before ``deadline``.

    Returns the socket and what the proxy already sent through the tunnel
    (normally nothing). Messages name ``name`` (``tls://host:port`` or a URL).
    Through a proxy the proxy resolves ``host``: it is never looked up here.
    """
    if proxy is None:
        return _connect(host, port, name, deadline, timeout), b""
    from ._proxy import connect_tunnel

    try:
        sock = _connect(proxy.host, proxy.port, name, deadline, timeout, what=f"the proxy {proxy.display}")
    except ConnectionFailedError as exc:
        raise ConnectionFailedError(exc.detail, path=name) from None
    try:
        early = connect_tunnel(sock, proxy, host, port, deadline=deadline, timeout=timeout, name=name)
    except BaseException:
        sock.close()
        raise
    return sock, early


def _connect(host: str, port: int, name: str, deadline: float, timeout: float, *, what: str = "") -> socket.socket:
    """A connected non-blocking socket to ``host:port``, before ``deadline``; ``what`` names a proxy."""
    import socket

    addresses = _resolve(host, port, name, deadline, timeout, what)
    failure: OSError | None = None
    for family, kind, proto, _, address in addresses:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            if _connected(sock, address, deadline):
                return sock
        except OSError as exc:
            failure = exc
            sock.close()
            continue
        sock.close()
        to = f"to {what} " if what else ""
        raise NetworkTimeoutError(
            f"no connection {to}within {timeout:g} s (a firewall may drop the packets)",
            path=name,
            hint=hint("check host and port, or raise {}", Option.TIMEOUT),
        )
    if isinstance(failure, ConnectionRefusedError):
        if what:
            raise ConnectionFailedError(f"connection to {what} refused: check the proxy URL", path=name)
        raise ConnectionFailedError(
            f"connection refused: nothing listens on port {port} (check the host and port)", path=name
        )
    reason = (failure.strerror or str(failure)) if failure is not None else "no address"
    raise ConnectionFailedError(f"cannot connect{' to ' + what if what else ''} ({reason})", path=name)


def _resolve(host: str, port: int, name: str, deadline: float, timeout: float, what: str) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` for ``host``, given up at ``deadline``.

    ``getaddrinfo`` takes no timeout and cannot be interrupted, so a name (not an
    address) is looked up in a daemon thread that is abandoned at the deadline.
    """
    import socket

    def lookup() -> list[tuple[Any, ...]]:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    of = f" of {what}" if what else ""
    try:
        if is_ip(host):
            return lookup()
        outcome: list[list[tuple[Any, ...]] | BaseException] = []

        def run() -> None:
            try:
                outcome.append(lookup())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                outcome.append(exc)

        worker = threading.Thread(target=run, name="certconv-getaddrinfo", daemon=True)
        worker.start()
        worker.join(max(deadline - time.monotonic(), 0.0))
        if not outcome:
            raise NetworkTimeoutError(
                f"the name {host!r}{of} was not resolved within {timeout:g} s",
                path=name,
                hint=hint("check your DNS, or raise {}", Option.TIMEOUT),
            )
        found = outcome[0]
        if isinstance(found, BaseException):
            raise found
        return found
    except socket.gaierror as exc:
        advice = "check the spelling and your DNS" + ("" if what else ", or go through the proxy that reaches it")
        raise ConnectionFailedError(
            f"cannot resolve host name {host!r}{of} ({exc.strerror}); {advice}", path=name
        ) from None
    except OSError as exc:
        raise ConnectionFailedError(
            f"cannot resolve host name {host!r}{of} ({exc.strerror or exc})", path=name
        ) from None


def _connected(sock: socket.socket, address: Any, deadline: float) -> bool:
    """Connect the non-blocking ``sock``; False when ``deadline`` passes first, OSError when refused."""
    import errno
    import select
    import socket

    code = sock.connect_ex(address)
    if code == 0:
        return True
    if code not in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
        raise OSError(code, os.strerror(code))
    remaining = deadline - time.monotonic()
    # Windows reports a failed connect as an exceptional condition, not as writable.
    if remaining <= 0 or not any(select.select([], [sock], [sock], remaining)[1:]):
        return False
    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code != 0:
        raise (ConnectionRefusedError if code == errno.ECONNREFUSED else OSError)(code, os.strerror(code))
    return True

