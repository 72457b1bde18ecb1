"""The published records as one Delta Lake table, beside the JSON Lines partitions.

``tables/articles_v1/`` under the store root is a Delta Lake table
partitioned by ``source`` and ``date``: Parquet files plus the ``_delta_log``
in the bucket itself, so DuckDB, Spark, Trino/Athena, polars and pandas read
it with their own Delta readers and no catalog (docs/architecture.md says why
Delta rather than Iceberg).

**One schema, defined once.** :func:`arrow_schema` derives the Arrow schema
from the record's JSON Schema (``storage/schemas/article.v1.json``): strings,
integers, lists and nested objects map one to one; each date-time field
becomes a UTC timestamp plus a ``<field>_offset`` column keeping the page's
own offset (``+09:00``); ``date`` (the partition day) is added.  A field the
schema gains later becomes a new, nullable column: every write merges the
schema, so a table created before the field existed takes it on the first day
that has it, its earlier rows reading null.

**One commit per published day**, after its manifest: a MERGE keyed on
``(id, version, content_hash)`` within ``source = S AND date = D`` inserts
the versions the manifest has and the table lacks and deletes the ones it
no longer has; a version already there is left as it is (so a re-run that
changed nothing writes no change rows, and the change data feed lists only
real changes). The MERGE always reads the day's *current* manifest, so it
converges on what readers of the partitions see, and running it again is
harmless: a publish retried after a crash between manifest and table
repairs the table. A sync reads the manifest again after its write and
syncs again when the day moved on meanwhile (a slower attempt of the same
day must not leave the table at the run that lost). Days of different
sources and dates commit concurrently (Delta's optimistic concurrency;
conflicts on disjoint partitions retry).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from storage import layout
from storage.base import ObjectStore
from storage.errors import StorageError

logger = logging.getLogger(__name__)

__all__ = ["TABLE_PREFIX", "arrow_schema", "changes", "sync_day", "table_location", "vacuum"]

TABLE_PREFIX = f"tables/articles_v{layout.SCHEMA_VERSION}"
PARTITION_BY = ["source", "date"]
#: Parquet files are closed at this size: the writer buffers one file, so this bounds memory.
TARGET_FILE_BYTES = 16 * 1024 * 1024
#: Rows hashed per batch when comparing a day with the table: memory holds one batch.
BATCH_ROWS = 5000
#: Commits lost to concurrent days before a publish gives up (each retry re-reads the log).
MERGE_ATTEMPTS = 12
#: Times a day's manifest may change under one table sync before it gives up.
MANIFEST_MOVES = 5
#: How long the Parquet files of replaced rows stay for time travel and ``changes``
#: readers (Delta's own default): a week.
RETAIN_HOURS = 7 * 24
_SCHEMA_FILE = Path(__file__).with_name("schemas") / f"article.v{layout.SCHEMA_VERSION}.json"


# -- the schema -------------------------------------------------------------------------


@cache
def arrow_schema() -> pa.Schema:
    """The table's Arrow schema, derived from the record's JSON Schema (field order kept)."""
    doc = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    fields: list[pa.Field] = []
    for name, spec in doc["properties"].items():
        if _is_datetime(spec, doc):
            fields.append(pa.field(name, pa.timestamp("us", tz="UTC"), nullable=True))
            fields.append(pa.field(f"{name}_offset", pa.string(), nullable=True))
            continue
        kind, nullable = _arrow_type(spec, doc)
        fields.append(pa.field(name, kind, nullable=nullable or name not in doc["required"]))
    fields.append(pa.field("date", pa.string(), nullable=False))
    return pa.schema(fields)


def _resolve(spec: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    ref = spec.get("$ref")
    if ref:
        return _resolve(doc["$defs"][ref.rsplit("/", 1)[-1]], doc)
    return spec


def _is_datetime(spec: dict[str, Any], doc: dict[str, Any]) -> bool:
    ref = spec.get("$ref", "")
    return ref.endswith("/datetime_or_null")


def _arrow_type(spec: dict[str, Any], doc: dict[str, Any]) -> tuple[pa.DataType, bool]:
    """``(type, nullable)`` of one JSON Schema node."""
    spec = _resolve(spec, doc)
    if "oneOf" in spec:
        options = [_resolve(o, doc) for o in spec["oneOf"]]
        real = [o for o in options if o.get("type") != "null"]
        if len(real) != 1:
            raise ValueError(f"cannot map a union of {len(real)} types to Arrow: {spec}")
        kind, _ = _arrow_type(real[0], doc)
        return kind, len(real) < len(options)
    if "const" in spec:
        return (pa.int64() if isinstance(spec["const"], int) else pa.string()), False
    kind = spec.get("type")
    if isinstance(kind, list):  # {"type": ["integer", "null"]}
        real = [k for k in kind if k != "null"]
        if len(real) != 1:
            raise ValueError(f"cannot map a union of {real} to Arrow: {spec}")
        inner, _ = _arrow_type({**spec, "type": real[0]}, doc)
        return inner, len(real) < len(kind)
    if kind == "string":
        return pa.string(), False
    if kind == "integer":
        return pa.int64(), False
    if kind == "array":
        item, _ = _arrow_type(spec["items"], doc)
        return pa.list_(pa.field("element", item, nullable=True)), False
    if kind == "object":
        members = []
        for name, member in spec["properties"].items():
            member_type, nullable = _arrow_type(member, doc)
            members.append(pa.field(name, member_type,
                                    nullable=nullable or name not in spec.get("required", [])))
        return pa.struct(members), False
    raise ValueError(f"no Arrow type for JSON Schema node {spec}")


# -- records to Arrow ---------------------------------------------------------------------


def _part_batches(store: ObjectStore, part: dict[str, Any], day: str) -> Iterator[pa.RecordBatch]:
    """One published part as Arrow batches, parsed by Arrow's own JSON reader.

    Several times faster than converting records in Python; block by block,
    so memory holds a few megabytes of one part. Date-times are read as text
    and cast to UTC instants (Arrow reads the offset), the offset kept beside.
    """
    import gzip

    import pyarrow.compute as pc
    import pyarrow.json as pj

    schema = arrow_schema()
    stamps = {f.name for f in schema if pa.types.is_timestamp(f.type)}
    as_text = pa.schema([pa.field(f.name, pa.string()) if f.name in stamps else f
                         for f in schema if f.name != "date" and f.name[:-7] not in stamps])
    with store.open_reader(part["key"]) as raw, gzip.GzipFile(fileobj=raw) as lines:
        reader = pj.open_json(
            lines, read_options=pj.ReadOptions(block_size=1 << 20, use_threads=False),
            parse_options=pj.ParseOptions(explicit_schema=as_text,
                                          unexpected_field_behavior="ignore"),
        )
        for batch in reader:
            columns = []
            for field in schema:
                if field.name in stamps:
                    columns.append(pc.cast(batch.column(field.name), field.type))
                elif field.name[:-7] in stamps:  # <stamp>_offset: "+09:00", "Z" as "+00:00"
                    text = batch.column(field.name[:-7])
                    columns.append(pc.if_else(pc.ends_with(text, "Z"), pa.scalar("+00:00"),
                                              pc.utf8_slice_codeunits(text, -6)))
                elif field.name == "date":
                    columns.append(pa.array([day] * batch.num_rows, pa.string()))
                else:
                    columns.append(batch.column(field.name))
            yield pa.RecordBatch.from_arrays(columns, schema=schema)


# -- where the table lives ------------------------------------------------------------------


def table_location(store: ObjectStore) -> tuple[str, dict[str, str]]:
    """The table's URI and the ``storage_options`` that delta-rs needs to reach it."""
    from storage.local import FileStore
    from storage.s3 import S3Store

    if isinstance(store, FileStore):
        return str(store.root / TABLE_PREFIX), {}
    if isinstance(store, S3Store):
        return f"s3://{store.bucket}/{store.prefix}{TABLE_PREFIX}", store.delta_options()
    raise TypeError(f"no table location for {type(store).__name__}")


