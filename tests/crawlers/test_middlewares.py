"""Retry-After / backoff retry middleware and the offsite-redirect guard."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawlers.middlewares import (
    OffsiteRedirect,
    OffsiteRedirectMiddleware,
    RetryAfterMiddleware,
    parse_retry_after,
)


def test_parse_retry_after_seconds_and_http_date():
    assert parse_retry_after(b"7") == 7.0
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(when, now=now) == pytest.approx(30.0)
    assert parse_retry_after(b"soon") is None
    assert parse_retry_after(None) is None


def _middleware(**settings):
    crawler = get_crawler(settings_dict=settings)
    crawler.spider = crawler._create_spider("t")
    return RetryAfterMiddleware.from_crawler(crawler)


def test_retry_after_is_honoured_and_capped():
    mw = _middleware(RETRY_AFTER_MAX=60, RETRY_BACKOFF_BASE=0.5)
    request = Request("https://en.yna.co.kr/view/A")
    assert mw.retry_delay(request, Response(request.url, status=429,
                                            headers={"Retry-After": "3"})) == 3.0
    assert mw.retry_delay(request, Response(request.url, status=503,
                                            headers={"Retry-After": "3600"})) == 60.0
    # no header: exponential backoff on the attempt number
    assert mw.retry_delay(request, Response(request.url, status=500)) == 0.5
    request.meta["retry_times"] = 3
    assert mw.retry_delay(request) == 4.0


def test_429_becomes_a_retry_request_then_gives_up():
    mw = _middleware(RETRY_TIMES=1)
    request = Request("https://en.yna.co.kr/view/A")
    response = Response(request.url, status=429, headers={"Retry-After": "0"}, request=request)
    retry = asyncio.run(mw.process_response(request, response))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    final = asyncio.run(mw.process_response(retry, response))
    assert final is response  # retries used up: the 429 goes to the errback as http_429
    assert mw.crawler.stats.get_value("retry/count") == 1


def test_429_retry_waits_what_retry_after_says(monkeypatch):
    mw = _middleware(RETRY_TIMES=1)
    waited = []

    async def fake_sleep(seconds, request):
        waited.append(seconds)

    monkeypatch.setattr(mw, "_sleep", fake_sleep)
    request = Request("https://en.yna.co.kr/view/A")
    response = Response(request.url, status=429, headers={"Retry-After": "2"}, request=request)
    retry = asyncio.run(mw.process_response(request, response))
    assert isinstance(retry, Request)
    assert waited == [2.0]  # the retry waited before it was issued


def test_network_error_retry_waits_the_backoff(monkeypatch):
    from twisted.internet.error import TimeoutError as NetTimeout

    mw = _middleware(RETRY_TIMES=2, RETRY_BACKOFF_BASE=0.5)
    waited = []

    async def fake_sleep(seconds, request):
        waited.append(seconds)

    monkeypatch.setattr(mw, "_sleep", fake_sleep)
    request = Request("https://en.yna.co.kr/view/A")
    retry = asyncio.run(mw.process_exception(request, NetTimeout()))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    again = asyncio.run(mw.process_exception(retry, NetTimeout()))
    assert isinstance(again, Request)
    assert waited == [0.5, 1.0]  # base * 2**attempt
    assert asyncio.run(mw.process_exception(request, ValueError("not a network error"))) is None


def test_offsite_redirect_is_refused():
    crawler = get_crawler()

    class Spider:
        class source:  # noqa: N801 - stands in for a SourceSpec
            allowed_domains = ["en.yna.co.kr"]

    crawler.spider = Spider()
    mw = OffsiteRedirectMiddleware.from_crawler(crawler)
    request = Request("https://en.yna.co.kr/view/A")
    inside = Response(request.url, status=301, headers={"Location": "/view/B"})
    assert mw.process_response(request, inside) is inside
    outside = Response(request.url, status=302, headers={"Location": "https://evil.example/x"})
    with pytest.raises(OffsiteRedirect):
        mw.process_response(request, outside)
