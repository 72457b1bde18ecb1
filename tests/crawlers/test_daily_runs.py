"""Day after day on the bundled wire site: dedup, versions and re-runs through crawl + publish.

The site carries one story that is updated across two days: the first version
and its ``(LEAD)`` on 2025-03-11, its ``(2nd LD)`` on 2025-03-12.  Each update
must become the next version of the same article; re-running a day must
publish the same records again, never anything new and never a duplicate.
"""

from __future__ import annotations

from datetime import date

import pytest

from devsite.localsite import local_sources_file
from storage import read_articles
from storage.counts import Counts
from storage.read import read_manifest
from wiredesk.run import run_source

pytestmark = pytest.mark.integration

STORY = "yonhap_en:AEN20250311002000315"  # story key shared by the original and its updates
DAY1, DAY2 = date(2025, 3, 11), date(2025, 3, 12)


def _publish(day, store_url, sources):
    return run_source("yonhap_en", day, storage_url=store_url, sources_file=str(sources))


def _records(store_url, day):
    return list(read_articles(store_url, source="yonhap_en", start=day, end=day))


def _adds_up(counts):
    return Counts.from_dict(counts).check().published is not None


def _ledger_adds_up(store_url, day):
    """The archived ledger has one row per discovered URL, with the manifest's outcomes."""
    import gzip
    import json
    from collections import Counter

    from storage import open_store

    store = open_store(store_url)
    manifest = read_manifest(store, "yonhap_en", day)
    rows = [json.loads(line) for line in gzip.decompress(store.get_bytes(manifest["ledger"])).splitlines()]
    outcomes = Counter(row["outcome"] for row in rows)
    counts = manifest["counts"]
    assert len(rows) == counts["discovered"]
    assert outcomes["published"] == counts["published"]
    assert outcomes["duplicate"] == counts["duplicate"]
    assert outcomes["filtered"] == sum(counts["filtered"].values())
    assert outcomes["fetch_failed"] == sum(counts["fetch_failed"].values())
    assert outcomes["quarantined"] == sum(counts["quarantined"].values())
    return rows


def test_updates_become_versions_and_reruns_publish_nothing_new(tmp_path, wiresite):
    store_url = (tmp_path / "store").as_uri()
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")

    first = _publish(DAY1, store_url, sources)
    day1 = _records(store_url, DAY1)
    story_day1 = sorted((r["version"], r["update_flag"]) for r in day1 if r["id"] == STORY)
    assert [flag for _version, flag in story_day1] == [None, "LEAD"]  # in story order
    assert _adds_up(first["counts"])
    assert first["counts"]["filtered"].get("robots_txt", 0) == 1  # the embargoed story
    ledger = _ledger_adds_up(store_url, DAY1)
    assert [r["url"].rsplit("/", 1)[-1] for r in ledger if r["outcome"] == "filtered"] == ["AEN20250311009900315"]

    second = _publish(DAY2, store_url, sources)
    day2 = _records(store_url, DAY2)
    story_day2 = [(r["version"], r["update_flag"]) for r in day2 if r["id"] == STORY]
    assert [flag for _version, flag in story_day2] == ["2nd LD"]
    assert story_day2[0][0] > story_day1[-1][0]  # a later version of the same story
    assert _adds_up(second["counts"])
    # Nothing published on day 1 comes back on day 2 unchanged.
    seen = {(r["id"], r["content_hash"]) for r in day1}
    assert not [r["title"] for r in day2 if (r["id"], r["content_hash"]) in seen]

    # Re-running day 2 replaces its partition with the same records and versions.
    again = _publish(DAY2, store_url, sources)
    assert again["run_id"] != second["run_id"]
    key = lambda r: (r["id"], r["version"], r["content_hash"])  # noqa: E731
    assert sorted(map(key, _records(store_url, DAY2))) == sorted(map(key, day2))
    assert again["counts"] == second["counts"]
    _ledger_adds_up(store_url, DAY2)
    from storage import open_store

    ledgers = list(open_store(store_url).list_keys(f"ledger/source=yonhap_en/date={DAY2}/"))
    assert ledgers == [f"ledger/source=yonhap_en/date={DAY2}/{again['commit_id']}.jsonl.gz"]

    # ... and re-running day 1 afterwards does not disturb day 2's versions.
    _publish(DAY1, store_url, sources)
    assert sorted(map(key, _records(store_url, DAY1))) == sorted(map(key, day1))
    assert read_manifest(open_store(store_url), "yonhap_en", DAY2)["run_id"] == again["run_id"]


def test_a_backfill_out_of_order_gives_the_same_versions(tmp_path, wiresite):
    """Day 2 first, then a backfill of day 1: the same records, ids and versions as in order."""
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    key = lambda r: (r["id"], r["version"], r["content_hash"])  # noqa: E731
    found = []
    for name, days in (("in-order", (DAY1, DAY2)), ("backfill", (DAY2, DAY1))):
        store_url = (tmp_path / name).as_uri()
        for day in days:
            _publish(day, store_url, sources)
        found.append(sorted(key(r) for day in (DAY1, DAY2) for r in _records(store_url, day)))
    assert found[0] == found[1]
    story = [v for i, v, _h in found[1] if i == STORY]
    assert len(story) == 3 and story == sorted(story)
