"""The parse pipeline: crawler-only fields filled, refusals quarantined, undated pages checked."""

from __future__ import annotations

import asyncio
from datetime import date
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler

from crawlers.pipelines import ParsePipeline
from crawlers.sources import SourceSpec, get_source
from devsite.build import story_pages

RAW = {"warc": "raw/source=yonhap_en/date=2025-03-10/R.warc.gz", "record_id": "<urn:x>",
       "offset": 123}


def _pipeline(day: date, source: SourceSpec | None = None) -> ParsePipeline:
    crawler = get_crawler(settings_dict={"WIREDESK_PARSE_IN_THREAD": False})
    crawler.spider = SimpleNamespace(source=source or get_source("yonhap_en"), day=day)
    return ParsePipeline.from_crawler(crawler)


def _process(pipeline: ParsePipeline, item: dict) -> dict:
    """The pipeline's own entry point; inline parsing needs no running reactor."""
    return asyncio.run(pipeline.process_item(item))


def _item(body: bytes, check_interval: bool = False) -> dict:
    return {
        "url": "https://en.yna.co.kr/view/AEN20250310000200315",
        "fetched_url": "http://127.0.0.1:1/view/AEN20250310000200315",
        "status": 200,
        "body": body,
        "encoding": "utf-8",
        "fetched_at": "2025-03-10T12:00:00Z",
        "raw": RAW,
        "check_interval": check_interval,
    }


@pytest.fixture
def page() -> bytes:
    return next(p.body for p in story_pages("yonhap_en") if p.path == "/view/AEN20250310000200315")


def test_record_gets_fetch_fields_and_raw_pointer(page):
    out = _process(_pipeline(date(2025, 3, 10)), _item(page))
    record = out["record"]
    assert record["fetched_url"] == "http://127.0.0.1:1/view/AEN20250310000200315"
    assert record["fetched_at"] == "2025-03-10T12:00:00Z"
    assert record["raw"] == RAW
    assert record["source"] == "yonhap_en" and record["body"]


def test_undated_discovery_outside_the_day_is_filtered(page):
    out = _process(_pipeline(date(2025, 3, 11)), _item(page, check_interval=True))
    assert out == {"url": _item(page)["url"], "filtered": "out_of_interval", "status": 200,
                   "fetched_url": _item(page)["fetched_url"]}
    # a page dated by its feed entry is trusted: no second check
    assert "record" in _process(_pipeline(date(2025, 3, 11)), _item(page, check_interval=False))


def test_refused_page_becomes_a_quarantine_row():
    out = _process(_pipeline(date(2025, 3, 10)), _item(b"%PDF-1.7 binary"))
    row = out["quarantine"]
    assert row["stage"] == "parse" and row["reason"] in {"not_html", "empty", "no_article_body"}
    assert row["message"] and row["raw"] == RAW and row["status"] == 200
    assert set(row) == {"url", "fetched_url", "stage", "reason", "message", "status",
                        "fetched_at", "raw"}


def test_a_source_reusing_a_parser_keeps_its_own_source(page):
    spec = get_source("yonhap_en").model_copy(update={"id": "mywire", "parser": "yonhap_en"})
    out = _process(_pipeline(date(2025, 3, 10), spec), _item(page))
    record = out["record"]
    assert record["source"] == "mywire" and record["id"].startswith("mywire:")
    assert record["parser"]["name"] == "yonhap_en"
