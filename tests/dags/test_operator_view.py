"""What an operator reads in a task: the day chosen, the summary lines, the failure message, the XCom.

These run the functions the DAG tasks call (:mod:`wiredesk.run`) without
Airflow or a crawl; the real crawl and the real Airflow run are covered by
``tests/e2e``. The one stand-in is ``crawlers.runner.crawl`` returning an
empty day, which a healthy wire site does not produce on demand.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, date, datetime

import pytest

from wiredesk import run

DAY = date(2025, 3, 12)

CRAWL_COUNTS = {
    "discovered": 24,
    "filtered": {"video": 2},
    "fetch_failed": {"http_404": 1},
    "quarantined": {"no_body": 1},
    "parsed": 20,
}
MANIFEST = {
    "source": "yonhap_en",
    "date": "2025-03-12",
    "run_id": "20250313T000501Z-abc123",
    "records": 18,
    "parts": [{"key": "articles/v1/source=yonhap_en/date=2025-03-12/part-x-00000.jsonl.gz", "records": 18}],
    "counts": {
        "discovered": 24,
        "filtered": {"video": 2},
        "duplicate": 2,
        "fetch_failed": {"http_404": 1},
        "quarantined": {"no_body": 1},
        "published": 18,
    },
    "quarantine": ["quarantine/source=yonhap_en/date=2025-03-12/20250313T000501Z-abc123.jsonl.gz"],
    "raw": ["raw/source=yonhap_en/date=2025-03-12/20250313T000501Z-abc123.warc.gz"],
}


# -- which day a run covers -------------------------------------------------------------


def test_params_date_wins():
    assert run.resolve_day("2025-03-10", datetime(2025, 3, 11, 15, tzinfo=UTC), "Asia/Seoul") == date(2025, 3, 10)


def test_data_interval_start_is_read_in_the_source_time_zone():
    # Seoul midnight of the 12th is 15:00 UTC on the 11th.
    assert run.resolve_day(None, datetime(2025, 3, 11, 15, tzinfo=UTC), "Asia/Seoul") == DAY


def test_a_run_without_logical_date_takes_the_day_before_its_trigger_time():
    # Airflow 3 manual runs have no data interval; 01:00 on the 13th in Seoul covers the 12th.
    triggered = datetime(2025, 3, 12, 16, tzinfo=UTC)
    assert run.resolve_day(None, None, "Asia/Seoul", run_after=triggered) == DAY


def test_a_malformed_date_param_fails_with_the_value():
    with pytest.raises(run.RunError, match=r"YYYY-MM-DD, got '12/03/2025'"):
        run.resolve_day("12/03/2025", None, "UTC")


# -- summary lines and XCom ------------------------------------------------------------


def test_crawl_counts_line_shows_totals_fetched_and_reasons():
    line = run.format_counts(CRAWL_COUNTS)
    assert line == ("discovered=24 fetched=21 parsed=20 filtered=2(video: 2) "
                    "fetch_failed=1(http_404: 1) quarantined=1(no_body: 1)")


def test_publish_counts_line_adds_up_to_discovered():
    line = run.format_counts(MANIFEST["counts"])
    assert line.startswith("discovered=24 fetched=21 published=18 duplicate=2 ")
    totals = run.summarize(MANIFEST)["counts"]
    assert totals["discovered"] == (totals["filtered"] + totals["duplicate"] + totals["fetch_failed"]
                                    + totals["quarantined"] + totals["published"])


def test_publish_xcom_is_a_small_readable_dict():
    summary = run.summarize(MANIFEST)
    assert summary["counts"] == {"discovered": 24, "fetched": 21, "published": 18, "duplicate": 2,
                                 "filtered": 2, "fetch_failed": 1, "quarantined": 1}
    assert summary["reasons"] == {"filtered": {"video": 2}, "fetch_failed": {"http_404": 1},
                                  "quarantined": {"no_body": 1}}
    assert summary["partition"] == "articles/v1/source=yonhap_en/date=2025-03-12/"
    assert summary["parts"] == 1
    assert summary["quarantine"] == MANIFEST["quarantine"] and summary["raw"] == MANIFEST["raw"]
    assert summary["summary"] == run.format_counts(MANIFEST["counts"])
    assert len(json.dumps(summary)) < 1000  # fits the XCom view without scrolling through part keys


def test_asset_extra_names_the_partition_and_every_total():
    extra = run.asset_extra(MANIFEST)
    assert extra == {"source": "yonhap_en", "date": "2025-03-12", "run_id": MANIFEST["run_id"], "records": 18,
                     "discovered": 24, "fetched": 21, "filtered": 2, "fetch_failed": 1, "quarantined": 1,
                     "duplicate": 2, "published": 18,
                     "partition": "articles/v1/source=yonhap_en/date=2025-03-12/", "table_version": None}
    assert run.asset_extra(run.summarize(MANIFEST)) == extra  # the publish XCom gives the same
    published = {**MANIFEST, "table_version": 7}  # what publish_run returns with the table on
    assert run.asset_extra(run.summarize(published))["table_version"] == 7


GATES = [
    {"gate": "min_articles", "passed": True, "measured": "20 parsed records", "limit": "at least 1",
     "skipped": False},
    {"gate": "drift", "passed": True, "measured": "0 earlier published day(s), 3 needed for a baseline",
     "limit": "+0.30 over the mean of the last 7 published day(s)", "skipped": True},
]


def test_report_logs_every_count_with_its_reasons_as_a_table(caplog):
    caplog.set_level(logging.INFO, logger="wiredesk.run")
    scoreboard = run.report_step({**run.summarize(MANIFEST), "gates": GATES})
    table = scoreboard["table"].splitlines()
    assert table[0].split() == ["count", "total", "reasons"]
    assert set(table[1]) == {"-"}
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in table[2:9]}
    assert rows == {"discovered": ["24"], "fetched": ["21"], "published": ["18"], "duplicate": ["2"],
                    "filtered": ["2", "video: 2"], "fetch_failed": ["1", "http_404: 1"],
                    "quarantined": ["1", "no_body: 1"]}
    assert table[9] == "gate min_articles: passed: 20 parsed records (limit at least 1)"
    assert table[10].startswith("gate drift: skipped: 0 earlier published day(s)")
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith("report yonhap_en 2025-03-12 (run 20250313T000501Z-abc123): 18 records under "
                              "articles/v1/source=yonhap_en/date=2025-03-12/\n")
    assert message.endswith(scoreboard["table"])
    assert scoreboard["extra"] == run.asset_extra(MANIFEST)
    assert scoreboard["counts"]["fetch_failed"] == 1 and scoreboard["reasons"]["filtered"] == {"video": 2}
    assert scoreboard["gates"] == GATES
    json.dumps(scoreboard)  # an XCom


def test_crawl_xcom_drops_the_local_run_dir_and_caps_discovery_errors():
    errors = [{"url": f"http://x/feed{i}.xml", "reason": "http_500", "message": "m"} for i in range(30)]
    compact = run.compact_crawl_result({"source": "s", "date": "2025-03-12", "run_id": "r", "counts": {},
                                        "run_dir": "/tmp/w/run", "discovery_errors": errors})
    assert "run_dir" not in compact
    assert compact["discovery_errors"] == errors[: run.MAX_XCOM_ERRORS]


# -- a crawl that found nothing ----------------------------------------------------------


def _empty_crawl(errors):
    return {"source": "yonhap_ko", "date": "2025-03-12", "run_id": "r1", "status": "ok",
            "counts": {"discovered": 0, "filtered": {}, "fetch_failed": {}, "quarantined": {}, "parsed": 0},
            "discovery_errors": errors, "staging": "staging/...",
            "raw": "raw/source=yonhap_ko/date=2025-03-12/r1.warc.gz"}


def test_nothing_discovered_names_source_day_unreadable_feeds_and_next_steps():
    errors = [{"url": "http://127.0.0.1:9/rss/news.xml", "reason": "connection_refused", "message": "m"}]
    message = run.nothing_discovered_message("yonhap_ko", DAY, _empty_crawl(errors))
    first, *rest = message.splitlines()
    assert first == "crawl yonhap_ko 2025-03-12: discovered 0 URLs (minimum 1); nothing published."
    assert "http://127.0.0.1:9/rss/news.xml (connection_refused)" in message
    assert "Check: is the site up" in message
    assert "raw/source=yonhap_ko/date=2025-03-12/r1.warc.gz" in message
    assert "re-run" in rest[-1]


def test_nothing_discovered_without_errors_points_at_the_day_and_the_feeds():
    message = run.nothing_discovered_message("yonhap_ko", DAY, _empty_crawl([]))
    assert "none listed a story for this day" in message
    assert "mode=backfill" in message


def test_crawl_step_fails_with_the_message_and_logs_the_summary_first(monkeypatch, caplog):
    from crawlers import runner

    errors = [{"url": "http://127.0.0.1:9/rss/news.xml", "reason": "connection_refused", "message": "m"}]
    monkeypatch.setattr(runner, "crawl", lambda *a, **k: _empty_crawl(errors))
    caplog.set_level(logging.INFO, logger="wiredesk.run")
    with pytest.raises(run.RunError, match=r"^crawl yonhap_ko 2025-03-12: discovered 0 URLs") as failure:
        run.crawl_step("yonhap_ko", DAY, storage_url="file:///nowhere")
    assert "connection_refused" in str(failure.value)
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "wiredesk.run"]
    assert messages[0] == ("INFO", "crawl yonhap_ko 2025-03-12: discovered=0 fetched=0 parsed=0 "
                                   "filtered=0 fetch_failed=0 quarantined=0")
    assert ("WARNING", "crawl yonhap_ko 2025-03-12: could not read http://127.0.0.1:9/rss/news.xml "
                       "(connection_refused): m") in messages


# -- the crawl process's output ----------------------------------------------------------


SCRAPY_OUTPUT = (
    "2025-03-12 10:00:00 [scrapy.utils.log] INFO: Scrapy 2.19.0 started (bot: wiredesk)\n"
    "2025-03-12 10:00:01 [scrapy.core.engine] INFO: Spider opened\n"
    "2025-03-12 10:00:02 [crawlers.accounting] WARNING: discovery: http://x/rss.xml could not be read\n"
    "2025-03-12 10:00:03 [scrapy.core.scraper] ERROR: Spider error processing <GET http://x/a>\n"
    "Traceback (most recent call last):\n"
    "  ValueError: boom\n"
    "2025-03-12 10:00:04 [scrapy.statscollectors] INFO: Dumping Scrapy stats:\n"
    "{'item_scraped_count': 3}"  # no newline yet: emitted on close
)


def test_child_log_lines_keep_their_level_and_logger(caplog):
    caplog.set_level(logging.DEBUG, logger="crawl")
    stream = run.ChildLogStream()
    for chunk in (SCRAPY_OUTPUT[:50], SCRAPY_OUTPUT[50:333], SCRAPY_OUTPUT[333:]):  # chunks split lines
        stream.write(chunk)
    stream.close()
    got = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert got == [
        ("crawl.scrapy.utils.log", "DEBUG", "Scrapy 2.19.0 started (bot: wiredesk)"),
        ("crawl.scrapy.core.engine", "INFO", "Spider opened"),
        ("crawl.crawlers.accounting", "WARNING", "discovery: http://x/rss.xml could not be read"),
        ("crawl.scrapy.core.scraper", "ERROR", "Spider error processing <GET http://x/a>"),
        ("crawl.scrapy.core.scraper", "ERROR", "Traceback (most recent call last):"),
        ("crawl.scrapy.core.scraper", "ERROR", "  ValueError: boom"),
        ("crawl.scrapy.statscollectors", "INFO", "Dumping Scrapy stats:"),
        ("crawl.scrapy.statscollectors", "INFO", "{'item_scraped_count': 3}"),
    ]


def test_a_redrawn_progress_line_is_logged_in_its_last_state(caplog):
    caplog.set_level(logging.INFO, logger="crawl")
    stream = run.ChildLogStream()
    stream.write("progress: 1 page\rprogress: 2 pages\rprogress: 3 pages\n")
    assert [r.getMessage() for r in caplog.records] == ["progress: 3 pages"]


def test_crawl_step_routes_the_crawl_process_output_through_logging(monkeypatch, caplog):
    from crawlers import runner

    def fake_crawl(*args, **kwargs):
        sys.stderr.write("2025-03-12 10:00:02 [crawlers.accounting] WARNING: feed broken\n")
        return {**_empty_crawl([]), "counts": {**_empty_crawl([])["counts"], "discovered": 1, "parsed": 1}}

    monkeypatch.setattr(runner, "crawl", fake_crawl)
    caplog.set_level(logging.INFO)
    stderr = sys.stderr
    run.crawl_step("yonhap_ko", DAY, storage_url="file:///nowhere", log_child_output=True)
    assert ("crawl.crawlers.accounting", logging.WARNING, "feed broken") in [
        (r.name, r.levelno, r.getMessage()) for r in caplog.records
    ]
    assert sys.stderr is stderr and not isinstance(sys.stderr, run.ChildLogStream)  # restored


def test_a_crashed_crawl_is_logged_with_source_day_and_mode(monkeypatch, caplog):
    from crawlers import runner

    def crash(*args, **kwargs):
        raise runner.CrawlError("crawl of 'yonhap_en' failed with exit code 1; last log lines:\nboom",
                                source="yonhap_en", returncode=1, tail=["boom"])

    monkeypatch.setattr(runner, "crawl", crash)
    caplog.set_level(logging.ERROR, logger="wiredesk.run")
    with pytest.raises(runner.CrawlError) as failure:  # the runner's error type, for callers that catch it
        run.crawl_step("yonhap_en", DAY, storage_url="file:///nowhere", mode="backfill")
    assert [r.getMessage() for r in caplog.records] == [
        "crawl yonhap_en 2025-03-12 (mode backfill) failed: nothing published by this attempt: "
        "crawl of 'yonhap_en' failed with exit code 1; last log lines:"
    ]
    assert "clear the task to re-run the day" in failure.value.__notes__[0]


def test_a_failed_publish_names_source_day_and_run(tmp_path, caplog):
    from storage.errors import PublishError

    caplog.set_level(logging.ERROR, logger="wiredesk.run")
    crawled = {"source": "yonhap_en", "date": "2025-03-12", "run_id": "r-missing"}
    with pytest.raises(PublishError):  # nothing was staged under this run id: a real store, a real error
        run.publish_step(crawled, storage_url=tmp_path.as_uri())
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith("publish yonhap_en 2025-03-12 (run r-missing) failed: "
                              "readers still see one complete partition of the day, the old or the new: "
                              "nothing staged for")


def test_crawl_step_hands_the_crawl_timeout_to_the_runner(monkeypatch):
    from crawlers import runner

    seen = {}

    def fake_crawl(*args, **kwargs):
        seen.update(kwargs)
        return {**_empty_crawl([]), "counts": {**_empty_crawl([])["counts"], "discovered": 1, "parsed": 1}}

    monkeypatch.setattr(runner, "crawl", fake_crawl)
    monkeypatch.setenv("WIREDESK_CRAWL_TIMEOUT_SECONDS", "123")
    run.crawl_step("yonhap_ko", DAY, storage_url="file:///nowhere")
    assert seen["timeout"] == 123
    run.crawl_step("yonhap_ko", DAY, storage_url="file:///nowhere", timeout=45.0)
    assert seen["timeout"] == 45.0


def test_a_logical_date_at_the_source_midnight_names_the_day_whatever_the_interval():
    # `airflow dags trigger --logical-date 2025-03-12T00:00:00+09:00` infers its interval from the trigger time.
    seoul_midnight = datetime(2025, 3, 11, 15, tzinfo=UTC)
    later_interval = datetime(2026, 12, 4, 15, tzinfo=UTC)
    assert run.resolve_day(None, later_interval, "Asia/Seoul", logical_date=seoul_midnight) == DAY


def test_a_logical_date_off_midnight_falls_back_to_the_data_interval():
    # The trigger form's "now": the last complete day before it, as the data interval says.
    now = datetime(2025, 3, 13, 1, 30, tzinfo=UTC)
    assert run.resolve_day(None, datetime(2025, 3, 11, 15, tzinfo=UTC), "Asia/Seoul", logical_date=now) == DAY


def test_params_date_still_wins_over_the_logical_date_and_says_so(caplog):
    with caplog.at_level(logging.WARNING):
        day = run.resolve_day("2025-03-10", None, "Asia/Seoul", logical_date=datetime(2025, 3, 11, 15, tzinfo=UTC))
    assert day == date(2025, 3, 10)
    assert "differs from the run's logical date" in caplog.text
