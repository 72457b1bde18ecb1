"""Publishing one staged crawl run as the day's partition: atomically and idempotently.

Order of writes (each step only after the previous one succeeded)::

    1. parts        articles/v1/source=S/date=D/part-<run>-NNNNN.jsonl.gz  (new names, never
                    overwriting the parts the current manifest lists)
    2. quarantine   quarantine/source=S/date=D/<run>.jsonl.gz
    3. manifest     articles/v1/source=S/date=D/_manifest.json   ← the commit point
                    (D's old dedup shard is deleted just before it)
    4. cleanup      parts and quarantine files of earlier runs of D
    5. dedup state  state/source=S/published/date=D.jsonl.gz
    6. staging      staging/source=S/date=D/run=R/ deleted

A run killed before 3 leaves the previous manifest, which still lists its own
parts, so readers see the previous complete partition; the next run deletes
the orphans in its step 4. A run killed after 3 is already visible and complete;
retrying the same run id finishes steps 4-6. S3 has no rename, so the manifest
PUT is what makes a partition change at once.

A dedup shard is therefore either the current manifest's or missing, never a
superseded run's; every publish first rebuilds missing shards of other days from
their manifests' parts, so a crash between 3 and 5 cannot let a later day
republish those stories.

Records stream through a local spool and a SQLite dedup index, so memory
stays flat however large the day is.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import tempfile
from collections import Counter
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from storage import layout
from storage.base import ObjectStore
from storage.dedup import DUPLICATE, DedupIndex, state_row
from storage.errors import PublishError, RecordInvalid
from storage.read import manifest_keys, read_manifest, read_part
from storage.schema import validate_record
from storage.staging import BadLine, StagedRun, discard_day_staging, read_staged

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PART_MAX_BYTES", "DEFAULT_PART_MAX_RECORDS", "publish_run"]

#: A part is closed once its uncompressed JSON Lines reach this size...
DEFAULT_PART_MAX_BYTES = 64 * 1024 * 1024
#: ...or this many records, whichever comes first.
DEFAULT_PART_MAX_RECORDS = 50_000
SCHEMA_INVALID = "schema_invalid"

# Local work files of one publish (in a temporary directory).
_SPOOL = "items.jsonl.gz"
_QUARANTINE = "quarantine.jsonl.gz"
_STATE = "state.jsonl.gz"
_LEDGER = "ledger.jsonl.gz"


def publish_run(
    store: ObjectStore,
    source: str,
    day: date | str,
    run_id: str,
    *,
    part_max_bytes: int = DEFAULT_PART_MAX_BYTES,
    part_max_records: int = DEFAULT_PART_MAX_RECORDS,
) -> dict[str, Any]:
    """Publish the staged run ``run_id`` as the partition of ``source`` on ``day``.

    Returns the manifest that was written. Publishing the run that is already
    the day's published run only finishes its cleanup and returns its manifest,
    so a retried task is harmless. Raises :class:`PublishError` when nothing is
    staged or when the counts do not add up (an accounting bug must fail
    loudly, not publish).
    """
    publisher = RunPublisher(
        store, source, day, run_id,
        part_max_bytes=part_max_bytes, part_max_records=part_max_records,
    )
    return publisher.publish()


class RunPublisher:
    """One publish of one staged run; each step is a method so tests can interrupt it."""

    def __init__(
        self,
        store: ObjectStore,
        source: str,
        day: date | str,
        run_id: str,
        *,
        part_max_bytes: int = DEFAULT_PART_MAX_BYTES,
        part_max_records: int = DEFAULT_PART_MAX_RECORDS,
    ) -> None:
        if part_max_bytes < 1 or part_max_records < 1:
            raise ValueError("part limits must be positive")
        self.store = store
        self.source = layout.validate_source(source)
        self.day = layout.validate_date(day)
        self.run_id = layout.validate_run_id(run_id)
        self.part_max_bytes = part_max_bytes
        self.part_max_records = part_max_records

    def publish(self) -> dict[str, Any]:
        previous = read_manifest(self.store, self.source, self.day)
        if previous and previous.get("run_id") == self.run_id:
            # Committed already (e.g. a task retry after a crash past the manifest):
            # finish the steps after the commit point and return what is published.
            return self._finish_committed(previous)
        staged = read_staged(self.store, self.source, self.day, self.run_id)
        crawl_counts = self._crawl_counts(staged)
        shards = self._repair_missing_shards()
        with tempfile.TemporaryDirectory(prefix="wiredesk-publish-") as tmp:
            work = Path(tmp)
            result = _Outcome()
            with closing(DedupIndex(work / "dedup.sqlite")) as index:
                index.load_published(self.store, self.source, self.day, shards)
                self._screen(staged, index, work, result)
                self._check_staged(crawl_counts, result)
                index.decide()
                parts = self._write_parts(work, index, result)
            quarantine = self._write_quarantine(work, result)
            ledger = layout.ledger_key(self.source, self.day, self.run_id)
            self.store.put_file(ledger, work / _LEDGER)
            manifest = self._build_manifest(staged, crawl_counts, parts, result, quarantine, ledger)
            self._check_counts(manifest["counts"])
            self.store.delete_keys([layout.state_key(self.source, self.day)])
            self._write_manifest(manifest)  # the commit point
            self._delete_superseded(manifest)
            self.store.put_file(layout.state_key(self.source, self.day), work / _STATE)
        discard_day_staging(self.store, self.source, self.day)
        logger.info(
            "published %s/%s run %s to %s: %d record(s) in %d part(s), %d duplicate, "
            "%d schema-invalid",
            self.source, self.day, self.run_id, self.store.describe(), manifest["records"],
            len(parts), result.duplicate, result.schema_invalid,
        )
        return manifest

    def _finish_committed(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Redo steps 4-6 for a run whose manifest is already the day's manifest.

        A shard that exists is this manifest's (the old one goes before the
        manifest is written), so only a missing one is rebuilt from the published
        parts: a retry after a complete publish reads no part again.
        """
        self._delete_superseded(manifest)
        if not self.store.exists(layout.state_key(self.source, self.day)):
            self._rebuild_shard(self.day, manifest)
        discard_day_staging(self.store, self.source, self.day)
        logger.info("run %s of %s/%s was already published; finished its cleanup",
                    self.run_id, self.source, self.day)
        return manifest

    def _rebuild_shard(self, day: str, manifest: dict[str, Any]) -> None:
        """Write day's dedup shard from what its manifest published."""
        with tempfile.TemporaryDirectory(prefix="wiredesk-publish-") as tmp:
            state = Path(tmp) / _STATE
            with _open_lines(state) as out:
                for part in manifest["parts"]:
                    for record in read_part(self.store, part):
                        _write_line(out, state_row(record))
            self.store.put_file(layout.state_key(self.source, day), state)

    def _repair_missing_shards(self) -> list[str]:
        """Rebuild the shards of other days that have a manifest but no shard.

        Returns the keys of every shard of the source, the rebuilt ones included.
        """
        shards = list(self.store.list_keys(layout.state_prefix(self.source)))
        present = set(shards)
        for key in manifest_keys(self.store, self.source):
            shard = layout.state_key(self.source, key.date)
            if key.date == self.day or shard in present:
                continue
            manifest = read_manifest(self.store, self.source, key.date)
            if manifest is not None:
                logger.warning("rebuilding the missing dedup shard of %s/%s", self.source,
                               key.date)
                self._rebuild_shard(key.date, manifest)
                shards.append(shard)
        return shards

    # -- pass 1: validate, spool, index --------------------------------------

    def _screen(
        self, staged: StagedRun, index: DedupIndex, work: Path, result: _Outcome
    ) -> None:
        """Pass 1: the crawl's quarantine rows, then every staged record validated.

        Valid records go to the local spool and the dedup index; invalid ones
        become quarantine rows with stage ``schema``.
        """
        with _open_lines(work / _QUARANTINE) as rejects, _open_lines(work / _SPOOL) as out, \
                _open_lines(work / _LEDGER) as ledger:
            for row in staged.quarantine():
                _write_line(rejects, row)
                result.crawl_quarantine_rows += 1
            for row in staged.ledger():
                # "parsed" rows are settled below, one per record, as published or duplicate.
                if isinstance(row, dict) and row.get("outcome") != "parsed":
                    _write_line(ledger, row)
            for line, item in staged.item_lines():
                result.staged += 1
                problem = _problem(item, self.source)
                if problem is not None:
                    result.schema_invalid += 1
                    reject = _reject_row(item, problem)
                    _write_line(rejects, reject)
                    _write_line(ledger, {"url": reject.get("url"), "outcome": "quarantined",
                                         "reason": SCHEMA_INVALID, "status": None})
                    continue
                index.add(result.valid, item)
                result.valid += 1
                out.write(line)
                out.write("\n")

    # -- pass 2: versions, parts ---------------------------------------------

    def _write_parts(
        self, work: Path, index: DedupIndex, result: _Outcome
    ) -> list[dict[str, Any]]:
        """Pass 2: spooled records with their versions into parts; duplicates dropped.

        Also writes the day's dedup shard locally; it is uploaded after the manifest.
        """
        parts: list[dict[str, Any]] = []
        writer: _PartWriter | None = None
        with _open_lines(work / _SPOOL, "rt") as records, _open_lines(work / _STATE) as state_out, \
                _open_lines(work / _LEDGER, "at") as ledger:
            for line, (_seq, version) in zip(records, index.decisions(), strict=True):
                record = json.loads(line)
                _write_line(ledger, _ledger_row(record, version))
                if version == DUPLICATE:
                    result.duplicate += 1
                    continue
                record["version"] = version
                data = _dumps(record).encode("utf-8") + b"\n"
                if writer is not None and writer.full(len(data)):
                    parts.append(writer.close())
                    writer = None
                if writer is None:
                    key = layout.part_key(self.source, self.day, self.run_id, len(parts))
                    writer = _PartWriter(
                        self.store, key, self.part_max_bytes, self.part_max_records
                    )
                writer.write(data)
                result.published += 1
                parser = record["parser"]
                result.parsers[(parser["name"], parser["version"])] += 1
                _write_line(state_out, state_row(record))
            if writer is not None:
                parts.append(writer.close())
        return parts

    # -- quarantine, manifest, cleanup ---------------------------------------

    def _write_quarantine(self, work: Path, result: _Outcome) -> list[str]:
        if result.crawl_quarantine_rows + result.schema_invalid == 0:
            return []
        key = layout.quarantine_key(self.source, self.day, self.run_id)
        self.store.put_file(key, work / _QUARANTINE)
        return [key]

    def _crawl_counts(self, staged: StagedRun) -> dict[str, Any]:
        """The crawl's counts, refused before anything is written if they do not add up."""
        counts = staged.crawl.get("counts")
        if not isinstance(counts, dict) or not isinstance(counts.get("parsed"), int):
            raise PublishError(f"crawl.json of run {self.run_id} has no usable counts")
        accounted = counts["parsed"] + sum(
            sum(counts.get(name, {}).values()) for name in ("filtered", "fetch_failed",
                                                             "quarantined")
        )
        if accounted != counts.get("discovered"):
            raise PublishError(
                f"accounting error in crawl run {self.run_id} of {self.source}/{self.day}: "
                f"discovered {counts.get('discovered')} != {accounted} accounted for "
                f"(filtered + fetch_failed + quarantined + parsed)"
            )
        return counts

    def _check_staged(self, crawl_counts: dict[str, Any], result: _Outcome) -> None:
        if crawl_counts["parsed"] != result.staged:
            raise PublishError(
                f"accounting error in run {self.run_id}: crawl.json says "
                f"{crawl_counts['parsed']} parsed, but {result.staged} record(s) are staged"
            )

    def _build_manifest(
        self,
        staged: StagedRun,
        crawl_counts: dict[str, Any],
        parts: list[dict[str, Any]],
        result: _Outcome,
        quarantine: list[str],
        ledger: str,
    ) -> dict[str, Any]:
        quarantined = Counter({k: int(v) for k, v in crawl_counts.get("quarantined", {}).items()})
        if result.schema_invalid:
            quarantined[SCHEMA_INVALID] += result.schema_invalid
        parser_versions: dict[str, dict[str, int]] = {}
        for (name, version), count in sorted(result.parsers.items()):
            parser_versions.setdefault(name, {})[version] = count
        return {
            "schema_version": layout.SCHEMA_VERSION,
            "source": self.source,
            "date": self.day,
            "run_id": self.run_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "parts": parts,
            "records": sum(p["records"] for p in parts),
            "parser_versions": parser_versions,
            "counts": {
                "discovered": int(crawl_counts.get("discovered", 0)),
                "filtered": dict(crawl_counts.get("filtered", {})),
                "duplicate": result.duplicate,
                "fetch_failed": dict(crawl_counts.get("fetch_failed", {})),
                "quarantined": dict(quarantined),
                "published": result.published,
            },
            "quarantine": quarantine,
            "ledger": ledger,
            "raw": staged.raw_keys(),
            "complete": True,
        }

    def _check_counts(self, counts: dict[str, Any]) -> None:
        accounted = (
            sum(counts["filtered"].values())
            + counts["duplicate"]
            + sum(counts["fetch_failed"].values())
            + sum(counts["quarantined"].values())
            + counts["published"]
        )
        if accounted != counts["discovered"]:
            raise PublishError(
                f"accounting error in run {self.run_id} of {self.source}/{self.day}: "
                f"discovered {counts['discovered']} != {accounted} accounted for "
                f"(filtered + duplicate + fetch_failed + quarantined + published): {counts}"
            )

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        """The commit point: from this PUT on, readers see the new partition."""
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
        self.store.put_bytes(layout.manifest_key(self.source, self.day), data)

    def _delete_superseded(self, manifest: dict[str, Any]) -> None:
        """Delete parts and quarantine files of the day that the new manifest does not list."""
        keep = {part["key"] for part in manifest["parts"]} | set(manifest["quarantine"])
        keep.add(manifest.get("ledger"))
        stale = [
            key
            for key in self.store.list_keys(layout.partition_prefix(self.source, self.day))
            if layout.is_part_key(key) and key not in keep
        ]
        for prefix in (layout.quarantine_prefix(self.source, self.day),
                       layout.ledger_prefix(self.source, self.day)):
            stale += [key for key in self.store.list_keys(prefix) if key not in keep]
        if stale:
            self.store.delete_keys(stale)
            logger.info("deleted %d superseded object(s) of %s/%s", len(stale), self.source,
                        self.day)


