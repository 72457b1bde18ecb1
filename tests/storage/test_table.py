"""The Delta Lake table: one schema derived from the JSON Schema, one commit per published day,
read by DuckDB and polars with their own readers, and incremental reads of what changed."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import storage
from storage.table import arrow_schema, changes, table_location
from tests.storage.factories import make_record, write_run_dir

SCHEMA = Path(storage.__file__).with_name("schemas") / "article.v1.json"
DAYS = ("2026-11-20", "2026-11-21", "2026-11-22")
SOURCES = ("testwire", "otherwire")


def _publish(store, tmp_path, source, day, run_id, records) -> dict[str, Any]:
    local = write_run_dir(tmp_path / f"{source}-{day}-{run_id}", records, run_id=run_id,
                          day=day, source=source)
    storage.upload_staging(store, source, day, run_id, local)
    return storage.publish_run(store, source, day, run_id)


def _publish_at_once(store, jobs: list[tuple[str, str, str]]) -> None:
    """Publish every staged ``(source, day, run_id)`` in its own thread, released together;
    every publish must succeed."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def publish(source: str, day: str, run_id: str) -> None:
        try:
            barrier.wait(30)
            storage.publish_run(store, source, day, run_id)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors


def _day_records(source: str, day: str, n: int = 3) -> list[dict[str, Any]]:
    return [make_record(i + 100 * DAYS.index(day), source=source,
                        published_at=f"{day}T0{i}:15:00+09:00") for i in range(n)]


def test_the_table_schema_is_the_json_schema() -> None:
    """Every JSON Schema property has its column, typed; a new field without a column fails."""
    doc = json.loads(SCHEMA.read_text())
    schema = arrow_schema()
    for name, spec in doc["properties"].items():
        assert name in schema.names, name
        if spec.get("$ref", "").endswith("datetime_or_null"):
            assert schema.field(name).type == pa.timestamp("us", tz="UTC")
            assert schema.field(f"{name}_offset").type == pa.string()
    assert set(schema.names) == (set(doc["properties"])
                                 | {f"{n}_offset" for n in ("fetched_at", "published_at",
                                                             "updated_at")}
                                 | {"date"})
    assert schema.field("version").type == pa.int64()
    assert schema.field("authors").type == pa.list_(pa.field("element", pa.string()))
    assert schema.field("images").type.value_type == pa.struct(
        [pa.field("url", pa.string(), nullable=False), pa.field("caption", pa.string())])
    assert pa.types.is_struct(schema.field("raw").type)


def test_records_keep_their_instant_and_their_offset(tmp_path) -> None:
    """Through the publish path: the table's instant is UTC, the page's offset kept beside it."""
    from deltalake import DeltaTable

    store = storage.open_store((tmp_path / "store").as_uri())
    record = make_record(1, published_at="2026-11-20T09:00:00.5+09:00",
                         updated_at="2026-11-20T01:30:00Z")
    _publish(store, tmp_path, "testwire", "2026-11-20", "r1", [record])
    uri, options = table_location(store)
    [row] = DeltaTable(uri, storage_options=options).to_pyarrow_table().to_pylist()
    assert row["published_at"] == datetime(2026, 11, 20, 0, 0, 0, 500000, tzinfo=UTC)
    assert row["published_at_offset"] == "+09:00"
    assert row["updated_at_offset"] == "+00:00" and row["date"] == "2026-11-20"
    assert row["dateline"] == {"city": "SEOUL", "agency": "Yonhap"}


def _duckdb(store) -> Any:
    import duckdb
    import duckdb_ext

    uri, options = table_location(store)
    con = duckdb.connect(config={"extension_directory": str(Path(list(duckdb_ext.__path__)[0])
                                                            / "extensions"),
                                 "autoinstall_known_extensions": False})
    con.execute("LOAD httpfs")
    con.execute("LOAD delta")
    if options:
        host = options["AWS_ENDPOINT_URL"].removeprefix("http://")
        con.execute(f"CREATE SECRET (TYPE S3, KEY_ID '{options['AWS_ACCESS_KEY_ID']}', "
                    f"SECRET '{options['AWS_SECRET_ACCESS_KEY']}', ENDPOINT '{host}', "
                    "URL_STYLE 'path', USE_SSL false, REGION 'us-east-1')")
    return con, uri, options