# -- one day's commit -------------------------------------------------------------------------


def sync_day(store: ObjectStore, source: str, day: str) -> int | None:
    """Make the table hold exactly the day's current manifest; returns the table version.

    Returns ``None`` when the day has no manifest (nothing to show yet).
    Two attempts of one day may publish at once, and a slow one may still be
    writing the table from the manifest it read when the other has already
    replaced that manifest and deleted its parts. So the manifest is read
    again after each table write: when it moved on meanwhile, the write just
    made is stale (or failed on the parts the newer run removed) and the
    current manifest is synced instead. The last sync of a day to finish
    therefore always leaves the table at the day's latest manifest.
    """
    from storage.read import read_manifest

    manifest = read_manifest(store, source, day)
    for _ in range(MANIFEST_MOVES):
        if manifest is None:
            return None
        try:
            version = _sync_manifest(store, source, day, manifest)
        except Exception:
            now = read_manifest(store, source, day)
            if now == manifest:
                raise  # a real failure, not the day moving on under the write
            logger.info("table %s/%s: the manifest moved on during the write; syncing it",
                        source, day)
            manifest = now
            continue
        now = read_manifest(store, source, day)
        if now == manifest:
            return version
        logger.info("table %s/%s: the manifest moved on after the write; syncing it",
                    source, day)
        manifest = now
    raise StorageError(
        f"table sync {source} {day}: the day's manifest changed {MANIFEST_MOVES} times "
        "while its table rows were written; publish the day again once its runs are done"
    )


