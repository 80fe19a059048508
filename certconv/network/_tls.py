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
import time
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..azure._checks import BUNDLE_CHECKS
from ..base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from ..base._face import publish
from ..bundle._chain import build_bundle
from ..readers._read import Source, read_source
from ..trust._path import searching_until
from ._handshake import Session, Target, parse_target, session_of
from ._served import ClientCertificateCheck, FetchResult, diagnose

if TYPE_CHECKING:
    from ._client_cert import ClientIdentity
    from ._proxy import ProxyConfig

__all__ = ["DEFAULT_TIMEOUT", "fetch"]

JUDGING_MARGIN = 1.0
"""Seconds past ``fetch``'s deadline its path search may take to judge a chain that arrived just in time."""


def fetch(
    target: str | Target,
    *,
    sni: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    complete: bool = False,
    at: datetime | None = None,
    proxy: ProxyConfig | None = None,
    client: ClientIdentity | None = None,
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
        client: The client certificate to present when the server asks for one
            (:func:`certconv.diagnose_backend` reads it from ``client_certificate``).

    Returns:
        A :class:`FetchResult`: the served certificates in order, the bundle,
        the negotiated protocol and cipher suite, whether the server asked for a
        client certificate (and took the one presented), and a verdict on the served chain.

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
    start = time.monotonic()
    session = session_of(where, timeout=timeout, proxy=proxy, client=client, settle=True)
    served_der = session.chain
    # The served certificates are an input like any file (DER back to back, exactly as sent, so one
    # that only the tolerant path reads keeps its bytes); its format says where they came from.
    result = replace(read_source(Source(where.name, b"".join(served_der))), format="TLS")
    # Judging what was served is bounded in work; a server's crafted chain must not outlast the deadline
    # either: the path search stops at it, plus a margin for a chain that arrived just before it.
    with searching_until(start + (4 if complete else 1) * timeout + JUDGING_MARGIN):
        if complete:
            from ._aia import complete_bundle

            bundle = complete_bundle([result], at=at, timeout=timeout, proxy=proxy, checks=BUNDLE_CHECKS)
        else:
            bundle = build_bundle([result], at=at, checks=BUNDLE_CHECKS)
    by_sha1 = {c.sha1: c for c in bundle.certificates}
    served = tuple(by_sha1[hashlib.sha1(der).hexdigest().upper()] for der in served_der)  # noqa: S324
    verdict, message = diagnose(served, bundle)
    return FetchResult(
        where.name,
        where.sni,
        served,
        bundle,
        verdict,
        message,
        protocol=session.protocol,
        cipher=session.cipher,
        client_certificate=_client_check(session, client),
    )


def _client_check(session: Session, client: ClientIdentity | None) -> ClientCertificateCheck:
    """What the handshake showed about client certificates, in :class:`ClientCertificateCheck`'s terms."""
    auth = session.client_auth
    given = client.certificate if client is not None else None
    presented = auth.requested and client is not None
    refused = auth.alert is not None
    return ClientCertificateCheck(
        requested=auth.requested,
        required=(refused if auth.requested else False) if not presented else None,
        given=given,
        presented=presented,
        accepted=(not refused) if presented else None,
        acceptable_cas=auth.acceptable_cas,
        alert=auth.alert,
        post_handshake_unseen=session.protocol == "TLSv1.3" and not auth.requested,
    )


publish(globals())