def test_duckdb_and_polars_read_exactly_the_published_records(store, tmp_path) -> None:
    for source in SOURCES:
        for day in DAYS:
            _publish(store, tmp_path, source, day, "r1", _day_records(source, day))
    # one all-duplicate day: its partition has no parts, the table no rows for it
    _publish(store, tmp_path, "testwire", "2026-11-23", "r1", _day_records("testwire", DAYS[0]))

    expected = sorted((r["source"], p.date, r["id"], r["version"], r["content_hash"], r["title"])
                      for p in storage.list_partitions(store)
                      for r in storage.read_articles(store, source=p.source, start=p.date,
                                                     end=p.date))
    assert len(expected) == 18
    con, uri, options = _duckdb(store)
    rows = con.execute(f"SELECT source, date, id, version, content_hash, title "
                       f"FROM delta_scan('{uri}')").fetchall()
    assert sorted(rows) == expected
    counts = con.execute(f"SELECT source, date, count(*) FROM delta_scan('{uri}') "
                         "GROUP BY ALL ORDER BY ALL").fetchall()
    assert counts == [(s, d, 3) for s in sorted(SOURCES) for d in DAYS]
    stamp = con.execute(f"SELECT published_at, published_at_offset FROM delta_scan('{uri}') "
                        "WHERE id = 'testwire:AEN00000000'").fetchone()
    assert stamp[0].astimezone(UTC) == datetime(2026, 11, 19, 15, 15, tzinfo=UTC)  # 00:15+09:00
    assert stamp[1] == "+09:00"

    import polars as pl

    frame = pl.read_delta(uri, storage_options=options or None)
    assert sorted(frame.select("source", "date", "id", "version", "content_hash", "title")
                  .rows()) == expected
    assert frame.schema["published_at"] == pl.Datetime("us", "UTC")


def test_incremental_reads_return_exactly_what_changed(store, tmp_path) -> None:
    for day in DAYS[:2]:
        _publish(store, tmp_path, "testwire", day, "r1", _day_records("testwire", day))
    rows, since = changes(store, -1)
    assert len(rows) == 6 and {r["_change_type"] for r in rows} == {"insert"}

    # a re-run of day 1 that finds the same stories: no change rows
    rerun = _publish(store, tmp_path, "testwire", DAYS[0], "r2", _day_records("testwire", DAYS[0]))
    assert rerun["run_id"] == "r2"
    # a backfill of a day never published, and a re-run of day 2 where one story was updated
    backfill = _publish(store, tmp_path, "testwire", DAYS[2], "r1", _day_records("testwire", DAYS[2]))
    updated = _day_records("testwire", DAYS[1])
    updated[0] = make_record(100, title="Updated story", published_at=updated[0]["published_at"],
                             updated_at=f"{DAYS[1]}T12:00:00+09:00")
    _publish(store, tmp_path, "testwire", DAYS[1], "r2", updated)

    rows, latest = changes(store, since)
    got = sorted((r["_change_type"], r["id"], r["title"]) for r in rows)
    assert got == sorted(
        [("insert", r["id"], r["title"]) for r in _day_records("testwire", DAYS[2])]
        + [("insert", "testwire:AEN00000100", "Updated story"),
           ("delete", "testwire:AEN00000100", "Story number 100")]
    )
    assert latest == backfill["table_version"] + 1
    assert changes(store, latest) == ([], latest)


def test_concurrent_commits_of_different_days_all_land(store, tmp_path) -> None:
    jobs = [(source, day) for source in SOURCES for day in DAYS]
    for source, day in jobs:  # staged first; the publishes race below
        local = write_run_dir(tmp_path / f"{source}-{day}", _day_records(source, day),
                              run_id="r1", day=day, source=source)
        storage.upload_staging(store, source, day, "r1", local)
    _publish_at_once(store, [(source, day, "r1") for source, day in jobs])
    from deltalake import DeltaTable

    uri, opts = table_location(store)
    table = DeltaTable(uri, storage_options=opts).to_pyarrow_table(columns=["source", "date"])
    assert sorted(set(zip(table.column("source").to_pylist(), table.column("date").to_pylist(),
                          strict=True))) == sorted(jobs)
    assert table.num_rows == 3 * len(jobs)


