"""State over time, against a real SeaweedFS: any order of days, crashes at every step,
two publishers of one day at once, a manifest cut short on the wire, a store outage.

Each test is bounded in time; the crash test kills a real child process with SIGKILL
at each of publishing's documented checkpoints (``storage.publish.Checkpoint``).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import storage
from storage import layout
from storage.errors import CommitConflict, CorruptObject, StorageError
from storage.versions import version_of
from tests.storage.factories import make_record, write_run_dir
from tests.support.s3proxy import S3FaultProxy

SOURCE = "testwire"
D1, D2, D3 = "2026-11-20", "2026-11-21", "2026-11-22"
ROOT = Path(__file__).resolve().parents[2]


def stage(store: storage.ObjectStore, tmp_path: Path, day: str, run_id: str,
          records: list[Any], **kwargs: Any) -> None:
    local = write_run_dir(tmp_path / f"local-{day}-{run_id}-{time.monotonic_ns()}", records,
                          run_id=run_id, day=day, source=SOURCE, **kwargs)
    storage.upload_staging(store, SOURCE, day, run_id, local)


def versions(store: storage.ObjectStore) -> list[tuple[str, int, str]]:
    """Every published ``(id, version, content_hash)``, in order, repeats kept."""
    return sorted((r["id"], r["version"], r["content_hash"])
                  for r in storage.read_articles(store, verify=True))


def story_days() -> dict[str, list[dict[str, Any]]]:
    """Three days of a story updated each day, one story unchanged all along, and one
    story per day of its own."""
    story = {
        D1: make_record(1, title="Talks open", article="AEN1"),
        D2: make_record(1, title="Talks open (LEAD)", article="AEN1",
                        updated_at="2026-11-21T10:00:00+09:00"),
        D3: make_record(1, title="Talks open (2nd LD)", article="AEN1",
                        updated_at="2026-11-22T10:00:00+09:00"),
    }
    steady = make_record(2, title="Steady story", article="AEN2")
    return {day: [story[day], steady, make_record(10 + n, article=f"AEN1{n}",
                                                  published_at=f"{day}T08:00:00+09:00")]
            for n, day in enumerate((D1, D2, D3))}


# -- the version rule -----------------------------------------------------------------


def test_version_numbers_come_from_the_story() -> None:
    first = make_record(1, published_at="2026-11-20T09:00:00+09:00")
    update = make_record(1, title="(LEAD)", published_at="2026-11-20T09:00:00+09:00",
                         updated_at="2026-11-20T11:30:05+09:00")
    assert version_of(first) // 100 == 20261120000000
    assert version_of(update) // 100 == 20261120023005
    assert version_of(first) < version_of(update) < 2**53
    assert 1 <= version_of(first) % 100 <= 99
    same_second = make_record(1, title="typo fixed", published_at="2026-11-20T09:00:00+09:00")
    assert version_of(same_second) // 100 == version_of(first) // 100  # then ordered by content
    undated = make_record(3, published_at=None)  # type: ignore[arg-type]
    assert 1 <= version_of(undated) <= 99


# -- conditional writes: exactly one wins ------------------------------------------------


def test_conditional_writes_let_exactly_one_writer_win(store) -> None:
    key = "cas/_manifest.json"
    first = store.put_bytes(key, b"one", if_none_match=True)
    with pytest.raises(CommitConflict):
        store.put_bytes(key, b"two", if_none_match=True)
    second = store.put_bytes(key, b"two", if_match=first)
    with pytest.raises(CommitConflict):
        store.put_bytes(key, b"three", if_match=first)  # stale token
    stored = store.get_object(key)
    assert (stored.data, stored.token) == (b"two", second)

    winners: list[int] = []
    barrier = threading.Barrier(6)

    def race(n: int) -> None:
        barrier.wait()
        try:
            store.put_bytes("cas/race", str(n).encode(), if_none_match=True)
            winners.append(n)
        except CommitConflict:
            pass

    threads = [threading.Thread(target=race, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(winners) == 1
    assert store.get_bytes("cas/race") == str(winners[0]).encode()


# -- order ----------------------------------------------------------------------------


def test_any_order_of_days_gives_the_same_versions(store_config, tmp_path, request) -> None:
    days = story_days()
    results = []
    for order in itertools.permutations((D1, D2, D3)):
        store = _fresh_store(store_config, request, tmp_path / "-".join(order))
        for n, day in enumerate(order):
            stage(store, tmp_path, day, f"r{n}", days[day])
            storage.publish_run(store, SOURCE, day, f"r{n}")
        # publishing again, in reverse, changes nothing
        for n, day in enumerate(reversed(order)):
            stage(store, tmp_path, day, f"s{n}", days[day])
            storage.publish_run(store, SOURCE, day, f"s{n}")
        found = versions(store)
        assert len(found) == len(set(found))  # the unchanged story is held once
        results.append(found)
    assert all(found == results[0] for found in results)
    story = sorted((v, h) for i, v, h in results[0] if i == f"{SOURCE}:AEN1")
    expected = [days[day][0]["content_hash"] for day in (D1, D2, D3)]
    assert [h for _v, h in story] == expected  # versions in the story's own order


def _fresh_store(store_config, request, path: Path) -> storage.ObjectStore:
    url, options = store_config
    if url.startswith("s3://"):
        url = f"s3://{request.getfixturevalue('seaweed').create_bucket()}/w"
    else:
        url = path.as_uri()
    return storage.open_store(url, **options)


# -- crashes ----------------------------------------------------------------------------

STEPS = ("parts", "part", "files", "index", "piece", "manifest", "committed", "cleanup",
         "delete", "table")

_KILLER = """
import os, signal, sys, json
sys.path.insert(0, {root!r})
import storage
options = json.loads({options!r})
store = storage.open_store({url!r}, **options)
def checkpoint(step):
    if step == {step!r}:
        os.kill(os.getpid(), signal.SIGKILL)