def _sync_manifest(store: ObjectStore, source: str, day: str, manifest: dict[str, Any]) -> int:
    """Bring the day's rows in the table to ``manifest``; returns the table version.

    The cheap paths first: a day whose rows already match (same count and
    digest of ``(id, version, content_hash)``) is left alone, with no commit
    and so no change rows; a day the table does not have yet is appended,
    streamed. Only a day whose content changed is MERGEd (inserts and deletes
    of exactly the versions that differ). If a concurrent writer of the same
    day left it different anyway, the day is replaced whole.
    """
    from deltalake import DeltaTable, write_deltalake
    from deltalake.exceptions import TableNotFoundError

    def data() -> pa.RecordBatchReader:  # a fresh stream for each attempt
        return pa.RecordBatchReader.from_batches(
            arrow_schema(), (b for part in manifest["parts"] for b in _part_batches(store, part, day)))

    want = _manifest_digest(store, manifest, day)
    uri, options = table_location(store)
    try:
        table = DeltaTable(uri, storage_options=options)
    except TableNotFoundError:
        try:
            write_deltalake(uri, data(), partition_by=PARTITION_BY, mode="append",
                            storage_options=options, target_file_size=TARGET_FILE_BYTES,
                            configuration={"delta.enableChangeDataFeed": "true"})
        except Exception:  # noqa: BLE001 - another publisher created it first
            logger.info("table %s was created meanwhile", uri)
        table = DeltaTable(uri, storage_options=options)
    have = _partition_digest(table, source, day)
    if have == want:
        return table.version()
    if have[0] == 0:
        _retrying(lambda t: write_deltalake(t, data(), partition_by=PARTITION_BY, mode="append",
                                            schema_mode="merge",
                                            target_file_size=TARGET_FILE_BYTES),
                  table, uri, options)
    else:
        _retrying(lambda t: _merge(t, data(), source, day), table, uri, options)
    table = DeltaTable(uri, storage_options=options)
    if _partition_digest(table, source, day) != want:  # a concurrent writer of this day
        _retrying(lambda t: write_deltalake(
            t, data(), partition_by=PARTITION_BY, mode="overwrite", schema_mode="merge",
            target_file_size=TARGET_FILE_BYTES,
            predicate=f"source = '{source}' AND date = '{day}'"), table, uri, options)
        table = DeltaTable(uri, storage_options=options)
    version = table.version()
    logger.info("table %s holds %s/%s: %d record(s) (version %d)", uri, source, day,
                manifest["records"], version)
    return version


def _merge(table: Any, data: pa.RecordBatchReader, source: str, day: str) -> None:
    where = f"t.source = '{source}' AND t.date = '{day}'"
    (
        table.merge(
            data,
            predicate=f"{where} AND t.id = s.id AND t.version = s.version "
                      "AND t.content_hash = s.content_hash",
            source_alias="s", target_alias="t", merge_schema=True,
        )
        .when_not_matched_insert_all()
        .when_not_matched_by_source_delete(predicate=where)
        .execute()
    )


def _retrying(write: Any, table: Any, uri: str, options: dict[str, str]) -> None:
    """Run one table write, again on a fresh snapshot when another day committed first."""
    from deltalake import DeltaTable
    from deltalake.exceptions import CommitFailedError

    for attempt in range(MERGE_ATTEMPTS):
        try:
            write(table)
            return
        except CommitFailedError:
            if attempt == MERGE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
            table = DeltaTable(uri, storage_options=options)


def _key_digest(ids: Iterable[str], versions: Iterable[int], hashes: Iterable[str]) -> int:
    total = 0
    for record_id, version, content_hash in zip(ids, versions, hashes, strict=True):
        key = f"{record_id}\t{version}\t{content_hash}".encode()
        total += int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    return total