class _Outcome:
    """Counters of one publish."""

    def __init__(self) -> None:
        self.staged = 0
        self.valid = 0
        self.schema_invalid = 0
        self.duplicate = 0
        self.published = 0
        self.crawl_quarantine_rows = 0
        self.parsers: Counter[tuple[str, str]] = Counter()


class _PartWriter:
    """One gzipped JSON Lines part, streamed to the store, hashed as it goes."""

    def __init__(self, store: ObjectStore, key: str, max_bytes: int, max_records: int) -> None:
        self.key = key
        self.records = 0
        self.uncompressed = 0
        self._max_bytes = max_bytes
        self._max_records = max_records
        self._context = store.open_writer(key)
        self._counter = _HashingWriter(self._context.__enter__())
        # mtime=0 and no file name: identical records give byte-identical parts.
        self._gzip = gzip.GzipFile(fileobj=self._counter, mode="wb", compresslevel=6, mtime=0)

    def full(self, incoming: int) -> bool:
        return self.records >= self._max_records or (
            self.uncompressed + incoming > self._max_bytes and self.records > 0
        )

    def write(self, data: bytes) -> None:
        try:
            self._gzip.write(data)
        except BaseException as exc:
            self._context.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.records += 1
        self.uncompressed += len(data)

    def close(self) -> dict[str, Any]:
        try:
            self._gzip.close()
        except BaseException as exc:
            self._context.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._context.__exit__(None, None, None)
        return {
            "key": self.key,
            "records": self.records,
            "bytes": self._counter.bytes,
            "sha256": self._counter.digest.hexdigest(),
        }