def _old_table(store, tmp_path, monkeypatch) -> pa.Schema:
    """A table published before ``author_organisations`` existed; returns the new schema,
    which the code under test then uses."""
    import storage.table as table_module

    new_schema = arrow_schema()
    monkeypatch.setattr(table_module, "arrow_schema", lambda: pa.schema(
        [f for f in new_schema if f.name != "author_organisations"]))
    old = [{k: v for k, v in r.items() if k != "author_organisations"}
           for r in _day_records("testwire", DAYS[0])]
    _publish(store, tmp_path, "testwire", DAYS[0], "r1", old)
    monkeypatch.setattr(table_module, "arrow_schema", lambda: new_schema)
    return new_schema


def test_a_table_made_before_a_field_existed_takes_it_on(store, tmp_path, monkeypatch) -> None:
    """An upgrade: days published before ``author_organisations`` existed (their table
    columns and their records lack it) and days published after, in any order, share one
    table; no day is lost, the old rows read null, the new ones their values."""
    from deltalake import DeltaTable

    import storage.table as table_module

    new_schema = arrow_schema()
    old_schema = pa.schema([f for f in new_schema if f.name != "author_organisations"])
    monkeypatch.setattr(table_module, "arrow_schema", lambda: old_schema)

    def old_records(day: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "author_organisations"}
                for r in _day_records("testwire", day)]

    _publish(store, tmp_path, "testwire", DAYS[0], "r1", old_records(DAYS[0]))
    uri, options = table_location(store)
    assert "author_organisations" not in DeltaTable(uri, storage_options=options).schema().to_arrow().names

    monkeypatch.setattr(table_module, "arrow_schema", lambda: new_schema)
    credited = [make_record(200 + i, published_at=f"{DAYS[2]}T0{i}:15:00+09:00",
                            author_organisations=["DER SPIEGEL"]) for i in range(2)]
    _publish(store, tmp_path, "testwire", DAYS[2], "r1", credited)  # a new day: appended
    # a re-run of the old day with one story changed: MERGEd into the widened table
    changed = old_records(DAYS[0])
    changed[0] = make_record(0, title="Changed story", published_at=changed[0]["published_at"],
                             author_organisations=["Redaktion hessenschau.de"])
    _publish(store, tmp_path, "testwire", DAYS[0], "r2", changed)
    # and a day staged by the old code, published only now (a backfill out of order)
    _publish(store, tmp_path, "testwire", DAYS[1], "r1", old_records(DAYS[1]))

    table = DeltaTable(uri, storage_options=options)
    assert "author_organisations" in table.schema().to_arrow().names
    rows = {(r["date"], r["title"]): r["author_organisations"]
            for r in table.to_pyarrow_table().to_pylist()}
    assert len(rows) == 3 + 2 + 3
    assert rows[(DAYS[0], "Changed story")] == ["Redaktion hessenschau.de"]
    assert rows[(DAYS[0], "Story number 1")] is None
    assert rows[(DAYS[1], "Story number 100")] is None
    assert rows[(DAYS[2], "Story number 200")] == ["DER SPIEGEL"]
    con, uri, _ = _duckdb(store)
    assert con.execute(f"SELECT count(*) FROM delta_scan('{uri}') "
                       "WHERE len(author_organisations) > 0").fetchone() == (3,)


def test_days_racing_to_add_a_new_field_to_an_old_table_all_land(store, tmp_path,
                                                                  monkeypatch) -> None:
    """The first publishes after an upgrade, at once: each wants to add the column to a
    table made before it; one schema change wins, the others retry on it, none is lost."""
    from deltalake import DeltaTable

    _old_table(store, tmp_path, monkeypatch)
    jobs = [(source, day) for source in SOURCES for day in DAYS[1:]]
    for source, day in jobs:  # staged first; the publishes race below
        records = [make_record(i + 100 * DAYS.index(day), source=source,
                               published_at=f"{day}T0{i}:15:00+09:00",
                               author_organisations=[f"Desk {source}"]) for i in range(3)]
        local = write_run_dir(tmp_path / f"{source}-{day}", records, run_id="r1", day=day,
                              source=source)
        storage.upload_staging(store, source, day, "r1", local)
    _publish_at_once(store, [(source, day, "r1") for source, day in jobs])
    uri, options = table_location(store)
    rows = DeltaTable(uri, storage_options=options).to_pyarrow_table(
        columns=["source", "date", "author_organisations"]).to_pylist()
    assert len(rows) == 3 + 3 * len(jobs)
    assert sorted({(r["source"], r["date"]) for r in rows if r["author_organisations"]}) == sorted(jobs)
    assert all(r["author_organisations"] == [f"Desk {r['source']}"] for r in rows if r["date"] != DAYS[0])


