"""Full crawls of the bundled wire site, each in its own process via ``runner.crawl``."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from crawlers import runner
from devsite import WireSite
from devsite.localsite import LOCAL_POLITENESS, local_sources_file
from storage.counts import Counts
from storage.schema import validate_record

pytestmark = pytest.mark.integration

#: Polite defaults are for real sites; the local site answers at once.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.05,
    "RETRY_AFTER_MAX": 1,
}


def rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(site, tmp_path, day="2025-03-10", mode="incremental", source="yonhap_en", **kwargs):
    return runner.crawl(
        source,
        date.fromisoformat(day),
        (tmp_path / "store").as_uri(),
        # every built-in source aimed at its imitation on the local site
        sources_file=str(local_sources_file(site.base_urls, tmp_path / "sources.yaml")),
        mode=mode,
        settings=FAST,
        work_dir=tmp_path / "work",
        timeout=120,
        **kwargs,
    )


def assert_adds_up(counts: dict) -> None:
    assert Counts.from_dict(counts).check().parsed is not None  # a crawl's counts, adding up


def test_incremental_crawl_stages_a_complete_run(wiresite, tmp_path):
    result = run(wiresite, tmp_path, day="2025-03-11")
    store = tmp_path / "store"
    staging = store / result["staging"]
    for name in ("items.jsonl.gz", "quarantine.jsonl.gz", "ledger.jsonl.gz", "crawl.json"):
        assert (staging / name).is_file(), name
    assert (store / result["raw"]).is_file()
    counts = result["counts"]
    assert_adds_up(counts)
    assert counts["parsed"] >= 8

    # robots.txt forbids one linked story: counted, and never requested
    assert counts["filtered"].get("robots_txt") == 1
    ledger = rows(staging / "ledger.jsonl.gz")
    (blocked,) = [r for r in ledger if r["reason"] == "robots_txt"]
    blocked_path = blocked["url"].removeprefix(wiresite.base_url)
    served = [path for _, path, _ in wiresite.requests]
    assert "/robots.txt" in served
    assert blocked_path not in served
    assert len(ledger) == counts["discovered"]

    items = rows(staging / "items.jsonl.gz")
    assert len(items) == counts["parsed"]
    assert all(r["published_at"].startswith("2025-03-11") for r in items)
    crawl = json.loads((staging / "crawl.json").read_text())
    assert crawl["run_id"] == result["run_id"] and crawl["status"] == "ok"

    # each record's raw pointer seeks straight to its own response in the WARC
    warc = store / result["raw"]
    with open(warc, "rb") as handle:
        for record in items:
            assert record["raw"]["warc"] == result["raw"]
            handle.seek(record["raw"]["offset"])
            response = next(iter(ArchiveIterator(handle)))
            assert response.rec_type == "response"
            assert response.rec_headers.get_header("WARC-Record-ID") == record["raw"]["record_id"]
            assert response.rec_headers.get_header("WARC-Target-URI") == record["fetched_url"]
            body = response.content_stream().read()
            assert b"<html" in body.lower() and response.http_headers.get_statuscode() == "200"


def test_backfill_by_listings_finds_exactly_that_days_stories(wiresite, tmp_path):
    result = run(wiresite, tmp_path, day="2025-03-10", mode="backfill")
    items = rows(tmp_path / "store" / result["staging"] / "items.jsonl.gz")
    ids = sorted(r["id"].split(":", 1)[1] for r in items)
    expected = sorted(
        p.stem for p in (Path(runner.PROJECT_ROOT) / "devsite/content/yonhap_en").glob(
            "AEN20250310*.txt"
        )
    )
    assert ids == expected
    assert_adds_up(result["counts"])
    served = [path for _, path, _ in wiresite.requests]
    assert "/news" in served
    assert not any(p.startswith(("/RSS/", "/sitemap")) for p in served)


def test_korean_euc_kr_pages_are_decoded(wiresite, tmp_path):
    result = run(wiresite, tmp_path, day="2025-03-10", mode="all", source="yonhap_ko")
    assert result["counts"]["parsed"] >= 1
    assert_adds_up(result["counts"])
    items = rows(tmp_path / "store" / result["staging"] / "items.jsonl.gz")
    text = items[0]["title"] + " ".join(items[0]["body"])
    assert "연합뉴스" in text and "수출" in text  # the day's one story, AKR20250310041400003
    assert "\ufffd" not in text  # no replacement characters: EUC-KR decoded, not guessed wrong
    assert items[0]["source"] == "yonhap_ko" and items[0]["language"] == "ko"


def test_failed_crawl_names_the_source_and_exit_code(tmp_path):
    with pytest.raises(runner.CrawlError, match="yonhap_en") as info:
        runner.crawl(
            "yonhap_en", date(2025, 3, 10), (tmp_path / "store").as_uri(),
            settings={"ITEM_PIPELINES": {"no.such.Pipeline": 1}},
            work_dir=tmp_path / "work", timeout=60,
        )
    assert info.value.returncode not in (0, None)
    assert info.value.tail


def test_a_crawl_over_its_memory_limit_fails_instead_of_publishing_part_of_the_day(wiresite, tmp_path):
    # Any Python process is above 1 MB resident, so the first check stops the crawl.
    with pytest.raises(runner.CrawlError, match="memory limit of 1 MB") as info:
        runner.crawl("yonhap_en", date(2025, 3, 10), (tmp_path / "store").as_uri(),
                     sources_file=str(local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")),
                     settings={**FAST, "MEMUSAGE_LIMIT_MB": 1, "MEMUSAGE_WARNING_MB": 0},
                     work_dir=tmp_path / "work", timeout=120)
    assert "WIREDESK_CRAWL_MEMORY_MB" in str(info.value)
    assert not list((tmp_path / "store").rglob("manifest.json"))


#: Where each fault of the local site must end (devsite.faults).
EXPECTED_FAULT_OUTCOMES = {
    "500_then_ok": ("parsed", None),
    "429_retry_after": ("parsed", None),
    "503_retry_after": ("parsed", None),
    "slow": ("fetch_failed", "timeout"),
    "truncated": ("fetch_failed", "data_loss"),
    "redirect_loop": ("fetch_failed", "redirect_loop"),
    "offsite_redirect": ("fetch_failed", "offsite_redirect"),
    "wrong_charset": ("parsed", None),
    "euckr_no_header": ("parsed", None),
    "not_html": ("quarantined", "not_html"),
    "huge": ("fetch_failed", "too_large"),
    "404": ("fetch_failed", "http_404"),
    "no_article": ("quarantined", "no_article_body"),
    "moved": ("parsed", None),
}


def test_every_fault_ends_counted_with_its_reason(wiresite_faults, tmp_path):
    from devsite.faults import ARTICLE_FAULTS

    site = wiresite_faults
    result = run(site, tmp_path, day="2025-03-12", mode="incremental")
    staging = tmp_path / "store" / result["staging"]
    counts = result["counts"]
    assert_adds_up(counts)
    ledger = {r["url"].removeprefix(site.base_url): r for r in rows(staging / "ledger.jsonl.gz")}
    assert len(ledger) == counts["discovered"]
    for fault in ARTICLE_FAULTS:
        row = ledger[fault.path]
        assert (row["outcome"], row["reason"]) == EXPECTED_FAULT_OUTCOMES[fault.name], fault.name

    # the document faults are explained, and the run went on
    reasons = {(e["url"].removeprefix(site.base_url), e["reason"])
               for e in result["discovery_errors"]}
    assert ("/RSS/breaking.xml", "malformed_xml") in reasons
    assert ("/sitemap/news/bomb.xml", "xml_entities") in reasons
    assert counts["parsed"] >= 10

    served = [path for _, path, _ in site.requests]
    assert served.count("/view/AEN20250312900200315") == 2  # 429, then honoured retry
    assert not any("example.invalid" in path for path in served)

    items = {r["fetched_url"].removeprefix(site.base_url): r
             for r in rows(staging / "items.jsonl.gz")}
    korean = items["/view/AEN20250312900800315"]
    assert "한류" in " ".join(korean["body"])
    quarantine = {r["url"].removeprefix(site.base_url): r
                  for r in rows(staging / "quarantine.jsonl.gz")}
    assert quarantine["/view/AEN20250312901000315"]["stage"] == "parse"
    assert quarantine["/view/AEN20250312901000315"]["raw"]["warc"] == result["raw"]

    # failures are archived too: error responses as responses, network errors as notes
    archived = {}
    with open(tmp_path / "store" / result["raw"], "rb") as handle:
        for record in ArchiveIterator(handle):
            uri = (record.rec_headers.get_header("WARC-Target-URI") or "").removeprefix(
                site.base_url
            )
            if record.rec_type == "response":
                archived.setdefault(uri, set()).add(record.http_headers.get_statuscode())
            elif record.rec_type == "metadata":
                archived.setdefault(uri, set()).add("note")
    assert archived["/view/AEN20250312901200315"] == {"404"}
    assert archived["/view/AEN20250312900100315"] == {"500", "200"}
    assert "note" in archived["/view/AEN20250312900400315"]  # timed out: no response at all


def test_a_redirected_article_is_ledgered_under_its_discovered_url(tmp_path):
    """The ledger speaks of what was discovered; ``item`` joins it to the record."""
    from devsite.faults import MOVED_TARGET

    discovered = "/view/AEN20250312901400315"  # the "moved" fault: 301 to MOVED_TARGET
    with WireSite(faults=["moved"]) as site:
        result = run(site, tmp_path, day="2025-03-12")
        served = site.requests
        base = site.base_url
    assert ("GET", discovered, 301) in served and ("GET", MOVED_TARGET, 200) in served
    staging = tmp_path / "store" / result["staging"]
    assert_adds_up(result["counts"])
    ledger = rows(staging / "ledger.jsonl.gz")
    assert len(ledger) == result["counts"]["discovered"]
    by_url = {r["url"]: r for r in ledger}
    assert len(by_url) == len(ledger)
    row = by_url[base + discovered]
    assert (row["outcome"], row["fetched_url"], row["status"]) == (
        "parsed", base + MOVED_TARGET, 200)
    assert base + MOVED_TARGET not in by_url

    # every parsed row points at its own record, every record is pointed at once
    items = rows(staging / "items.jsonl.gz")
    parsed = [r for r in ledger if r["outcome"] == "parsed"]
    assert sorted(r["item"] for r in parsed) == list(range(len(items)))
    for r in parsed:
        assert items[r["item"]]["fetched_url"] == r["fetched_url"]
    assert all(r["item"] is None for r in ledger if r["outcome"] != "parsed")

    # ...and so does the published day's ledger: one row per discovered URL, none under the target
    import storage

    store = storage.open_store((tmp_path / "store").as_uri())
    manifest = storage.publish_run(store, "yonhap_en", "2025-03-12", result["run_id"])
    published = [json.loads(line) for line in
                 gzip.decompress(store.get_bytes(manifest["ledger"])).splitlines()]
    by_url = {r["url"]: r for r in published}
    assert len(by_url) == len(published) == manifest["counts"]["discovered"]
    row = by_url[base + discovered]
    assert (row["outcome"], row["fetched_url"], row["status"]) == (
        "published", base + MOVED_TARGET, 200)
    assert row["id"] and row["version"] and base + MOVED_TARGET not in by_url


def test_a_new_source_reusing_a_parser_stages_records_of_its_own(wiresite, tmp_path):
    """A YAML source with another site's parser: its records carry its own source and ids."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": {"mywire": {
        "name": "My Wire (Yonhap English pages)",
        "language": "en",
        "timezone": "Asia/Seoul",
        "allowed_domains": ["en.yna.co.kr"],
        "feeds": ["https://en.yna.co.kr/RSS/news.xml"],
        "url_filters": {"allow": [{"name": "article", "pattern": r"/view/A[A-Z]{2}\d{8}\d+"}]},
        "parser": "yonhap_en",
        "base_url": wiresite.base_url,
        "politeness": LOCAL_POLITENESS,
    }}}), encoding="utf-8")
    result = runner.crawl(
        "mywire", date(2025, 3, 11), (tmp_path / "store").as_uri(), sources_file=str(sources),
        settings=FAST, work_dir=tmp_path / "work", timeout=120,
    )
    assert_adds_up(result["counts"])
    assert result["counts"]["parsed"] >= 8
    items = rows(tmp_path / "store" / result["staging"] / "items.jsonl.gz")
    assert len(items) == result["counts"]["parsed"]
    for record in items:
        validate_record(record)
        assert record["source"] == "mywire" and record["id"].startswith("mywire:")
        assert record["parser"]["name"] == "yonhap_en"
    import storage

    manifest = storage.publish_run(storage.open_store((tmp_path / "store").as_uri()), "mywire",
                                   "2025-03-11", result["run_id"])
    assert manifest["counts"]["published"] == len(items)  # none quarantined as schema_invalid
    assert manifest["counts"]["quarantined"].get("schema_invalid") is None


def test_a_finished_crawl_is_kept_when_its_store_stays_down(wiresite, tmp_path, monkeypatch):
    """No S3 server answers: staging retries for its window, then fails and keeps the run."""
    from storage.errors import StorageUnavailable
    from tests.support.seaweed import free_ports

    [port] = free_ports(1)  # nothing listens there
    monkeypatch.setenv("WIREDESK_STAGING_RETRY_SECONDS", "2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "WDTESTKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
    with pytest.raises(StorageUnavailable, match="gave up after 2s") as caught:
        runner.crawl(
            "yonhap_en", date(2025, 3, 10), "s3://wd-down/x",
            sources_file=str(local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")),
            settings=FAST, timeout=120,
            storage_options={"endpoint_url": f"http://127.0.0.1:{port}", "max_attempts": 1,
                             "connect_timeout": 0.5},
        )
    kept = [note for note in caught.value.__notes__ if "finished crawl is kept in" in note]
    run_dir = Path(kept[0].split("kept in ", 1)[1].split(";")[0])
    assert (run_dir / "crawl.json").is_file() and (run_dir / "items.jsonl.gz").is_file()
    import shutil

    shutil.rmtree(run_dir.parent)
