"""Turn a failed request into an outcome and a short, stable reason.

Reasons are counter keys in ``crawl.json`` and the ledger, so they are
named once here: ``http_<status>``, ``timeout``, ``dns``,
``connection_refused``, ``connection_lost``, ``data_loss``, ``too_large``,
``offsite_redirect``, ``redirect_loop``; robots.txt refusals are not fetch
failures but ``filtered/robots_txt`` (the page was never requested).
"""

from __future__ import annotations

from typing import NamedTuple

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawlers.middlewares import OffsiteRedirect


class Outcome(NamedTuple):
    outcome: str  # "filtered" | "fetch_failed"
    reason: str
    status: int | None = None


_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, net_error.DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, net_error.ConnectionRefusedError), "connection_refused"),
    ((ResponseDataLossError,), "data_loss"),
    ((DownloadCancelledError, defer.CancelledError), "too_large"),
    ((ResponseFailed, net_error.ConnectionLost, net_error.ConnectionDone), "connection_lost"),
)


def classify_failure(failure: Failure) -> Outcome:
    """The outcome of a request whose errback received ``failure``."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return Outcome("fetch_failed", f"http_{status}", status)
    if isinstance(exc, OffsiteRedirect):
        return Outcome("fetch_failed", "offsite_redirect")
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots.txt" in text:
            return Outcome("filtered", "robots_txt")
        if "max redirections" in text:
            return Outcome("fetch_failed", "redirect_loop")
        if "offsite" in text:
            return Outcome("filtered", "offsite")
        return Outcome("fetch_failed", "ignored")
    for types, reason in _BY_TYPE:
        if isinstance(exc, types):
            if reason == "connection_lost" and _is_data_loss(exc):
                return Outcome("fetch_failed", "data_loss")
            return Outcome("fetch_failed", reason)
    return Outcome("fetch_failed", _snake(type(exc).__name__))


def _is_data_loss(exc: BaseException) -> bool:
    reasons = getattr(exc, "reasons", None) or []
    return any("PotentialDataLoss" in repr(r) or "_DataLoss" in repr(r) for r in reasons)


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).strip("_")
    return out[:40] or "error"
