"""Complete chains over the network: follow AIA caIssuers URLs to missing issuers.

Like Windows' chain engine, certconv downloads the issuer of every certificate
whose issuer is not in the input from the URLs in its Authority Information
Access extension (RFC 5280 §4.2.2.1), then repeats for what it downloaded.

* Every caIssuers URL of a certificate is tried, in order, until one yields a
  certificate whose key verifies the child's signature; responses may be DER,
  PEM or PKCS#7 (``.p7c``): they go through the same reader as files.
* It stops at a self-signed root, after :data:`MAX_DEPTH` rounds, on a loop (a
  URL already followed that did not help), or when nothing new was found.
* Only ``http`` and ``https`` are followed (redirects too, at most
  :data:`MAX_REDIRECTS`, never to another scheme). A response over
  :data:`MAX_RESPONSE_SIZE` bytes, slower than the timeout from request to last
  byte, failing, or not holding the issuer becomes a warning, never an error.
* Two clocks bound the time: each download gets ``timeout`` seconds from
  connecting to its last byte, and all downloads of one completion together get
  ``total_timeout`` (default :data:`TOTAL_TIMEOUT_FACTOR` × ``timeout``). When
  that runs out, the downloads left are skipped with one ``aia-time-limit``
  warning; without it, 30 slow URLs at ``timeout=1`` took 30 s.

Nothing here runs unless asked for (``complete=True``): certconv never touches
the network on its own. ``http.client`` is imported only when a URL is fetched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..base._args import DEFAULT_TIMEOUT, check_moment, check_timeout
from ..base._enums import WarningCode
from ..base._errors import CertconvError
from ..bundle._chain import BundleCheck, build_bundle
from ..pki._model import AIA_SOURCE_PREFIX, Bundle, BundleWarning, Certificate
from ..pki._names import display_name
from ..pki._x509 import ca_issuers_urls, issued_by
from ..readers._read import RawCertificate, ReadResult, Source, read_source
from ..readers._tolerant import signed_part
from ._http import MAX_REDIRECTS, MAX_RESPONSE_SIZE, Refused, download, seconds

if TYPE_CHECKING:
    from ._proxy import ProxyConfig

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_DEPTH",
    "MAX_DOWNLOADS",
    "MAX_REDIRECTS",
    "MAX_RESPONSE_SIZE",
    "TOTAL_TIMEOUT_FACTOR",
    "complete_bundle",
]

TOTAL_TIMEOUT_FACTOR = 3
"""All downloads of one completion share this many timeouts (30 s at the default 10 s).