def _assert_table_holds_manifest(store, day: str) -> list[dict[str, Any]]:
    """The table's rows of ``day`` are exactly the current manifest's records."""
    from deltalake import DeltaTable

    uri, options = table_location(store)
    rows = DeltaTable(uri, storage_options=options).to_pyarrow_table(
        filters=[("source", "=", "testwire"), ("date", "=", day)]).to_pylist()
    published = storage.read_articles(store, "testwire", day, day)
    assert sorted((r["id"], r["version"], r["content_hash"]) for r in rows) == sorted(
        (r["id"], r["version"], r["content_hash"]) for r in published)
    return rows


def test_two_attempts_of_one_day_at_once_on_an_old_table(store, tmp_path, monkeypatch) -> None:
    """Two attempts of the first day after an upgrade publish at once, each wanting the
    new column: the newer crawl holds the day, and the table holds exactly its records."""
    _old_table(store, tmp_path, monkeypatch)
    runs = {"r2": 3, "r3": 4}
    for n, (run_id, count) in enumerate(runs.items()):
        records = [make_record(i, title=f"{run_id} story {i}", published_at=f"{DAYS[0]}T0{i}:15:00+09:00",
                               author_organisations=[f"Desk {run_id}"]) for i in range(count)]
        local = write_run_dir(tmp_path / run_id, records, run_id=run_id, day=DAYS[0],
                              finished_at=(datetime.now(UTC) + timedelta(minutes=n + 1)).isoformat())
        storage.upload_staging(store, "testwire", DAYS[0], run_id, local)
    _publish_at_once(store, [("testwire", DAYS[0], run_id) for run_id in runs])
    assert storage.read_manifest(store, "testwire", DAYS[0])["run_id"] == "r3"
    rows = _assert_table_holds_manifest(store, DAYS[0])
    assert len(rows) == 4 and all(r["author_organisations"] == ["Desk r3"] for r in rows)


def test_a_day_another_writer_changed_meanwhile_is_replaced_whole(store, tmp_path,
                                                                  monkeypatch) -> None:
    """Another writer of the same day commits between this publisher's MERGE and its check
    (here a stray row of the day, appended for real right after the MERGE): the day is
    replaced whole and holds exactly the manifest, on a table made before the new field
    (the MERGE adds the column; the replacement keeps it and its values)."""
    from deltalake import DeltaTable, write_deltalake

    import storage.table as table_module

    schema = _old_table(store, tmp_path, monkeypatch)
    real_merge = table_module._merge

    def merge_then_another_writer(table, data, source, day):
        real_merge(table, data, source, day)
        # the other writer's row: one of the day's, under another id and content
        uri, options = table_location(store)
        stray = DeltaTable(uri, storage_options=options).to_pyarrow_table(
            filters=[("source", "=", source), ("date", "=", day)]).slice(0, 1).to_pylist()[0]
        stray.update(id="testwire:STRAY", title="Stray", content_hash="0" * 64)
        write_deltalake(uri, pa.Table.from_pylist([stray], schema=schema),
                        partition_by=table_module.PARTITION_BY, mode="append",
                        storage_options=options)

    monkeypatch.setattr(table_module, "_merge", merge_then_another_writer)
    changed = [make_record(i, title=f"Changed {i}", published_at=f"{DAYS[0]}T0{i}:15:00+09:00",
                           author_organisations=["Redaktion"]) for i in range(3)]
    _publish(store, tmp_path, "testwire", DAYS[0], "r2", changed)
    rows = _assert_table_holds_manifest(store, DAYS[0])
    assert sorted(r["title"] for r in rows) == ["Changed 0", "Changed 1", "Changed 2"]
    assert all(r["author_organisations"] == ["Redaktion"] for r in rows)


