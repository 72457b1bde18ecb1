"""Re-parse: published days rebuilt from their raw WARC pages with today's parsers, nothing fetched.

Real crawls of the bundled wire site publish two days once per module; each
test works on its own copy of that store. The parser change is a new version
of the Yonhap parser registered for the test (in this process only: the
crawl ran in its own process with the real one).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from devsite import WireSite
from devsite.localsite import local_sources_file
from parsers import registry
from parsers.yonhap import YonhapEnParser
from storage import open_store, read_articles
from storage.counts import Counts
from storage.read import read_manifest
from wiredesk import cli
from wiredesk.reparse import ReparseError, day_range, reparse_day
from wiredesk.run import run_source

pytestmark = pytest.mark.integration

SOURCE = "yonhap_en"
DAY1, DAY2 = "2025-03-11", "2025-03-12"
MARK = "Re-parsed by parser 9.9."


class YonhapEnNext(YonhapEnParser):
    """The next Yonhap parser version: its records say so in their last paragraph."""

    version = "9.9"

    def body(self, lines):  # noqa: ANN001, ANN201 - the parent's signature
        return [*super().body(lines), MARK]


class Published:
    """Two crawled days in a store, and the site that served them (still running)."""

    def __init__(self, root: Path, site: WireSite, sources: Path) -> None:
        self.root, self.site, self.sources = root, site, sources

    def copy(self, tmp_path: Path) -> str:
        target = tmp_path / "store"
        shutil.copytree(self.root, target)
        return target.as_uri()

    def copy_into(self, store_config: tuple[str, dict]) -> tuple[str, dict]:
        """The two days, object by object, in the empty store of ``store_config``
        (``file://`` or a SeaweedFS bucket); returns that ``(url, options)``."""
        url, options = store_config
        with open_store(self.root.as_uri()) as source, open_store(url, **options) as target:
            for key in source.list_keys():
                target.put_bytes(key, source.get_bytes(key))
        return url, options


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Iterator[Published]:
    work = tmp_path_factory.mktemp("reparse")
    site = WireSite().start()
    try:
        sources = local_sources_file(site.base_urls, work / "sources.yaml")
        for day in (DAY1, DAY2):
            run_source(SOURCE, date.fromisoformat(day), storage_url=(work / "store").as_uri(),
                       sources_file=str(sources))
        yield Published(work / "store", site, sources)
    finally:
        site.stop()


@pytest.fixture
def next_parser(monkeypatch) -> None:
    monkeypatch.setitem(registry.PARSERS, SOURCE, (YonhapEnNext,))


def _records(url: str, day: str, **options) -> list[dict]:
    return sorted(read_articles(url, source=SOURCE, start=day, end=day, **options), key=lambda r: r["id"])


def _ledger(store, manifest) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(store.get_bytes(manifest["ledger"])).splitlines()]


def test_reparse_rewrites_a_day_from_raw_pages_without_a_request(published, next_parser, tmp_path):
    url = published.copy(tmp_path)
    store = open_store(url)
    before = read_manifest(store, SOURCE, DAY1)
    old, old_rows = _records(url, DAY1), _ledger(store, before)
    assert old and all(r["parser"]["version"] == "1.0" and MARK not in r["body"] for r in old)
    requests = len(published.site.requests)

    manifest = reparse_day(store, SOURCE, DAY1, sources_file=str(published.sources))

    assert len(published.site.requests) == requests  # nothing reached the site
    assert manifest["run_id"].startswith("reparse-") and manifest["run_id"] != before["run_id"]
    assert read_manifest(store, SOURCE, DAY1)["run_id"] == manifest["run_id"]  # it holds the day
    assert manifest["raw"] == before["raw"]  # the original WARC files, nothing archived anew
    assert manifest["parser_versions"] == {"yonhap_en": {"9.9": manifest["records"]}}
    new = _records(url, DAY1)
    assert [r["id"] for r in new] == [r["id"] for r in old]
    assert all(r["parser"] == {"name": "yonhap_en", "version": "9.9"} and r["body"][-1] == MARK
               for r in new)
    for was, now in zip(old, new, strict=True):
        assert now["body"][:-1] == was["body"] and now["title"] == was["title"]
        assert now["raw"] == was["raw"] and now["fetched_url"] == was["fetched_url"]
        assert now["content_hash"] != was["content_hash"]

    # Every discovered URL keeps exactly one outcome, and the counts add up.
    counts = Counts.from_dict(manifest["counts"]).check()
    old_counts = Counts.from_dict(before["counts"])
    assert counts.discovered == old_counts.discovered and counts.filtered == old_counts.filtered
    assert counts.fetch_failed == old_counts.fetch_failed
    assert counts.filtered.get("robots_txt") == 1  # the embargoed story stays filtered, unfetched
    rows = _ledger(store, manifest)
    assert len(rows) == counts.discovered
    outcomes = Counter(row["outcome"] for row in rows)
    assert (outcomes["published"], outcomes["duplicate"]) == (counts.published, counts.duplicate)
    assert outcomes["filtered"] == sum(counts.filtered.values())
    assert [r for r in rows if r["outcome"] in ("filtered", "fetch_failed")] == [
        r for r in old_rows if r["outcome"] in ("filtered", "fetch_failed")]
    assert {row["id"] for row in rows if row["outcome"] == "published"} == {r["id"] for r in new}


