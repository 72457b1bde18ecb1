"""Failure classification: every way a request can fail has a stable reason.

Most of these are also produced by the local wire site's faults (see
test_crawl.py); DNS and refused connections are errors a local server
cannot produce, so they are built here.
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawlers.failures import classify_failure
from crawlers.middlewares import OffsiteRedirect


def _http(status: int) -> HttpError:
    return HttpError(Response("https://x/a", status=status, request=Request("https://x/a")),
                     "Ignoring non-200 response")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_http(404), ("fetch_failed", "http_404", 404)),
        (_http(503), ("fetch_failed", "http_503", 503)),
        (IgnoreRequest("Forbidden by robots.txt"), ("filtered", "robots_txt", None)),
        (IgnoreRequest("max redirections reached"), ("fetch_failed", "redirect_loop", None)),
        (OffsiteRedirect("to elsewhere"), ("fetch_failed", "offsite_redirect", None)),
        (DownloadTimeoutError("slow"), ("fetch_failed", "timeout", None)),
        (net_error.TCPTimedOutError(), ("fetch_failed", "timeout", None)),
        (CannotResolveHostError("no.such.host"), ("fetch_failed", "dns", None)),
        (net_error.DNSLookupError("no.such.host"), ("fetch_failed", "dns", None)),
        (DownloadConnectionRefusedError(), ("fetch_failed", "connection_refused", None)),
        (ResponseDataLossError(), ("fetch_failed", "data_loss", None)),
        (ValueError("odd"), ("fetch_failed", "value_error", None)),
    ],
)
def test_reasons(exc, expected):
    assert tuple(classify_failure(Failure(exc))) == expected