Real completions make one to three downloads, each well under a second; a
completion that needs more than three timeouts' worth is waiting on dead servers.
"""

MAX_DEPTH = 10
"""At most this many rounds of downloads (levels above the input's certificates)."""

MAX_DOWNLOADS = 100
"""Downloads per completion, whatever the number of certificates with missing issuers."""


@dataclass(slots=True)
class _Walk:
    """State of one completion: what was downloaded, what was said about it."""

    timeout: float
    deadline: float  # on _clock(): when the total time of the run is spent
    max_size: int
    responses: dict[str, ReadResult | None]
    warnings: list[BundleWarning]
    downloads: int = 0
    exhausted: bool = False  # MAX_DOWNLOADS reached: no more downloads in this run
    out_of_time: bool = False  # the deadline passed: no more downloads in this run
    proxy: ProxyConfig | None = None


# The clock of the total deadline; a seam tests may replace with a fake one.
_clock = time.monotonic


def complete_bundle(
    results: Sequence[ReadResult],
    *,
    at: datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout: float | None = None,
    max_depth: int = MAX_DEPTH,
    max_size: int = MAX_RESPONSE_SIZE,
    proxy: ProxyConfig | None = None,
    checks: Sequence[BundleCheck] = (),
) -> Bundle:
    """Build the bundle of ``results`` after downloading missing issuers over AIA.

    Each downloaded response that helped becomes an input named ``aia:<url>``
    (so its certificates' ``source`` says where they came from); what went
    wrong or deserves a look becomes a :class:`BundleWarning` (codes
    ``aia-fetched``, ``aia-failed``, ``aia-not-certificate``, ``aia-wrong-issuer``,
    ``aia-unsupported-url``, ``aia-loop``, ``aia-depth``, ``aia-limit``,
    ``aia-time-limit``).

    Args:
        results: What was read.
        at: When validity is judged; default now.
        timeout: Seconds per download, from connecting to the last byte.
        total_timeout: Seconds for all downloads of this call together; default
            :data:`TOTAL_TIMEOUT_FACTOR` × ``timeout``. A download never runs past
            it; those it leaves are skipped with one ``aia-time-limit`` warning.
        max_depth: Rounds of downloads (levels above the input).
        max_size: Largest response read, in bytes.
        proxy: Proxies for the downloads (``http`` URLs through its ``http``
            proxy, ``https`` ones tunnelled through its ``https`` proxy); ``None``
            connects directly.
        checks: As for :func:`certconv.bundle._chain.build_bundle`.

    Raises:
        UsageError: ``timeout`` or ``total_timeout`` is not a number of seconds
            from 0 to an hour, or ``at`` is outside the dates certconv can compare.
    """
    timeout = check_timeout(timeout)
    total = TOTAL_TIMEOUT_FACTOR * timeout if total_timeout is None else check_timeout(total_timeout)
    at = check_moment(at)
    pool = list(results)
    walk = _Walk(timeout, _clock() + total, max_size, {}, [], proxy=proxy)
    bundle = build_bundle(pool, at=at, checks=checks)
    for depth in range(max_depth + 1):
        missing = [c for c in bundle.certificates if not c.self_signed and c.issuer_sha1 is None]
        if not missing:
            break
        if depth == max_depth:
            walk.warnings.append(
                BundleWarning(
                    WarningCode.AIA_DEPTH,
                    f"stopped following AIA after {max_depth} levels; the issuer of "
                    f"'{missing[0].common_name}' is still missing",
                    missing[0].sha1,
                )
            )
            break
        found: list[ReadResult] = []
        for index, cert in enumerate(missing):
            result = _issuer_of(cert, walk)
            if result is not None and result not in found and result not in pool:
                found.append(result)
            if walk.out_of_time:
                # Count what is left undone at this level, for the one warning that says so.
                skipped = sum(_open_urls(c, walk) for c in missing[index:])
                walk.warnings.append(
                    BundleWarning(
                        WarningCode.AIA_TIME_LIMIT,
                        f"stopped following AIA after {seconds(total)} s in all ({walk.downloads} downloads made, "
                        f"{skipped} skipped); the issuer of '{cert.common_name}' and maybe others are still "
                        "missing (raise the timeout, or check that the AIA servers answer)",
                        cert.sha1,
                    )
                )
                break
            if walk.exhausted:
                walk.warnings.append(
                    BundleWarning(
                        WarningCode.AIA_LIMIT,
                        f"stopped after {MAX_DOWNLOADS} AIA downloads; the issuer of '{cert.common_name}' "
                        "and maybe others are still missing",
                        cert.sha1,
                    )
                )
                break
        pool.extend(found)
        if found:
            bundle = build_bundle(pool, at=at, checks=checks)
        if not found or walk.exhausted or walk.out_of_time:
            break
    fetched = [
        BundleWarning(
            WarningCode.AIA_FETCHED,
            f"'{c.common_name}' was downloaded from {c.source.removeprefix(AIA_SOURCE_PREFIX)}; compare its SHA-1 "
            "thumbprint with one you trust before you upload it",
            c.sha1,
        )
        for c in bundle.certificates
        if c.downloaded
    ]
    return replace(bundle, warnings=(*bundle.warnings, *walk.warnings, *fetched))


def _issuer_of(cert: Certificate, walk: _Walk) -> ReadResult | None:
    """The first response among ``cert``'s caIssuers URLs that holds its issuer."""
    unsupported: list[str] = []
    for url in ca_issuers_urls(cert.x509):
        if url.partition(":")[0].lower() not in ("http", "https"):
            unsupported.append(url)  # ldap: and file: are common; worth a word only if nothing else works
            continue
        seen = url in walk.responses
        if not seen:
            if walk.downloads >= MAX_DOWNLOADS:
                walk.exhausted = True
                return None
            if walk.deadline - _clock() <= 0:
                walk.out_of_time = True
                return None
            walk.responses[url] = _download_certificates(url, cert, walk)
        result = walk.responses[url]
        if result is None:
            continue
        issuers = [raw for raw in result.certificates if _issued(cert, raw)]
        if issuers:
            return _keep_path(result, issuers)
        if seen:
            walk.warnings.append(
                BundleWarning(
                    WarningCode.AIA_LOOP,
                    f"the AIA URL of '{cert.common_name}' ({url}) was followed already and does not lead to "
                    "its issuer: the AIA URLs form a loop",
                    cert.sha1,
                )
            )
        else:
            names = ", ".join(f"'{display_name(raw.x509.subject)}'" for raw in result.certificates)
            walk.warnings.append(
                BundleWarning(
                    WarningCode.AIA_WRONG_ISSUER,
                    f"{url} (AIA of '{cert.common_name}') holds {names}, which did not issue it",
                    cert.sha1,
                )
            )
    if unsupported:
        walk.warnings.append(
            BundleWarning(
                WarningCode.AIA_UNSUPPORTED_URL,
                f"the AIA URL {', '.join(unsupported)} of '{cert.common_name}' is not http or https; not followed",
                cert.sha1,
            )
        )
    return None


def _open_urls(cert: Certificate, walk: _Walk) -> int:
    """How many of ``cert``'s http(s) caIssuers URLs were not downloaded yet."""
    return sum(
        1
        for url in ca_issuers_urls(cert.x509)
        if url.partition(":")[0].lower() in ("http", "https") and url not in walk.responses
    )


def _issued(child: Certificate, raw: RawCertificate) -> bool:
    return issued_by(child.x509, raw.x509, tbs=signed_part(child))


def _keep_path(result: ReadResult, issuers: list[RawCertificate]) -> ReadResult:
    """Only the issuer and what, in the same response, issued it in turn (a ``.p7c`` may hold a path)."""
    kept = list(issuers)
    grew = True
    while grew:
        grew = False
        for raw in result.certificates:
            if raw not in kept and any(issued_by(k.x509, raw.x509, tbs=signed_part(k)) for k in kept):
                kept.append(raw)
                grew = True
    return ReadResult(result.name, result.format, tuple(kept), (), result.warnings)


def _download_certificates(url: str, cert: Certificate, walk: _Walk) -> ReadResult | None:
    """Download and read ``url``; a warning and ``None`` when that fails."""
    walk.downloads += 1
    # Never past the run's deadline: the last download gets what is left of it.
    timeout = min(walk.timeout, walk.deadline - _clock())
    try:
        body, content_type = download(url, timeout=timeout, max_size=walk.max_size, proxy=walk.proxy)
    except Refused as exc:
        walk.warnings.append(
            BundleWarning(
                WarningCode.AIA_FAILED, f"could not download {url} (AIA of '{cert.common_name}'): {exc}", cert.sha1
            )
        )
        return None
    try:
        return read_source(Source(AIA_SOURCE_PREFIX + url, body))
    except CertconvError as exc:
        what = f" ({content_type})" if content_type else ""
        walk.warnings.append(
            BundleWarning(
                WarningCode.AIA_NOT_CERTIFICATE,
                f"{url}{what} (AIA of '{cert.common_name}') is not a certificate: {exc.detail}",
                cert.sha1,
            )
        )
        return None
