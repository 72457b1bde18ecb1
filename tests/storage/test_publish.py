"""Publishing: round trips, idempotent re-runs, crash safety, parts, quarantine, dedup."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import storage
from storage import layout
from storage.errors import PublishError
from tests.storage.factories import as_published, make_record, quarantine_row, write_run_dir

SOURCE = "testwire"
DAY = "2026-11-20"


def stage(store: storage.ObjectStore, tmp_path: Path, run_id: str, records: list[Any],
          day: str = DAY, **kwargs: Any) -> None:
    local = write_run_dir(tmp_path / f"local-{day}-{run_id}", records, run_id=run_id, day=day,
                          **kwargs)
    storage.upload_staging(store, SOURCE, day, run_id, local)


def publish(store: storage.ObjectStore, tmp_path: Path, run_id: str, records: list[Any],
            day: str = DAY, **kwargs: Any) -> dict[str, Any]:
    limits = {k: kwargs.pop(k) for k in ("part_max_records", "part_max_bytes") if k in kwargs}
    stage(store, tmp_path, run_id, records, day=day, **kwargs)
    return storage.publish_run(store, SOURCE, day, run_id, **limits)


def part_keys(store: storage.ObjectStore, day: str = DAY) -> list[str]:
    return [k for k in store.list_keys(layout.partition_prefix(SOURCE, day))
            if layout.is_part_key(k)]


def test_round_trip(store, tmp_path) -> None:
    records = [make_record(i) for i in range(20)]
    manifest = publish(store, tmp_path, "r1", records,
                       quarantine=[quarantine_row("https://wire.example/bad")],
                       filtered={"offsite": 3}, fetch_failed={"http_404": 2})

    assert list(storage.read_articles(store, verify=True)) == [as_published(r) for r in records]
    assert manifest["counts"] == {
        "discovered": 26, "filtered": {"offsite": 3}, "duplicate": 0,
        "fetch_failed": {"http_404": 2}, "quarantined": {"no_article_body": 1},
        "published": 20,
    }
    assert manifest["complete"] and manifest["records"] == 20
    assert manifest["raw"] == [f"raw/source={SOURCE}/date={DAY}/r1.warc.gz"]
    assert manifest["parser_versions"] == {"testwire": {"1.0": 20}}
    assert manifest.pop("table_version") == 0  # the table's first commit holds the day
    assert json.loads(store.get_bytes(layout.manifest_key(SOURCE, DAY))) == manifest
    assert manifest["checksum"].startswith("sha256:") and manifest["commit_id"].startswith("r1.")
    assert manifest["state"] == [layout.versions_key(SOURCE, "2026-11-20", DAY,
                                                     manifest["commit_id"])]
    [info] = storage.list_partitions(store)
    assert (info.source, info.date, info.records, info.run_id) == (SOURCE, DAY, 20, "r1")
    # staging is gone once published; the raw archive stays
    assert list(store.list_keys("staging/")) == []
    assert store.exists(f"raw/source={SOURCE}/date={DAY}/r1.warc.gz")


def test_rerun_replaces_partition_without_leftovers(store, tmp_path) -> None:
    records = [make_record(i) for i in range(10)]
    first = publish(store, tmp_path, "r1", records, part_max_records=4)
    second = publish(store, tmp_path, "r2", records, part_max_records=4)

    assert list(storage.read_articles(store)) == [as_published(r) for r in records]
    assert second["counts"]["duplicate"] == 0  # D's own state is ignored: idempotent
    assert part_keys(store) == [p["key"] for p in second["parts"]]
    assert all(f"part-{second['commit_id']}-" in key for key in part_keys(store))
    # byte-identical content under the new commit's names
    assert [p["sha256"] for p in first["parts"]] == [p["sha256"] for p in second["parts"]]
    assert list(store.list_keys("state/source=testwire/versions/date=")) == second["state"]
    before = sorted(store.list_keys())

    assert storage.publish_run(store, SOURCE, DAY, "r2") == second  # a retry changes nothing
    assert sorted(store.list_keys()) == before


def test_rerun_replaces_quarantine_and_ledger_of_the_day(store, tmp_path) -> None:
    rows = [quarantine_row("https://example.test/broken")]
    publish(store, tmp_path, "r1", [make_record(1)], quarantine=rows)
    second = publish(store, tmp_path, "r2", [make_record(1), make_record(2)], quarantine=rows)
    assert list(store.list_keys(f"quarantine/source={SOURCE}/date={DAY}/")) == second["quarantine"]
    assert list(store.list_keys(f"ledger/source={SOURCE}/date={DAY}/")) == [second["ledger"]]
    ledger = [json.loads(line) for line in gzip.decompress(store.get_bytes(second["ledger"])).splitlines()]
    assert sorted(row["outcome"] for row in ledger) == ["published", "published", "quarantined"]


def stop_at(step: str):
    """A checkpoint that kills the publish at ``step`` (KeyboardInterrupt: no cleanup runs)."""

    def checkpoint(name: str) -> None:
        if name == step:
            raise KeyboardInterrupt(f"worker killed at {step}")

    return checkpoint


def test_crash_after_manifest_is_finished_by_a_retry(store, tmp_path) -> None:
    records = [make_record(i) for i in range(4)]
    publish(store, tmp_path, "r1", records)
    stage(store, tmp_path, "r2", records)
    with pytest.raises(KeyboardInterrupt):
        storage.publish_run(store, SOURCE, DAY, "r2", checkpoint=stop_at("committed"))
    assert storage.read_manifest(store, SOURCE, DAY)["run_id"] == "r2"  # committed
    assert list(storage.read_articles(store)) == [as_published(r) for r in records]
    assert len(part_keys(store)) == 2  # r1's part is still there, unlisted

    manifest = storage.publish_run(store, SOURCE, DAY, "r2")  # the task's retry
    assert manifest["run_id"] == "r2"
    assert part_keys(store) == [p["key"] for p in manifest["parts"]]
    assert list(store.list_keys("staging/")) == []
    later = publish(store, tmp_path, "r3", records, day="2026-11-21")
    assert later["counts"]["duplicate"] == 4  # the committed index is used for dedup


def test_a_lost_index_piece_is_rebuilt_from_the_partition(store, tmp_path) -> None:
    from storage.versions import rebuild_index

    records = [make_record(i) for i in range(3)]
    manifest = publish(store, tmp_path, "r1", records)
    [piece] = manifest["state"]
    original = store.get_bytes(piece)
    store.delete_keys([piece])  # an operator's mistake, a lifecycle rule gone wrong

    assert rebuild_index(store, SOURCE) == 1
    assert store.get_bytes(piece) == original
    later = publish(store, tmp_path, "r2", records, day="2026-11-21")
    assert later["counts"]["duplicate"] == 3


def test_an_index_rebuild_beside_a_republish_of_the_day_leaves_it_to_that_publish(
        store, tmp_path, monkeypatch) -> None:
    """The day is republished while the rebuild reads its older parts (deleted by that
    publish): the rebuild skips the day, whose new manifest lists its own index."""
    import storage.read as read_module
    from storage.versions import rebuild_index

    records = [make_record(i) for i in range(4)]
    stage(store, tmp_path, "r1", records)
    storage.publish_run(store, SOURCE, DAY, "r1", part_max_records=2)
    store.delete_keys(storage.read_manifest(store, SOURCE, DAY)["state"])  # the index is lost
    stage(store, tmp_path, "r2", [make_record(i, title=f"New {i}") for i in range(4)])
    real_read_part, read = read_module.read_part, []

    def read_part_while_republished(store_, part, **kwargs):
        read.append(part["key"])
        if len(read) == 2:  # part-way through the older manifest
            storage.publish_run(store, SOURCE, DAY, "r2", part_max_records=2)
        yield from real_read_part(store_, part, **kwargs)

    monkeypatch.setattr(read_module, "read_part", read_part_while_republished)
    assert rebuild_index(store, SOURCE) == 0
    manifest = storage.read_manifest(store, SOURCE, DAY)
    assert manifest["run_id"] == "r2" and all(store.exists(key) for key in manifest["state"])


def test_crash_before_manifest_keeps_previous_partition(store, tmp_path) -> None:
    old = [make_record(i) for i in range(5)]
    publish(store, tmp_path, "r1", old)
    new = [make_record(i, title=f"Rewritten {i}") for i in range(8)]

    stage(store, tmp_path, "r2", new)
    with pytest.raises(KeyboardInterrupt):
        storage.publish_run(store, SOURCE, DAY, "r2", part_max_records=3,
                            checkpoint=stop_at("manifest"))
    assert any("part-r2." in key for key in part_keys(store))  # orphans were written...
    assert list(storage.read_articles(store, verify=True)) == [as_published(r) for r in old]

    manifest = storage.publish_run(store, SOURCE, DAY, "r2", part_max_records=3)  # repair
    assert [r["title"] for r in storage.read_articles(store)] == [r["title"] for r in new]
    assert part_keys(store) == [p["key"] for p in manifest["parts"]]


def test_small_limits_give_several_parts_with_checksums(store, tmp_path) -> None:
    records = [make_record(i) for i in range(23)]
    manifest = publish(store, tmp_path, "r1", records, part_max_records=5)
    assert [p["records"] for p in manifest["parts"]] == [5, 5, 5, 5, 3]
    for index, part in enumerate(manifest["parts"]):
        assert part["key"].endswith(f"/part-{manifest['commit_id']}-{index:05d}.jsonl.gz")
        data = store.get_bytes(part["key"])
        assert part["bytes"] == len(data)
        assert part["sha256"] == hashlib.sha256(data).hexdigest()
        assert len(gzip.decompress(data).splitlines()) == part["records"]

    others = [make_record(100 + i) for i in range(23)]
    by_bytes = publish(store, tmp_path, "r1", others, day="2026-11-21", part_max_bytes=2000)
    assert len(by_bytes["parts"]) > 1
    assert sum(p["records"] for p in by_bytes["parts"]) == 23
    for part in by_bytes["parts"]:
        assert len(gzip.decompress(store.get_bytes(part["key"]))) <= 2000


def test_invalid_records_are_quarantined_with_reason(store, tmp_path) -> None:
    good = make_record(1)
    no_body = make_record(2, body=["x"])
    no_body["body"] = []
    wrong_type = make_record(3)
    wrong_type["version"] = "one"
    manifest = publish(store, tmp_path, "r1", [good, no_body, wrong_type, "{not json"])

    assert list(storage.read_articles(store)) == [as_published(good)]
    assert manifest["counts"]["quarantined"] == {"schema_invalid": 3}
    assert manifest["counts"]["published"] == 1
    [key] = manifest["quarantine"]
    rows = [json.loads(line) for line in gzip.decompress(store.get_bytes(key)).splitlines()]
    assert [row["reason"] for row in rows] == [
        "schema_invalid: $.body", "schema_invalid: $.version", "schema_invalid: $",
    ]
    assert all(row["stage"] == "schema" and row["message"] for row in rows)
    assert rows[0]["url"] == no_body["url"]


def test_same_items_on_another_day_are_duplicates(store, tmp_path) -> None:
    records = [make_record(i) for i in range(6)]
    publish(store, tmp_path, "r1", records)
    later = publish(store, tmp_path, "r2", records, day="2026-11-21")
    assert later["counts"]["duplicate"] == 6 and later["counts"]["published"] == 0
    assert later["parts"] == [] and later["complete"]
    assert len(list(storage.read_articles(store))) == 6
    ledger = [json.loads(line) for line in gzip.decompress(store.get_bytes(later["ledger"])).splitlines()]
    assert [(row["url"], row["outcome"], row["id"], row["version"], row["partition"])
            for row in ledger] == [
        (r["url"], "duplicate", r["id"], as_published(r)["version"],
         f"articles/v1/source={SOURCE}/date={DAY}/") for r in records
    ]


def test_changed_content_is_a_new_version(store, tmp_path) -> None:
    publish(store, tmp_path, "r1", [make_record(1), make_record(2)])
    changed = make_record(1, title="Story number 1 (LEAD)", updated_at="2026-11-21T08:00:00+09:00")
    later = publish(store, tmp_path, "r2", [changed, make_record(2)], day="2026-11-21")
    assert later["counts"]["published"] == 1 and later["counts"]["duplicate"] == 1
    [record] = storage.read_articles(store, start="2026-11-21", end="2026-11-21")
    assert record["id"] == changed["id"]
    assert record["version"] == 20261120230000 * 100 + int(changed["content_hash"][:8], 16) % 99 + 1
    assert record["updated_at"] == "2026-11-21T08:00:00+09:00"  # the site's value is kept

    # re-running the first day keeps its version numbers
    before = {r["version"] for r in storage.read_articles(store, end=DAY)}
    rerun = publish(store, tmp_path, "r3", [make_record(1), make_record(2)])
    assert {r["version"] for r in storage.read_articles(store, end=DAY)} == before
    assert all(v < record["version"] for v in before)
    assert rerun["counts"]["published"] == 2


def test_updates_within_one_run_are_ordered_versions(store, tmp_path) -> None:
    lead = make_record(7, title="Summit opens (LEAD)", article="AEN7",
                       updated_at="2026-11-20T12:00:00+09:00")
    first = make_record(7, title="Summit opens", article="AEN7")
    same_again = make_record(7, title="Summit opens", article="AEN7")
    manifest = publish(store, tmp_path, "r1", [lead, first, same_again])
    assert manifest["counts"]["published"] == 2 and manifest["counts"]["duplicate"] == 1
    versions = {r["title"]: r["version"] for r in storage.read_articles(store)}
    assert versions["Summit opens"] < versions["Summit opens (LEAD)"]
    ledger = [json.loads(line) for line in gzip.decompress(store.get_bytes(manifest["ledger"])).splitlines()]
    assert [row["outcome"] for row in ledger] == ["published", "published", "duplicate"]
    assert ledger[2]["partition"] == f"articles/v1/source={SOURCE}/date={DAY}/"  # held by its own day


def test_counts_that_do_not_add_up_fail_loudly(store, tmp_path) -> None:
    local = write_run_dir(tmp_path / "run", [make_record(1)])
    crawl = json.loads((local / "crawl.json").read_text())
    crawl["counts"]["discovered"] += 1  # a URL the crawl lost track of
    (local / "crawl.json").write_text(json.dumps(crawl))
    storage.upload_staging(store, SOURCE, DAY, "r1", local)
    with pytest.raises(PublishError, match="accounting error"):
        storage.publish_run(store, SOURCE, DAY, "r1")
    assert storage.read_manifest(store, SOURCE, DAY) is None
    assert part_keys(store) == []  # refused before anything was written


def test_staged_records_must_match_the_parsed_count(store, tmp_path) -> None:
    local = write_run_dir(tmp_path / "run", [make_record(1)])
    crawl = json.loads((local / "crawl.json").read_text())
    crawl["counts"]["parsed"] += 1  # the crawl claims a record that was never staged
    crawl["counts"]["discovered"] += 1
    (local / "crawl.json").write_text(json.dumps(crawl))
    storage.upload_staging(store, SOURCE, DAY, "r1", local)
    with pytest.raises(PublishError, match="says 2 parsed, but 1 record"):
        storage.publish_run(store, SOURCE, DAY, "r1")
    assert storage.read_manifest(store, SOURCE, DAY) is None


def test_nothing_staged_is_a_clear_error(store) -> None:
    with pytest.raises(PublishError, match="nothing staged"):
        storage.publish_run(store, SOURCE, DAY, "r9")


@pytest.mark.parametrize(
    ("source", "day", "run_id"),
    [("../etc", DAY, "r1"), ("Test", DAY, "r1"), (SOURCE, "2026-02-30", "r1"),
     (SOURCE, "../../x", "r1"), (SOURCE, DAY, ".."), (SOURCE, DAY, "a/b"),
     (SOURCE, DAY, "r\x001"), ("/abs", DAY, "r1")],
)
def test_unsafe_names_never_reach_the_store(store, tmp_path, source, day, run_id) -> None:
    local = write_run_dir(tmp_path / "run", [make_record(1)])
    with pytest.raises(storage.errors.InvalidKey):
        storage.upload_staging(store, source, day, run_id, local)
    with pytest.raises(storage.errors.InvalidKey):
        storage.publish_run(store, source, day, run_id)
    assert list(store.list_keys()) == []


def test_publishing_a_day_clears_staged_runs_that_were_never_published(store, tmp_path) -> None:
    # A crawl whose task failed after staging leaves its run behind; the day's next publish removes it.
    stage(store, tmp_path, "abandoned", [make_record(1)])
    stage(store, tmp_path, "other-day", [make_record(2)], day="2026-11-21")
    publish(store, tmp_path, "r2", [make_record(1)])
    assert list(store.list_keys(f"staging/source={SOURCE}/date={DAY}/")) == []
    assert list(store.list_keys(f"staging/source={SOURCE}/date=2026-11-21/"))  # other days untouched


def test_a_reparse_ranks_just_after_the_crawl_it_parsed() -> None:
    from storage.publish import _freshness, ranked_after

    crawl = {"crawled_at": "2025-03-12T09:00:00+09:00", "run_id": "r1"}
    stamp = ranked_after(crawl)
    assert stamp == "2025-03-12T00:00:00.000001Z"  # the same instant in UTC, one microsecond on
    reparse = _freshness(stamp, "reparse-x")
    assert _freshness(crawl["crawled_at"], "r1") < reparse < _freshness("2025-03-12T00:00:00.000002Z", "r0")
    undated = ranked_after({"run_id": "r1"})  # a manifest of a release that kept no time: now
    assert abs((datetime.fromisoformat(undated) - datetime.now(UTC)).total_seconds()) < 60