def _manifest_digest(store: ObjectStore, manifest: dict[str, Any], day: str) -> tuple[int, int]:
    """``(rows, digest)`` of the day's versions, from its small index pieces (not its parts)."""
    from storage.read import read_part
    from storage.versions import read_rows

    count = digest = 0
    pieces = manifest.get("state")
    if isinstance(pieces, list):
        rows: Iterable[dict[str, Any]] = (row for key in pieces for row in read_rows(store, key))
    else:  # a manifest of an earlier release: read the parts
        rows = (r for part in manifest["parts"] for r in read_part(store, part))
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            count, digest = count + len(batch), digest + _rows_digest(batch)
            batch = []
    return count + len(batch), (digest + _rows_digest(batch)) % (1 << 64)


def _rows_digest(rows: list[dict[str, Any]]) -> int:
    return _key_digest((r["id"] for r in rows), (int(r["version"]) for r in rows),
                       (r["content_hash"] for r in rows))


def _partition_digest(table: Any, source: str, day: str) -> tuple[int, int]:
    """``(rows, digest)`` of what the table holds for one day, read column-wise in batches."""
    dataset = table.to_pyarrow_dataset(partitions=[("source", "=", source), ("date", "=", day)])
    count = digest = 0
    for batch in dataset.to_batches(columns=["id", "version", "content_hash"]):
        count += batch.num_rows
        digest += _key_digest(batch.column(0).to_pylist(), batch.column(1).to_pylist(),
                              batch.column(2).to_pylist())
    return count, digest % (1 << 64)


def changes(store: ObjectStore, since: int, source: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Rows added, changed or removed after table version ``since``, and the latest version.

    Delta's change data feed: each row carries ``_change_type`` (``insert``,
    ``delete``; a version is never updated in place) and ``_commit_version``.
    A re-run that published the same versions adds no rows here.
    """
    from deltalake import DeltaTable

    uri, options = table_location(store)
    table = DeltaTable(uri, storage_options=options)
    latest = table.version()
    if since >= latest:
        return [], latest
    predicate = f"source = '{layout.validate_source(source)}'" if source else None
    feed = pa.table(table.load_cdf(starting_version=since + 1, predicate=predicate).read_all())
    rows = sorted(feed.to_pylist(), key=lambda r: (r["_commit_version"], r["source"], r["date"],
                                                   r["id"], r["version"]))
    return rows, latest


def vacuum(store: ObjectStore, retain_hours: int = RETAIN_HOURS, *, dry_run: bool = False) -> list[str]:
    """Delete the table's Parquet files that no version younger than ``retain_hours`` uses.

    Every re-published day (a retry with changes, a backfill, a reparse with a
    new parser) rewrites its rows; the old files stay referenced by earlier
    table versions, so time travel and ``changes --since`` can still read
    them, and the bucket grows with each rewrite; a publish killed while
    writing the table leaves files no version ever listed. Vacuum removes
    both kinds once older than the retention: it lists the table's folder
    (Delta's "full" mode), as the removals of older commits may have left the
    log's checkpoints by then. It is safe beside running publishes: a file
    being written is minutes old, far inside any retention.
    A retention under a week is allowed on request (``changes`` readers
    that last read an older version can then no longer catch up); under an
    hour only while nothing publishes (a file a running publish has written
    but not yet committed is listed by no version, and would go too).
    Returns the deleted (with ``dry_run``: the deletable) files' paths. Two
    vacuums at once both finish and delete only such files, but each may
    report a file the other deleted (an S3 delete of a gone key succeeds).
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    if retain_hours < 0:
        raise ValueError(f"retention must be 0 hours or more, not {retain_hours}")
    uri, options = table_location(store)
    try:
        table = DeltaTable(uri, storage_options=options)
    except TableNotFoundError:
        logger.info("table %s: not created yet (no day published); nothing to vacuum", uri)
        return []
    # Delta also names the files of expired removals that an earlier vacuum already
    # deleted (on a local store as absolute paths): only files that exist count, or
    # every rerun within the week would report the same deletions again
    existing = {key[len(TABLE_PREFIX) + 1:] for key in store.list_keys(f"{TABLE_PREFIX}/")}
    named = table.vacuum(retention_hours=retain_hours, dry_run=dry_run, full=True,
                         enforce_retention_duration=retain_hours >= RETAIN_HOURS)
    files = sorted(path for path in named if path in existing)
    logger.info("table %s: %s %d file(s) no version of the last %d hour(s) uses", uri,
                "would delete" if dry_run else "deleted", len(files), retain_hours)
    return files