def test_a_table_sync_that_read_an_older_manifest_does_not_win(store, tmp_path,
                                                              monkeypatch) -> None:
    """Two attempts of one day: the older one reads its manifest, then stalls (a slow
    worker) while the newer one publishes and syncs the table; when the older one's
    table write lands last, the table must still end holding the newer manifest."""
    import storage.read as read_module

    day = DAYS[0]
    for n, (run_id, count) in enumerate((("r2", 3), ("r3", 4))):
        records = [make_record(i, title=f"{run_id} story {i}", published_at=f"{day}T0{i}:15:00+09:00")
                   for i in range(count)]
        local = write_run_dir(tmp_path / run_id, records, run_id=run_id, day=day,
                              finished_at=f"2026-11-21T0{n + 1}:00:00+00:00")
        storage.upload_staging(store, "testwire", day, run_id, local)
    storage.publish_run(store, "testwire", day, "r2")
    real_read = read_module.read_manifest
    reached, go = threading.Event(), threading.Event()

    def stalling_read(*args, **kwargs):
        manifest = real_read(*args, **kwargs)
        if threading.current_thread().name == "stale" and not reached.is_set():
            reached.set()
            assert go.wait(60)
        return manifest

    monkeypatch.setattr(read_module, "read_manifest", stalling_read)
    from storage.table import sync_day

    errors: list[BaseException] = []

    def stale_sync() -> None:
        try:
            sync_day(store, "testwire", day)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=stale_sync, name="stale")
    thread.start()
    assert reached.wait(60)  # it holds r2's manifest
    storage.publish_run(store, "testwire", day, "r3")  # manifest and table move to r3
    go.set()
    thread.join(120)
    assert not errors, errors
    assert storage.read_manifest(store, "testwire", day)["run_id"] == "r3"
    rows = _assert_table_holds_manifest(store, day)
    assert sorted(r["title"] for r in rows) == [f"r3 story {i}" for i in range(4)]


def _table_files(table: Any) -> set[str]:
    """The data files the table's current version uses, relative to the table's root."""
    return set(pa.table(table.get_add_actions()).column("path").to_pylist())


def test_vacuum_deletes_only_the_files_no_recent_version_uses(store, tmp_path) -> None:
    """A re-published day rewrites its file; the old one stays for time travel until a
    vacuum past the retention deletes it, and nothing the table or the partitions use."""
    from deltalake import DeltaTable

    from storage.table import TABLE_PREFIX, vacuum

    for day in DAYS[:2]:
        _publish(store, tmp_path, "testwire", day, "r1", _day_records("testwire", day))
    uri, options = table_location(store)
    before = _table_files(DeltaTable(uri, storage_options=options))
    changed = _day_records("testwire", DAYS[0])
    changed[0] = make_record(0, title="Changed", published_at=changed[0]["published_at"])
    _publish(store, tmp_path, "testwire", DAYS[0], "r2", changed)  # MERGE: day 0 rewritten
    current = _table_files(DeltaTable(uri, storage_options=options))
    replaced = before - current
    assert replaced and not current & replaced

    # a publish killed while writing the table: a file no version ever listed
    orphan = f"source=testwire/date={DAYS[1]}/part-00000-killed-c000.snappy.parquet"
    store.put_bytes(f"{TABLE_PREFIX}/{orphan}", b"PAR1 cut short")
    replaced.add(orphan)

    assert vacuum(store) == []  # within the week: kept for time travel and 'changes'
    assert set(vacuum(store, 0, dry_run=True)) >= replaced
    assert all(store.exists(f"{TABLE_PREFIX}/{path}") for path in replaced)  # a dry run
    deleted = set(vacuum(store, 0))
    assert deleted >= replaced and not deleted & current
    assert all(path in replaced or path.startswith("_change_data/") for path in deleted)
    assert not any(store.exists(f"{TABLE_PREFIX}/{path}") for path in deleted)
    for day in DAYS[:2]:
        _assert_table_holds_manifest(store, day)
    assert len(list(storage.read_articles(store, verify=True))) == 6


def _changed_day(day: str) -> list[dict[str, Any]]:
    """``day``'s testwire records with its first story rewritten ("Changed <day>")."""
    changed = _day_records("testwire", day)
    changed[0] = make_record(100 * DAYS.index(day), source="testwire", title=f"Changed {day}",
                             published_at=changed[0]["published_at"])
    return changed


