"""Accounting: one outcome per discovered URL, sums checked, ledger and crawl.json written."""

from __future__ import annotations

import gzip
import io
import json
import logging
from datetime import date
from types import SimpleNamespace

from scrapy.utils.test import get_crawler

from crawlers import signals as wd_signals
from crawlers.accounting import Accounting
from crawlers.progress import Progress


def _opened(tmp_path):
    crawler = get_crawler()
    ext = Accounting.from_crawler(crawler)
    spider = SimpleNamespace(run_dir=tmp_path, run_id="R1", day=date(2025, 3, 10),
                             source=SimpleNamespace(id="yonhap_en"), mode="incremental",
                             raw_key="raw/source=yonhap_en/date=2025-03-10/R1.warc.gz")
    ext.spider_opened(spider)
    return crawler, ext, spider


def _send(crawler, signal, **kwargs):
    crawler.signals.send_catch_log(signal, **kwargs)


def test_outcomes_add_up_and_unfinished_urls_are_counted(tmp_path):
    crawler, ext, spider = _opened(tmp_path)
    for n in range(4):
        _send(crawler, wd_signals.url_discovered, url=f"http://x/{n}", via="feed")
    _send(crawler, wd_signals.url_outcome, url="http://x/0", outcome="parsed", status=200,
          fetched_url="http://x/0-moved", item=0)
    _send(crawler, wd_signals.url_outcome, url="http://x/1", outcome="filtered", reason="photo")
    _send(crawler, wd_signals.url_outcome, url="http://x/2", outcome="fetch_failed",
          reason="http_404", status=404)
    ext.spider_closed(spider, "shutdown")

    crawl = json.loads((tmp_path / "crawl.json").read_text())
    assert crawl["status"] == "ok"
    assert crawl["counts"] == {
        "discovered": 4, "parsed": 1, "filtered": {"photo": 1},
        "fetch_failed": {"http_404": 1, "unfinished_shutdown": 1}, "quarantined": {},
    }
    assert crawl["stats"]["wiredesk/fetch_failed/http_404"] == 1
    with gzip.open(tmp_path / "ledger.jsonl.gz", "rt") as handle:
        ledger = [json.loads(line) for line in handle]
    assert [r["outcome"] for r in ledger] == ["parsed", "filtered", "fetch_failed", "fetch_failed"]
    assert ledger[2]["status"] == 404
    # keyed by the URL as discovered; where it was fetched from and its record line beside it
    assert ledger[0] == {"url": "http://x/0", "outcome": "parsed", "reason": None, "status": 200,
                         "fetched_url": "http://x/0-moved", "item": 0}
    assert ledger[1]["fetched_url"] is None and ledger[1]["item"] is None


def test_pipeline_and_callback_errors_are_quarantined_not_lost(tmp_path):
    from scrapy import signals
    from twisted.python.failure import Failure

    crawler, ext, spider = _opened(tmp_path)
    for n in range(2):
        _send(crawler, wd_signals.url_discovered, url=f"http://x/{n}", via="feed")
    failure = Failure(RuntimeError("disk full"))
    _send(crawler, signals.item_error, item={"url": "http://x/0"}, response=None,
          spider=spider, failure=failure)
    response = SimpleNamespace(meta={"wiredesk_url": "http://x/1"}, status=200)
    _send(crawler, signals.spider_error, failure=failure, response=response, spider=spider)
    ext.spider_closed(spider, "finished")
    crawl = json.loads((tmp_path / "crawl.json").read_text())
    assert crawl["counts"]["quarantined"] == {"pipeline_error": 1, "spider_error": 1}
    assert crawl["status"] == "ok"


def test_outcome_without_discovery_fails_the_run(tmp_path, caplog):
    crawler, ext, spider = _opened(tmp_path)
    _send(crawler, wd_signals.url_discovered, url="http://x/1", via="feed")
    _send(crawler, wd_signals.url_outcome, url="http://x/1", outcome="parsed")
    with caplog.at_level(logging.ERROR):
        _send(crawler, wd_signals.url_outcome, url="http://x/1", outcome="quarantined",
              reason="empty")
    ext.spider_closed(spider, "finished")
    crawl = json.loads((tmp_path / "crawl.json").read_text())
    assert crawl["status"] == "failed"
    assert "without a pending discovery" in crawl["errors"][0]
    assert crawl["counts"]["parsed"] == 1 and crawl["counts"]["quarantined"] == {}
    assert any("accounting" in r.message for r in caplog.records)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_redraws_on_a_tty_and_logs_otherwise(caplog):
    crawler = get_crawler()
    crawler.stats.set_value("wiredesk/discovered", 12)
    crawler.stats.set_value("downloader/response_count", 10)
    tty = _Tty()
    Progress(crawler, stream=tty).report()
    assert tty.getvalue().startswith("\r") and "discovered 12 | fetched 10" in tty.getvalue()
    plain = io.StringIO()
    with caplog.at_level(logging.INFO, logger="crawlers.progress"):
        Progress(crawler, stream=plain).report()
    assert plain.getvalue() == ""
    assert "progress: discovered 12" in caplog.text