class _HashingWriter(io.RawIOBase):
    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream
        self.digest = hashlib.sha256()
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._stream.write(data)
        self.digest.update(data)
        self.bytes += len(data)
        return len(data)


def _ledger_row(record: dict[str, Any], version: Any) -> dict[str, Any]:
    """A parsed page's final outcome, keyed like the crawl's ledger rows (the fetched URL)."""
    duplicate = version == DUPLICATE
    return {
        "url": record.get("fetched_url") or record.get("url"),
        "outcome": "duplicate" if duplicate else "published",
        "reason": None,
        "status": None,
        "id": record.get("id"),
        "version": None if duplicate else version,
    }


def _problem(item: Any, source: str) -> RecordInvalid | None:
    if isinstance(item, BadLine):
        return RecordInvalid("$", f"not JSON (line {item.line_number}): {item.error}")
    try:
        validate_record(item)
    except RecordInvalid as exc:
        return exc
    if item["source"] != source:
        return RecordInvalid("$.source", f"{item['source']!r} staged under source {source!r}")
    return None


def _reject_row(item: Any, problem: RecordInvalid) -> dict[str, Any]:
    record = item if isinstance(item, dict) else {}
    return {
        "url": record.get("url"),
        "fetched_url": record.get("fetched_url"),
        "stage": "schema",
        "reason": problem.reason,
        "message": problem.message,
        "status": None,
        "fetched_at": record.get("fetched_at"),
        "raw": record.get("raw"),
    }


def _open_lines(path: Path, mode: Literal["rt", "wt", "at"] = "wt") -> TextIO:
    """A local gzip JSON Lines work file; level 1: each record goes through several, speed beats size."""
    return gzip.open(path, mode, encoding="utf-8", compresslevel=1)


def _dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _write_line(stream: Any, row: Any) -> None:
    stream.write(_dumps(row))
    stream.write("\n")

