"""A server's refusal of the handshake that has a cause to name: it needs SNI, or its chain is too large.

OpenSSL's reasons for these two read like a port that does not speak TLS
(``tlsv1 unrecognized name`` lacks the word "alert"; ``excessive message size``),
so :mod:`certconv.network._handshake` asks here first.
"""

from __future__ import annotations

from ..base._errors import NetworkError, Option, hint

__all__ = ["HEAD", "MAX_CERT_LIST", "certificate_message_size", "named_refusal"]

MAX_CERT_LIST = 100 * 1024
"""OpenSSL's default bound on a peer's certificate list (SSL_CTX_set_max_cert_list), which pyOpenSSL keeps."""

HEAD = 64 * 1024
"""How much of the server's first bytes the handshake keeps, to find the size of its Certificate message."""


def named_refusal(reasons: list[str], name: str, sni_words: str, head: bytes) -> NetworkError | None:
    """The error for OpenSSL's ``reasons`` when they have a cause to name, else ``None``.

    Args:
        reasons: OpenSSL's reason strings.
        name: The target's name (``tls://host:port``).
        sni_words: ``SNI <name>`` or ``no SNI``, what was sent.
        head: The first :data:`HEAD` bytes the server sent.
    """
    if "tlsv1 unrecognized name" in reasons:
        # RFC 6066 §3: the unrecognized_name alert, the answer of a server that hosts several names and was
        # not told which.
        return NetworkError(
            f"the server does not know the name it was sent ({sni_words}) and refused the TLS handshake "
            "(unrecognized_name alert): it serves several host names and needs to be told which one",
            path=name,
            hint=hint("give the backend's host name with {}", Option.SNI),
        )
    if "excessive message size" in reasons:
        size = certificate_message_size(head)
        how_large = f"of {size:,} bytes, more than" if size is not None else "larger than"
        return NetworkError(
            f"the server sends a certificate chain {how_large} the {MAX_CERT_LIST:,} bytes a TLS "
            "client (OpenSSL) reads; real chains are a few KB: configure the server to send only its "
            "certificate and the intermediates",
            path=name,
        )
    return None


def certificate_message_size(head: bytes) -> int | None:
    """The length the server's Certificate handshake message declares, when it is in the clear (TLS 1.2 and older).

    RFC 5246 §6.2.1 and §7.4: records of type 22 carry the handshake messages back to back, each
    a type (11: Certificate) and a 3-byte length. TLS 1.3 encrypts the Certificate message: ``None``.
    """
    handshake = bytearray()
    pos = 0
    while pos + 5 <= len(head) and head[pos] == 22:  # handshake records, until anything else
        length = int.from_bytes(head[pos + 3 : pos + 5], "big")
        handshake += head[pos + 5 : pos + 5 + length]
        pos += 5 + length
    at = 0
    while at + 4 <= len(handshake):
        kind, length = handshake[at], int.from_bytes(handshake[at + 1 : at + 4], "big")
        if kind == 11:
            return length
        at += 4 + length
    return None