storage.publish_run(store, {source!r}, {day!r}, "r2", part_max_records=2, checkpoint=checkpoint)
print("not killed")
"""


def _normalised_keys(store: storage.ObjectStore) -> list[str]:
    """Every key, attempt tokens blurred; the Delta table is compared by its rows instead."""
    return sorted(re.sub(r"\.[0-9a-f]{6}(?=[-./])", ".*", key) for key in store.list_keys()
                  if not key.startswith(("state/source=testwire/versions/_format", "tables/")))


def _table_rows(store: storage.ObjectStore) -> list[tuple[str, int, str, str]]:
    from deltalake import DeltaTable

    from storage.table import table_location

    uri, options = table_location(store)
    table = DeltaTable(uri, storage_options=options).to_pyarrow_table(
        columns=["id", "version", "content_hash", "title"])
    return sorted(zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True))


def test_a_publish_killed_at_any_step_ends_as_if_it_never_crashed(seaweed, tmp_path) -> None:
    old = [make_record(i) for i in range(5)]
    new = [make_record(i, title=f"Rewritten {i}", updated_at="2026-11-20T12:00:00+09:00")
           for i in range(5)]
    options = seaweed.store_options(max_attempts=2)

    def prepared() -> tuple[str, storage.ObjectStore]:
        url = f"s3://{seaweed.create_bucket()}/w"
        store = storage.open_store(url, **options)
        stage(store, tmp_path, D1, "r1", old, finished_at="2026-11-21T01:00:00+00:00")
        storage.publish_run(store, SOURCE, D1, "r1", part_max_records=2)
        stage(store, tmp_path, D1, "r2", new, finished_at="2026-11-21T02:00:00+00:00")
        return url, store

    _url, reference = prepared()
    storage.publish_run(reference, SOURCE, D1, "r2", part_max_records=2)
    expected = (versions(reference), _normalised_keys(reference), _table_rows(reference))

    for step in STEPS:
        url, store = prepared()
        script = _KILLER.format(root=str(ROOT), options=json.dumps(options), url=url, step=step,
                                source=SOURCE, day=D1)
        child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=60)
        assert child.returncode == -9, (step, child.stdout, child.stderr[-2000:])
        for _retry in range(2):
            manifest = storage.publish_run(store, SOURCE, D1, "r2", part_max_records=2)
            assert manifest["run_id"] == "r2", step
        assert (versions(store), _normalised_keys(store), _table_rows(store)) == expected, step


# -- two publishers of one day ----------------------------------------------------------


class _Paused:
    """A checkpoint that holds a publish at ``step`` until released."""

    def __init__(self, step: str) -> None:
        self.step = step
        self.reached = threading.Event()
        self.go = threading.Event()

    def __call__(self, name: str) -> None:
        if name == self.step and not self.reached.is_set():
            self.reached.set()
            assert self.go.wait(60), "never released"


def _in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _assert_intact(store: storage.ObjectStore, url: str, options: dict[str, Any],
                   monkeypatch, capsys) -> dict[str, Any]:
    manifest = storage.read_manifest(store, SOURCE, D1)
    listed = [p["key"] for p in manifest["parts"]] + manifest["state"] + [manifest["ledger"]]
    assert all(store.exists(key) for key in listed)
    assert len(list(storage.read_articles(store, verify=True))) == manifest["records"]
    from wiredesk import cli

    monkeypatch.setenv("WIREDESK_S3_ENDPOINT_URL", options["endpoint_url"])
    monkeypatch.setenv("WIREDESK_S3_ADDRESSING_STYLE", "path")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", options["credentials"]["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", options["credentials"]["aws_secret_access_key"])
    capsys.readouterr()
    assert cli.main(["cat", SOURCE, D1, "--verify", "--storage", url]) == 0
    assert len(capsys.readouterr().out.splitlines()) == manifest["records"]
    return manifest


@pytest.mark.parametrize("step", ["committed", "cleanup", "delete"])
def test_a_commit_paused_before_its_cleanup_never_deletes_the_next_commit(
    seaweed, tmp_path, monkeypatch, capsys, step
) -> None:
    url = f"s3://{seaweed.create_bucket()}/w"
    options = seaweed.store_options(max_attempts=2)
    store = storage.open_store(url, **options)
    stage(store, tmp_path, D1, "base", [make_record(i, title=f"B {i}") for i in range(2)],
          finished_at="2026-11-21T00:00:00+00:00")
    storage.publish_run(store, SOURCE, D1, "base")
    time.sleep(1.1)  # the store's clock has one-second steps: "late" must be visibly later
    stage(store, tmp_path, D1, "early", [make_record(i) for i in range(4)],
          finished_at="2026-11-21T01:00:00+00:00")
    stage(store, tmp_path, D1, "late", [make_record(i, title=f"Late {i}") for i in range(6)],
          finished_at="2026-11-21T02:00:00+00:00")
    paused = _Paused(step)
    thread, outcome = _in_thread(lambda: storage.publish_run(
        storage.open_store(url, **options), SOURCE, D1, "early", checkpoint=paused))
    assert paused.reached.wait(60)
    assert storage.read_manifest(store, SOURCE, D1)["run_id"] == "early"
    time.sleep(1.1)

    late = storage.publish_run(store, SOURCE, D1, "late")  # runs to the end meanwhile
    assert late["run_id"] == "late"
    paused.go.set()
    thread.join(60)
    assert "error" not in outcome, outcome
    manifest = _assert_intact(store, url, options, monkeypatch, capsys)
    assert manifest["commit_id"] == late["commit_id"] and manifest["records"] == 6


@pytest.mark.parametrize("newer", ["paused", "running"])
def test_two_publishers_racing_for_the_commit(seaweed, tmp_path, monkeypatch, capsys, caplog,
                                              newer) -> None:
    url = f"s3://{seaweed.create_bucket()}/w"
    options = seaweed.store_options(max_attempts=2)
    store = storage.open_store(url, **options)
    stage(store, tmp_path, D1, "base", [make_record(i) for i in range(2)],
          finished_at="2026-11-21T00:00:00+00:00")
    storage.publish_run(store, SOURCE, D1, "base")
    times = {"paused": "2026-11-21T01:00:00+00:00", "running": "2026-11-21T01:00:00+00:00"}
    times[newer] = "2026-11-21T02:00:00+00:00"
    stage(store, tmp_path, D1, "paused", [make_record(i, title=f"P {i}") for i in range(3)],
          finished_at=times["paused"])
    stage(store, tmp_path, D1, "running", [make_record(i, title=f"R {i}") for i in range(5)],
          finished_at=times["running"])

    # "paused" has written everything and stops just before its conditional commit
    paused = _Paused("manifest")
    thread, outcome = _in_thread(lambda: storage.publish_run(
        storage.open_store(url, **options), SOURCE, D1, "paused", checkpoint=paused))
    assert paused.reached.wait(60)
    with caplog.at_level(logging.WARNING, logger="storage.publish"):
        storage.publish_run(store, SOURCE, D1, "running")
        paused.go.set()
        thread.join(60)
    assert "error" not in outcome, outcome
    manifest = _assert_intact(store, url, options, monkeypatch, capsys)
    assert manifest["run_id"] == newer  # the newer crawl holds the day, whoever committed first
    assert outcome["value"]["run_id"] == newer
    lost = [r.getMessage() for r in caplog.records if "nothing published" in r.getMessage()
            or "committed the day first" in r.getMessage()]
    assert lost and all("\n" not in message for message in lost)
    assert any(newer in message for message in lost)


def test_a_commit_whose_answer_is_held_is_not_undone(seaweed, tmp_path, monkeypatch,
                                                      capsys) -> None:
    """The server applied the manifest PUT but the client has not heard back yet."""
    with S3FaultProxy(seaweed.endpoint_url) as proxy:
        url = f"s3://{seaweed.create_bucket()}/w"
        direct = seaweed.store_options(max_attempts=2)
        store = storage.open_store(url, **direct)
        slow = storage.open_store(url, **{**direct, "endpoint_url": proxy.endpoint_url})
        stage(store, tmp_path, D1, "first", [make_record(i) for i in range(3)],
              finished_at="2026-11-21T01:00:00+00:00")
        stage(store, tmp_path, D1, "second", [make_record(i, title=f"S {i}") for i in range(4)],
              finished_at="2026-11-21T02:00:00+00:00")
        gate = proxy.pause(lambda method, target: method == "PUT" and "_manifest.json" in target)
        thread, outcome = _in_thread(lambda: storage.publish_run(slow, SOURCE, D1, "first"))
        assert gate.wait_hit(60)
        assert storage.read_manifest(store, SOURCE, D1)["run_id"] == "first"  # applied
        storage.publish_run(store, SOURCE, D1, "second")
        gate.release()
        thread.join(60)
        assert "error" not in outcome, outcome
        manifest = _assert_intact(store, url, direct, monkeypatch, capsys)
        assert manifest["run_id"] == "second"


def test_an_older_run_published_after_a_newer_one_is_a_no_op(store, tmp_path, caplog) -> None:
    stage(store, tmp_path, D1, "old", [make_record(1)], finished_at="2026-11-21T01:00:00+00:00")
    stage(store, tmp_path, D1, "new", [make_record(2)], finished_at="2026-11-21T02:00:00+00:00")
    # the old run's staging survives the new run's publish only until its cleanup
    storage.publish_run(store, SOURCE, D1, "new")
    with caplog.at_level(logging.WARNING, logger="storage.publish"):
        held = storage.publish_run(store, SOURCE, D1, "old")  # a cleared task of an older run
    assert held["run_id"] == "new"
    assert "nothing to do" in caplog.text or "nothing published" in caplog.text
    assert [r["id"] for r in storage.read_articles(store)] == [make_record(2)["id"]]
    forced = storage.publish_run(store, SOURCE, D1, "new", force=True)
    assert forced["run_id"] == "new"


def test_cleanup_leaves_a_newer_staged_run_alone(store, tmp_path) -> None:
    stage(store, tmp_path, D1, "now", [make_record(1)], finished_at="2026-11-21T01:00:00+00:00")
    stage(store, tmp_path, D1, "next", [make_record(2)], finished_at="2026-11-21T02:00:00+00:00")
    stage(store, tmp_path, D1, "before", [make_record(3)], finished_at="2026-11-21T00:00:00+00:00")
    storage.publish_run(store, SOURCE, D1, "now", force=True)
    left = {key.split("/")[3] for key in store.list_keys(layout.staging_day_prefix(SOURCE, D1))}
    assert left == {"run=next"}  # "before" can never win; "next" is about to publish
    assert storage.publish_run(store, SOURCE, D1, "next")["run_id"] == "next"


# -- integrity on the wire ----------------------------------------------------------------


def test_a_manifest_put_cut_short_is_refused_and_the_day_stays_whole(seaweed, tmp_path) -> None:
    with S3FaultProxy(seaweed.endpoint_url) as proxy:
        url = f"s3://{seaweed.create_bucket()}/w"
        options = seaweed.store_options(max_attempts=1, endpoint_url=proxy.endpoint_url)
        store = storage.open_store(url, **options)
        old = [make_record(i) for i in range(3)]
        stage(store, tmp_path, D1, "r1", old)
        storage.publish_run(store, SOURCE, D1, "r1")
        stage(store, tmp_path, D1, "r2", [make_record(i, title=f"New {i}") for i in range(3)])

        cut = proxy.truncate_body(
            lambda method, target: method == "PUT" and "_manifest.json" in target, keep=40)
        with pytest.raises(StorageError, match="BadDigest"):
            storage.publish_run(store, SOURCE, D1, "r2")
        assert cut.hits >= 1
        assert storage.read_manifest(store, SOURCE, D1)["run_id"] == "r1"  # whole, verified
        assert len(list(storage.read_articles(store, verify=True))) == 3

        proxy.clear()
        assert storage.publish_run(store, SOURCE, D1, "r2")["run_id"] == "r2"


def test_a_reader_part_way_through_a_republished_day_is_told_to_read_it_again(
        store, tmp_path) -> None:
    """The republish deletes the parts the reader's older manifest lists: the reader
    does not call that a corrupt store, nor restart silently (it would repeat records)."""
    from storage.errors import PartitionChanged

    stage(store, tmp_path, D1, "r1", [make_record(i) for i in range(6)])
    storage.publish_run(store, SOURCE, D1, "r1", part_max_records=2)
    reader = storage.read_articles(store, SOURCE)
    assert next(reader)["title"] == "Story number 0"
    stage(store, tmp_path, D1, "r2", [make_record(i, title=f"New {i}") for i in range(6)])
    storage.publish_run(store, SOURCE, D1, "r2", part_max_records=2)
    with pytest.raises(PartitionChanged, match=r"2026-11-20 was published again \(run r1 -> run r2\)"):
        list(reader)
    assert [r["title"] for r in storage.read_articles(store, SOURCE)] == [f"New {i}" for i in range(6)]


def test_a_reader_whose_manifest_was_replaced_before_any_record_reads_the_new_one(
        store, tmp_path, monkeypatch) -> None:
    """The republish lands between the reader's manifest read and its first part: nothing
    was returned yet, so the reader takes the day's new manifest."""
    import storage.read as read_module

    stage(store, tmp_path, D1, "r1", [make_record(i) for i in range(6)])
    storage.publish_run(store, SOURCE, D1, "r1", part_max_records=2)
    stage(store, tmp_path, D1, "r2", [make_record(i, title=f"New {i}") for i in range(6)])
    real_read = read_module.read_manifest
    republished: list[Any] = []

    def read_then_republish(*args: Any, **kwargs: Any) -> Any:
        manifest = real_read(*args, **kwargs)
        if not republished:
            republished.append(None)  # once (the publish reads manifests too)
            republished[0] = storage.publish_run(store, SOURCE, D1, "r2", part_max_records=2)
        return manifest

    monkeypatch.setattr(read_module, "read_manifest", read_then_republish)
    titles = [r["title"] for r in storage.read_articles(store, SOURCE)]
    assert republished[0]["run_id"] == "r2"
    assert titles == [f"New {i}" for i in range(6)]


