"""URL canonicalisation: one spelling per story, so dedup and ids agree.

Tracking parameters are removed by courlan (``utm_*``, ``fbclid``, ...),
ordering and escaping are normalised by w3lib; what neither library knows
is the AMP/mobile variant of a page (``m.``/``m-`` hosts, ``/amp`` paths,
``amp=1``/``outputType=amp`` queries), handled here in a few explicit lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import clean_url
from w3lib.url import canonicalize_url

_AMP_QUERY = {("amp", "1"), ("amp", "true"), ("amp", ""), ("outputtype", "amp")}
_AMP_PATH = re.compile(r"(/amp)(?=/|$)|(\.amp)(?=\.html?$|$)")


def _demobile_host(host: str, allowed_domains: Iterable[str]) -> str:
    """``m.example.com`` / ``m-en.example.com`` -> the desktop host when that is allowed."""
    allowed = [d.lower() for d in allowed_domains]
    for prefix in ("m.", "m-", "amp."):
        candidate = host.removeprefix(prefix)
        if candidate != host and (not allowed or _in_domains(candidate, allowed)):
            return candidate
    return host


def _in_domains(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def canonicalize(
    url: str,
    *,
    strip_params: Iterable[str] = (),
    allowed_domains: Iterable[str] = (),
) -> str:
    """The canonical spelling of ``url`` (no fragment, no tracking, no AMP/mobile).

    ``strip_params`` names a source's own session or referrer parameters,
    which no general tracker list can know.
    """
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    cleaned = clean_url(url) or url
    parts = urlsplit(cleaned)
    drop = {p.lower() for p in strip_params}
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in drop and (k.lower(), v.lower()) not in _AMP_QUERY
    ]
    host = (parts.hostname or "").lower()
    netloc = _demobile_host(host, allowed_domains)
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    path = _AMP_PATH.sub("", parts.path) or "/"
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def host_allowed(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the URL's host is an allowed domain or a subdomain of one."""
    return _in_domains((urlsplit(url).hostname or "").lower(), allowed_domains)
