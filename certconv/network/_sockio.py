"""Sending and receiving on a non-blocking socket within a deadline: every wait is a ``select``.

Shared by the TLS handshake (``_tls``) and the proxy tunnel (``_proxy``); kept apart from
``_net`` (connecting), which imports the proxy code.
"""

from __future__ import annotations

import select
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket


def send_all(sock: socket.socket, data: bytes, deadline: float) -> bool:
    """Send ``data`` on a non-blocking socket; False when ``deadline`` (monotonic) passes first.

    A peer that hangs up counts as sent: the next read says so in its own words.
    """
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [sock], [], remaining)[1]:
            return False
        try:
            view = view[sock.send(view) :]
        except BlockingIOError:
            continue
        except OSError:
            return True
    return True


def receive(sock: socket.socket, deadline: float, size: int) -> bytes | None:
    """Up to ``size`` bytes from a non-blocking socket; ``b""`` when the peer closed, ``None`` at ``deadline``."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
            return None
        try:
            return sock.recv(size)
        except BlockingIOError:
            continue
        except OSError:
            return b""