def test_readers_name_a_corrupt_manifest(store, tmp_path, capsys) -> None:
    stage(store, tmp_path, D1, "r1", [make_record(1)])
    manifest = storage.publish_run(store, SOURCE, D1, "r1")
    key = layout.manifest_key(SOURCE, D1)
    edited = json.loads(store.get_bytes(key))
    edited["records"] = 99
    store.put_bytes(key, json.dumps(edited).encode())
    with pytest.raises(CorruptObject, match="checksum mismatch") as caught:
        storage.read_manifest(store, SOURCE, D1)
    assert caught.value.key == key
    store.put_bytes(key, json.dumps(manifest).encode()[:50])  # short
    with pytest.raises(CorruptObject, match=re.escape(key) + ".*not JSON"):
        list(storage.read_articles(store))


# -- a storage blip while staging ---------------------------------------------------------


def test_staging_survives_a_30_second_store_outage(seaweed, tmp_path) -> None:
    with S3FaultProxy(seaweed.endpoint_url) as proxy:
        url = f"s3://{seaweed.create_bucket()}/w"
        store = storage.open_store(url, **seaweed.store_options(
            max_attempts=1, endpoint_url=proxy.endpoint_url))
        list(store.list_keys())  # the bucket check, before the outage
        local = write_run_dir(tmp_path / "run", [make_record(i) for i in range(3)])
        proxy.down_for(30)
        started = time.monotonic()
        uploaded = storage.upload_staging(store, SOURCE, D1, "r1", local, retry_seconds=120)
        elapsed = time.monotonic() - started
        assert 29 <= elapsed < 90
        assert len(uploaded["staging"]) == 3
        assert storage.publish_run(store, SOURCE, D1, "r1")["records"] == 3


def test_staging_gives_up_after_its_retry_time_with_a_clear_error(seaweed, tmp_path) -> None:
    with S3FaultProxy(seaweed.endpoint_url) as proxy:
        store = storage.open_store(f"s3://{seaweed.create_bucket()}/w", **seaweed.store_options(
            max_attempts=1, endpoint_url=proxy.endpoint_url))
        list(store.list_keys())
        proxy.down(True)
        local = write_run_dir(tmp_path / "run", [make_record(1)])
        with pytest.raises(storage.errors.StorageUnavailable, match="gave up after 3s"):
            storage.upload_staging(store, SOURCE, D1, "r1", local, retry_seconds=3)
        assert local.is_dir()  # the finished crawl is still there