def test_vacuum_beside_running_publishes_and_run_again(store, tmp_path) -> None:
    """Vacuums while every day is published again: neither side fails, nothing a table
    version or a publish in flight uses goes, and a vacuum run again (an Airflow retry of
    one killed part-way) deletes what is left and then nothing."""
    from storage.table import vacuum

    for day in DAYS:
        _publish(store, tmp_path, "testwire", day, "r1", _day_records("testwire", day))
        local = write_run_dir(tmp_path / f"r2-{day}", _changed_day(day), run_id="r2", day=day,
                              source="testwire")
        storage.upload_staging(store, "testwire", day, "r2", local)
    done = threading.Event()
    errors: list[BaseException] = []

    def publish_again() -> None:
        try:
            for day in DAYS:
                storage.publish_run(store, "testwire", day, "r2")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=publish_again, name="publisher")
    thread.start()
    vacuums = 0
    while not done.is_set() and vacuums < 50:
        # every file is minutes old: inside an hour's retention, none may go
        assert vacuum(store, 1) == []
        vacuums += 1
    thread.join(120)
    assert not errors, errors
    assert vacuums >= 1
    for day in DAYS:
        rows = _assert_table_holds_manifest(store, day)
        assert f"Changed {day}" in {r["title"] for r in rows}
    assert vacuum(store, 0)  # the three rewritten days' old files
    assert vacuum(store, 0) == []  # run again: nothing left to delete
    for day in DAYS:
        _assert_table_holds_manifest(store, day)
    assert len(list(storage.read_articles(store, verify=True))) == 9


def test_vacuum_command_refuses_a_retention_a_running_publish_could_lose_files_to(
        tmp_path, capsys) -> None:
    from wiredesk import cli
    from wiredesk.commands import vacuum as command

    assert command.RETAIN_HOURS == __import__("storage.table").table.RETAIN_HOURS
    url = (tmp_path / "store").as_uri()
    store = storage.open_store(url)
    assert cli.main(["vacuum", "--storage", url]) == 0  # no day published: no table yet
    assert "deleted 0 file(s)" in capsys.readouterr().err
    _publish(store, tmp_path, "testwire", DAYS[0], "r1", _day_records("testwire", DAYS[0]))
    with pytest.raises(SystemExit):
        cli.main(["vacuum", "--retain-hours", "0", "--storage", url])
    assert "at least 1 hour" in capsys.readouterr().err
    assert cli.main(["vacuum", "--dry-run", "--storage", url]) == 0
    assert "would delete 0 file(s) that no table version of the last 168 hour(s) uses" in (
        capsys.readouterr().err)


def test_changes_command_prints_json_lines(tmp_path, capsys) -> None:
    from wiredesk import cli

    url = (tmp_path / "store").as_uri()
    store = storage.open_store(url)
    _publish(store, tmp_path, "testwire", DAYS[0], "r1", _day_records("testwire", DAYS[0]))
    assert cli.main(["changes", "--since", "-1", "--storage", url]) == 0
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["_change_type"], r["id"]) for r in lines] == [
        ("insert", r["id"]) for r in _day_records("testwire", DAYS[0])]
    assert "3 change(s) after version -1; the table is at version 0" in err


def test_two_vacuums_at_once_both_finish_and_delete_only_the_old_files(store, tmp_path) -> None:
    """A manual vacuum while the weekly one runs: neither fails, between them they delete
    exactly the replaced files and nothing a version uses, and the table still reads.
    (Both may report a file: on S3 a delete of a key the other run just deleted succeeds,
    so neither can tell who deleted it.)"""
    from storage.table import TABLE_PREFIX, vacuum

    for day in DAYS:
        _publish(store, tmp_path, "testwire", day, "r1", _day_records("testwire", day))
        _publish(store, tmp_path / "again", "testwire", day, "r2", _changed_day(day))
    deletable = vacuum(store, 0, dry_run=True)
    assert deletable  # the three rewritten days' old files
    start = threading.Barrier(2, timeout=30)
    reports: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            start.wait()
            reports[name] = vacuum(store, 0)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("weekly", "manual")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sorted(set(reports["weekly"] + reports["manual"])) == deletable
    assert vacuum(store, 0) == []
    prefix = f"{TABLE_PREFIX}/"
    assert {key[len(prefix):] for key in store.list_keys(prefix)}.isdisjoint(deletable)
    for day in DAYS:
        _assert_table_holds_manifest(store, day)
    assert len(list(storage.read_articles(store, verify=True))) == 9