@pytest.mark.parametrize("crawl_before", ["_parse_chosen", "publish_run"])
def test_a_crawl_published_while_a_reparse_runs_keeps_the_day(published, next_parser, store_config,
                                                               monkeypatch, caplog, crawl_before):
    """The day's scheduled crawl publishes while a re-parse of the previous crawl's pages
    is parsing the pages it read, or right before it publishes: the crawl's pages are
    newer, so the re-parse publishes nothing over it (file store and SeaweedFS)."""
    import logging

    import storage.publish as publish_module
    import wiredesk.reparse as reparse_module

    url, options = published.copy_into(store_config)
    store = open_store(url, **options)
    before = read_manifest(store, SOURCE, DAY1)
    module = {"_parse_chosen": reparse_module, "publish_run": publish_module}[crawl_before]
    real_step, crawled = getattr(module, crawl_before), {}

    def crawl_then_step(*args, **kwargs):
        if not crawled:
            crawled["run"] = None  # once (the crawl publishes through here too)
            crawled.update(run_source(SOURCE, date.fromisoformat(DAY1), storage_url=url,
                                      sources_file=str(published.sources), **options))
        return real_step(*args, **kwargs)

    monkeypatch.setattr(module, crawl_before, crawl_then_step)
    with caplog.at_level(logging.WARNING, logger="wiredesk.reparse"):
        manifest = reparse_day(store, SOURCE, DAY1, sources_file=str(published.sources))
    held = read_manifest(store, SOURCE, DAY1)
    assert held["run_id"] == crawled["run_id"] != before["run_id"]
    assert manifest["run_id"] == held["run_id"]
    assert all(MARK not in r["body"] for r in _records(url, DAY1, **options))  # the crawl's records
    assert any(f"run {held['run_id']}, a crawl newer than the pages re-parsed" in r.getMessage()
               for r in caplog.records)
    # the re-parse of the new crawl then replaces it (Airflow's retry, or a later trigger)
    again = reparse_day(store, SOURCE, DAY1, sources_file=str(published.sources))
    assert again["run_id"].startswith("reparse-") and again["crawled_at"] > held["crawled_at"]


def test_a_crawl_that_replaced_the_day_before_the_reparse_read_it_fails_it_clearly(
        published, next_parser, store_config, monkeypatch):
    """The crawl publishes right after the re-parse read the manifest and deletes the files
    that manifest lists: the re-parse says what happened and publishes nothing (file store
    and SeaweedFS)."""
    import storage.read as read_module

    url, options = published.copy_into(store_config)
    store = open_store(url, **options)
    before = read_manifest(store, SOURCE, DAY1)
    real_read, crawled = read_module.read_manifest, {}

    def read_then_crawl(*args, **kwargs):
        manifest = real_read(*args, **kwargs)
        if not crawled:
            crawled["run"] = None  # once (the crawl's publish reads manifests too)
            crawled.update(run_source(SOURCE, date.fromisoformat(DAY1), storage_url=url,
                                      sources_file=str(published.sources), **options))
        return manifest

    monkeypatch.setattr(read_module, "read_manifest", read_then_crawl)
    with pytest.raises(ReparseError, match=rf"run {crawled.get('run_id', '.*')} replaced run "
                                           rf"{before['run_id']} while it was being re-parsed"):
        reparse_day(store, SOURCE, DAY1, sources_file=str(published.sources))
    assert real_read(store, SOURCE, DAY1)["run_id"] == crawled["run_id"]


def test_reparse_twice_gives_the_same_records(published, next_parser, tmp_path):
    url = published.copy(tmp_path)
    store = open_store(url)
    first = reparse_day(store, SOURCE, DAY2, sources_file=str(published.sources))
    records, rows = _records(url, DAY2), _ledger(store, first)
    second = reparse_day(store, SOURCE, DAY2, sources_file=str(published.sources))
    assert second["run_id"] != first["run_id"]
    assert _records(url, DAY2) == records  # every field: ids, versions, hashes, raw, fetched_at
    assert second["counts"] == first["counts"] and second["raw"] == first["raw"]
    assert _ledger(store, second) == rows


def test_reparse_without_a_parser_change_keeps_the_records(published, tmp_path):
    url = published.copy(tmp_path)
    store = open_store(url)
    old = _records(url, DAY2)
    before = read_manifest(store, SOURCE, DAY2)
    manifest = reparse_day(store, SOURCE, DAY2, sources_file=str(published.sources))
    drop = lambda r: {k: v for k, v in r.items() if k != "fetched_at"}  # noqa: E731 - WARC-Date vs parse time
    assert [drop(r) for r in _records(url, DAY2)] == [drop(r) for r in old]
    assert manifest["counts"] == before["counts"]


def test_the_cli_reparses_a_range_with_a_line_per_day(published, next_parser, tmp_path, capsys):
    url = published.copy(tmp_path)
    requests = len(published.site.requests)
    code = cli.main(["reparse", SOURCE, "--from", DAY1, "--to", DAY2, "--storage", url,
                     "--sources", str(published.sources)])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [f"reparse {SOURCE} {DAY1}", f"reparse {SOURCE} {DAY2}"]
    for line, day in zip(lines, (DAY1, DAY2), strict=True):
        manifest = read_manifest(open_store(url), SOURCE, day)
        assert manifest["run_id"].startswith("reparse-") and f"run {manifest['run_id']}:" in line
        assert line.endswith(Counts.from_dict(manifest["counts"]).format())
        assert all(r["body"][-1] == MARK for r in _records(url, day))
    assert len(published.site.requests) == requests


def test_a_day_without_a_partition_is_an_error_that_publishes_nothing(tmp_path, capsys):
    url = (tmp_path / "empty").as_uri()
    with pytest.raises(ReparseError, match="no published partition"):
        reparse_day(open_store(url), SOURCE, DAY1)
    assert cli.main(["reparse", SOURCE, "--from", DAY2, "--to", DAY1, "--storage", url]) == 1
    assert "before --from" in capsys.readouterr().err


def test_day_range():
    assert day_range("2025-02-27", "2025-03-02") == ["2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02"]
    assert day_range(date(2025, 3, 1), date(2025, 3, 1)) == ["2025-03-01"]


def test_a_faulty_day_reparses_to_the_same_outcomes(wiresite_faults, tmp_path):
    """Retries, redirects, wrong charsets, fetch failures and quarantined pages: each URL
    ends as it did in the crawl (same parsers), read back from the right archived response."""
    url = (tmp_path / "store").as_uri()
    sources = local_sources_file(wiresite_faults.base_urls, tmp_path / "sources.yaml")
    crawled = run_source(SOURCE, date.fromisoformat(DAY2), storage_url=url, sources_file=str(sources))
    assert crawled["counts"]["fetch_failed"] and crawled["counts"]["quarantined"]  # the faults are there
    old = _records(url, DAY2)
    store = open_store(url)
    old_rows = _ledger(store, read_manifest(store, SOURCE, DAY2))
    requests = len(wiresite_faults.requests)

    manifest = reparse_day(store, SOURCE, DAY2, sources_file=str(sources))

    assert len(wiresite_faults.requests) == requests
    assert manifest["counts"] == crawled["counts"]
    drop = lambda r: {k: v for k, v in r.items() if k != "fetched_at"}  # noqa: E731
    assert [drop(r) for r in _records(url, DAY2)] == [drop(r) for r in old]
    assert _ledger(store, manifest) == old_rows
    quarantined = [json.loads(line) for key in manifest["quarantine"]
                   for line in gzip.decompress(store.get_bytes(key)).splitlines()]
    assert sorted(row["reason"] for row in quarantined) == sorted(crawled["counts"]["quarantined"])
    assert all(row["raw"]["warc"] in manifest["raw"] for row in quarantined)
