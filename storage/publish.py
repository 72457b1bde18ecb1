"""Publishing one staged crawl run as the day's partition: one atomic, conditional commit.

One attempt (see docs/architecture.md, "The commit protocol")::

    0. read      the day's manifest M0 and its token (or: there is none)
    1. parts     part-<commit>-NNNNN.jsonl.gz       <commit> = <run>.<attempt>: names
    2. files     quarantine/…/<commit>.jsonl.gz      no other attempt ever writes
                 ledger/…/<commit>.jsonl.gz
    3. index     state/…/versions/date=T/day=D/<commit>.jsonl.gz
    4. manifest  PUT _manifest.json  If-Match: M0 (If-None-Match: * when there was none)
                 ← the commit point: exactly one of two concurrent attempts passes it
    5. cleanup   objects of the day that the current manifest does not list and that
                 are older than its commit; staged runs that can never win
    6. table     the day's MERGE into the Delta table (storage/table.py), from the
                 current manifest: idempotent, so a retry repairs a crash before it

A crash before 4 leaves M0 and its objects untouched (the attempt's own
objects are garbage that step 5 of a later publish removes). A crash after 4
leaves a complete new partition; a retry of the same run finds its own
manifest and only finishes step 5. An attempt that loses step 4 to another
commit reads the winner and decides again: the newer crawl (its
``crawl.json`` ``finished_at``, then run id) holds the day, so an older one
ends as a no-op that says so, and a newer one publishes again on top, under
fresh names (its first objects may already be swept by the winner's step 5).

Step 5 never deletes what a committed manifest lists: it re-reads the
current manifest and keeps everything younger than that manifest's commit,
which covers every attempt still writing (each read that manifest before
writing anything). Times are the store's own clock, never a worker's.

Version numbers come from the records themselves (:mod:`storage.versions`),
so no crash, retry or order of days can renumber a story.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

from storage import layout
from storage.base import ObjectStore, StoredObject
from storage.counts import Counts, CountsMismatch
from storage.errors import CommitConflict, ObjectNotFound, PublishError, RecordInvalid
from storage.read import read_manifest_object, write_manifest
from storage.schema import validate_record
from storage.staging import BadLine, StagedRun, read_staged
from storage.table import sync_day
from storage.versions import VersionIndex, ensure_index, stamp, write_piece

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PART_MAX_BYTES", "DEFAULT_PART_MAX_RECORDS", "publish_run"]

#: A part is closed once its uncompressed JSON Lines reach this size...
DEFAULT_PART_MAX_BYTES = 64 * 1024 * 1024
#: ...or this many records, whichever comes first.
DEFAULT_PART_MAX_RECORDS = 50_000
#: Commits lost to concurrent publishers before giving up with a clear message.
MAX_ATTEMPTS = 3
#: A staged run without ``crawl.json`` is an upload in progress until it is this old.
INCOMPLETE_STAGING_GRACE = timedelta(hours=6)
SCHEMA_INVALID = "schema_invalid"

# Local work files of one publish (in a temporary directory).
_QUARANTINE = "quarantine.jsonl.gz"
_DECISIONS = "decisions.jsonl.gz"
_LEDGER = "ledger.jsonl.gz"

#: Called with a step name at each step boundary: ``parts``, ``part``, ``files``,
#: ``index``, ``piece``, ``manifest``, ``committed``, ``cleanup``, ``delete``, ``table``.
#: Tests pass one to stop a publish dead at that line (see tests/storage/test_state.py).
Checkpoint = Callable[[str], None]


def publish_run(
    store: ObjectStore,
    source: str,
    day: date | str,
    run_id: str,
    *,
    part_max_bytes: int = DEFAULT_PART_MAX_BYTES,
    part_max_records: int = DEFAULT_PART_MAX_RECORDS,
    force: bool = False,
    checkpoint: Checkpoint | None = None,
    table: bool = True,
) -> dict[str, Any]:
    """Publish the staged run ``run_id`` as the partition of ``source`` on ``day``.

    Returns the day's manifest after the call: this run's, or, when a newer
    crawl already holds the day (and ``force`` is false), that crawl's; the
    caller tells them apart by ``run_id`` and the log says which. A retried
    task is harmless. Raises :class:`PublishError` when nothing is staged and
    the day has no partition, when the counts do not add up (an accounting
    bug must fail loudly, not publish), or after :data:`MAX_ATTEMPTS` commits
    lost to concurrent publishers. With ``table`` (the default) the day is
    also committed to the Delta table (:mod:`storage.table`) after its
    manifest, and the returned dict carries that ``table_version``.
    """
    publisher = RunPublisher(
        store, source, day, run_id,
        part_max_bytes=part_max_bytes, part_max_records=part_max_records,
        force=force, checkpoint=checkpoint, table=table,
    )
    return publisher.publish()


class _Current:
    """The day's manifest as read at the start of an attempt."""

    def __init__(self, found: tuple[dict[str, Any], StoredObject] | None) -> None:
        self.manifest, self.stored = found if found else (None, None)

    @property
    def token(self) -> str | None:
        return self.stored.token if self.stored else None


class RunPublisher:
    """One publish of one staged run; each step reports to ``checkpoint``."""

    def __init__(
        self,
        store: ObjectStore,
        source: str,
        day: date | str,
        run_id: str,
        *,
        part_max_bytes: int = DEFAULT_PART_MAX_BYTES,
        part_max_records: int = DEFAULT_PART_MAX_RECORDS,
        force: bool = False,
        checkpoint: Checkpoint | None = None,
        table: bool = True,
    ) -> None:
        if part_max_bytes < 1 or part_max_records < 1:
            raise ValueError("part limits must be positive")
        self.store = store
        self.source = layout.validate_source(source)
        self.day = layout.validate_date(day)
        self.run_id = layout.validate_run_id(run_id)
        self.part_max_bytes = part_max_bytes
        self.part_max_records = part_max_records
        self.force = force
        self.table = table
        self._checkpoint = checkpoint or (lambda step: None)

    # -- the protocol ----------------------------------------------------------

    def publish(self) -> dict[str, Any]:
        ensure_index(self.store, self.source)
        for _attempt in range(MAX_ATTEMPTS):
            current = _Current(read_manifest_object(self.store, self.source, self.day))
            if current.manifest is not None and current.manifest["run_id"] == self.run_id:
                logger.info("run %s of %s/%s is already published; finishing its cleanup",
                            self.run_id, self.source, self.day)
                return self._sync_table(self._cleanup(current.manifest, current.stored))
            staged = self._staged_or_none(current)
            if staged is None:
                return current.manifest  # type: ignore[return-value]
            if self._superseded(current, staged):
                return current.manifest  # type: ignore[return-value]
            commit_id = f"{self.run_id}.{secrets.token_hex(3)}"
            manifest = self._write_commit_set(staged, commit_id)
            manifest["replaces"] = _replaced(current.manifest)
            self._checkpoint("manifest")
            try:
                write_manifest(self.store, manifest, if_match=current.token,
                               if_none_match=current.token is None)
            except CommitConflict:
                winner = _Current(read_manifest_object(self.store, self.source, self.day))
                if winner.manifest and winner.manifest.get("commit_id") == commit_id:
                    current = winner  # our PUT went through; only its answer was lost
                else:
                    logger.warning(
                        "publish %s %s run %s: run %s committed the day first; deciding again",
                        self.source, self.day, self.run_id,
                        winner.manifest.get("run_id") if winner.manifest else "?",
                    )
                    continue
            self._checkpoint("committed")
            found = read_manifest_object(self.store, self.source, self.day)
            if found is None or found[0].get("commit_id") != commit_id:
                # Replaced within moments by a newer crawl: that one cleans up.
                return found[0] if found else manifest
            self._log_published(found[0])
            return self._sync_table(self._cleanup(found[0], found[1]))
        holder = _Current(read_manifest_object(self.store, self.source, self.day)).manifest or {}
        raise PublishError(
            f"publish {self.source} {self.day} run {self.run_id}: lost the commit "
            f"{MAX_ATTEMPTS} times to concurrent publishers; the day holds run "
            f"{holder.get('run_id')} (committed {holder.get('created_at')}); clear publish to retry"
        )

    def _sync_table(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Step 6: the day's commit to the Delta table, after (never before) its manifest.

        The returned manifest carries ``table_version`` (in memory only): the
        table version that holds this day, for the Airflow Asset event.
        """
        if not self.table:
            return manifest
        self._checkpoint("table")
        version = sync_day(self.store, self.source, self.day)
        return {**manifest, "table_version": version}

    def _staged_or_none(self, current: _Current) -> StagedRun | None:
        """The staged run; ``None`` when it is gone because another run holds the day."""
        try:
            return read_staged(self.store, self.source, self.day, self.run_id)
        except PublishError:
            # The raw archive outlives staging: without it the run was never staged here.
            if current.manifest is None or not self._was_staged():
                raise
        logger.warning(
            "publish %s %s run %s: nothing staged for this run (it was superseded and its "
            "staging removed); the day holds run %s, crawled %s; nothing to do",
            self.source, self.day, self.run_id, current.manifest["run_id"],
            current.manifest.get("crawled_at"),
        )
        return None

    def _was_staged(self) -> bool:
        own = re.compile(re.escape(self.run_id) + r"(-\d{5})?\.warc\.gz")
        return any(own.fullmatch(key.rsplit("/", 1)[-1])
                   for key in self.store.list_keys(layout.raw_prefix(self.source, self.day)))

    def _superseded(self, current: _Current, staged: StagedRun) -> bool:
        """Whether the day already holds a newer crawl than this run (then: a no-op)."""
        if current.manifest is None or self.force:
            return False
        held = _freshness(current.manifest.get("crawled_at"), current.manifest["run_id"])
        if held <= _freshness(staged.finished_at, self.run_id):
            return False
        logger.warning(
            "publish %s %s run %s: the day already holds run %s, a newer crawl (%s, this run "
            "%s); nothing published",
            self.source, self.day, self.run_id, current.manifest["run_id"],
            current.manifest.get("crawled_at"), staged.finished_at,
        )
        return True

    # -- steps 1-3: everything the manifest will list --------------------------

    def _write_commit_set(self, staged: StagedRun, commit_id: str) -> dict[str, Any]:
        crawl_counts = self._crawl_counts(staged)
        result = _Outcome()
        with tempfile.TemporaryDirectory(prefix="wiredesk-publish-") as tmp:
            work = Path(tmp)
            with closing(VersionIndex(self.store, self.source, self.day,
                                      work / "index.sqlite")) as index:
                self._checkpoint("parts")
                parts = self._write_parts(staged, index, work, result, commit_id)
                self._check_staged(crawl_counts, result)
                self._checkpoint("files")
                quarantine = self._write_quarantine(work, result, commit_id)
                ledger = self._write_ledger(staged, work, commit_id)
                self._checkpoint("index")
                state = self._write_index(index, commit_id)
        return self._build_manifest(staged, crawl_counts, parts, result, quarantine, ledger,
                                    state, commit_id)

    def _write_parts(
        self, staged: StagedRun, index: VersionIndex, work: Path, result: _Outcome,
        commit_id: str,
    ) -> list[dict[str, Any]]:
        """One pass: validate, number, deduplicate and write each staged record.

        Every record's fate goes to a local decisions file, in staged order,
        for the ledger; rejects go to the local quarantine file.
        """
        parts: list[dict[str, Any]] = []
        writer: _PartWriter | None = None
        with _open_lines(work / _QUARANTINE) as rejects, \
                _open_lines(work / _DECISIONS) as decisions:
            for row in staged.quarantine():
                _write_line(rejects, row)
                result.crawl_quarantine_rows += 1
            for item in staged.items():
                result.staged += 1
                problem = _problem(item, self.source)
                if problem is not None:
                    result.schema_invalid += 1
                    _write_line(rejects, _reject_row(item, problem))
                    decisions.write(_decision("quarantined", item))
                    continue
                item["version"], story, dated = stamp(item, self.day)
                holder = index.holder(item, story, dated)
                if holder is not None:
                    result.duplicate += 1
                    decisions.write(_decision("duplicate", item, holder))
                    continue
                index.claim(item, story)
                data = _dumps(item).encode("utf-8") + b"\n"
                if writer is not None and writer.full(len(data)):
                    parts.append(writer.close())
                    writer = None
                    self._checkpoint("part")
                if writer is None:
                    key = layout.part_key(self.source, self.day, commit_id, len(parts))
                    writer = _PartWriter(
                        self.store, key, self.part_max_bytes, self.part_max_records
                    )
                writer.write(data)
                result.published += 1
                result.parsers[(item["parser"]["name"], item["parser"]["version"])] += 1
                decisions.write(_decision("published", item))
            if writer is not None:
                parts.append(writer.close())
        return parts

    def _write_quarantine(self, work: Path, result: _Outcome, commit_id: str) -> list[str]:
        if result.crawl_quarantine_rows + result.schema_invalid == 0:
            return []
        key = layout.quarantine_key(self.source, self.day, commit_id)
        self.store.put_file(key, work / _QUARANTINE)
        return [key]

    def _write_ledger(self, staged: StagedRun, work: Path, commit_id: str) -> str:
        """The crawl's per-URL rows, each ``parsed`` row settled by its record's decision.

        Parsed rows and staged records are in the same order (the crawl writes
        the record, then its row), so the two files are joined by walking them
        together; a row's ``item`` number, where the crawl wrote one, is checked.
        """
        key = layout.ledger_key(self.source, self.day, commit_id)
        with _open_lines(work / _DECISIONS, "rt") as decided, \
                _open_lines(work / _LEDGER) as out:
            decisions = (self._settle(line) for line in decided)
            seen_rows = False
            number = -1
            for row in staged.ledger():
                seen_rows = True
                if not isinstance(row, dict) or row.get("outcome") != "parsed":
                    _write_line(out, row)
                    continue
                number += 1
                if row.get("item", number) != number:
                    raise PublishError(
                        f"ledger of run {self.run_id} is out of step with its records: "
                        f"row for {row.get('url')} names item {row.get('item')}, expected {number}"
                    )
                decision = next(decisions, None)
                if decision is None:
                    raise PublishError(f"ledger of run {self.run_id} has more parsed rows "
                                       "than records are staged")
                decision.pop("fetched_url")
                settled = {**row, **decision}
                settled.pop("item", None)
                _write_line(out, settled)
            if not seen_rows:  # a run staged without a ledger: one row per record
                for decision in decisions:
                    _write_line(out, {"url": decision["fetched_url"], "status": None,
                                      **decision})
        self.store.put_file(key, work / _LEDGER)
        return key

    def _write_index(self, index: VersionIndex, commit_id: str) -> list[str]:
        keys = []
        for story in index.claimed_days():
            key = layout.versions_key(self.source, story, self.day, commit_id)
            write_piece(self.store, key, index.claimed(story))
            keys.append(key)
            self._checkpoint("piece")
        return keys

    def _settle(self, line: str) -> dict[str, Any]:
        """A decision line (see :func:`_decision`) as the ledger's fields."""
        outcome, fetched_url, record_id, version, holder = line.rstrip("\n").split("\t")
        settled: dict[str, Any] = {"outcome": outcome, "fetched_url": fetched_url or None,
                                   "reason": SCHEMA_INVALID if outcome == "quarantined" else None}
        if outcome != "quarantined":
            settled.update(id=record_id, version=int(version))
        if holder:
            settled["partition"] = layout.partition_prefix(self.source, holder)
        return settled

    # -- counts and the manifest -----------------------------------------------

    def _crawl_counts(self, staged: StagedRun) -> Counts:
        """The crawl's counts, refused before anything is written if they do not add up."""
        counts = staged.crawl.get("counts")
        try:
            crawl = Counts.from_dict(counts)
            if crawl.parsed is None:
                raise CountsMismatch("no 'parsed' count")
            return crawl.check()
        except CountsMismatch as exc:
            raise PublishError(
                f"accounting error in crawl run {self.run_id} of {self.source}/{self.day}: {exc}"
            ) from None

    def _check_staged(self, crawl_counts: Counts, result: _Outcome) -> None:
        if crawl_counts.parsed != result.staged:
            raise PublishError(
                f"accounting error in run {self.run_id}: crawl.json says "
                f"{crawl_counts.parsed} parsed, but {result.staged} record(s) are staged"
            )

    def _build_manifest(
        self,
        staged: StagedRun,
        crawl_counts: Counts,
        parts: list[dict[str, Any]],
        result: _Outcome,
        quarantine: list[str],
        ledger: str,
        state: list[str],
        commit_id: str,
    ) -> dict[str, Any]:
        counts = crawl_counts.settled(result.duplicate, result.published, result.schema_invalid)
        try:
            counts.check()
        except CountsMismatch as exc:
            raise PublishError(
                f"accounting error in run {self.run_id} of {self.source}/{self.day}: {exc}"
            ) from None
        parser_versions: dict[str, dict[str, int]] = {}
        for (name, version), count in sorted(result.parsers.items()):
            parser_versions.setdefault(name, {})[version] = count
        return {
            "schema_version": layout.SCHEMA_VERSION,
            "source": self.source,
            "date": self.day,
            "run_id": self.run_id,
            "commit_id": commit_id,
            "crawled_at": staged.finished_at,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "parts": parts,
            "records": sum(p["records"] for p in parts),
            "parser_versions": parser_versions,
            "counts": counts.to_dict(),
            "quarantine": quarantine,
            "ledger": ledger,
            "state": state,
            "raw": staged.raw_keys(),
            "complete": True,
        }

    def _log_published(self, manifest: dict[str, Any]) -> None:
        counts = manifest["counts"]
        logger.info(
            "published %s/%s run %s to %s: %d record(s) in %d part(s), %d duplicate, "
            "%d schema-invalid",
            self.source, self.day, self.run_id, self.store.describe(), manifest["records"],
            len(manifest["parts"]), counts["duplicate"],
            counts["quarantined"].get(SCHEMA_INVALID, 0),
        )

    # -- step 5: cleanup ---------------------------------------------------------

    def _cleanup(self, manifest: dict[str, Any], stored: StoredObject | None) -> dict[str, Any]:
        """Delete the day's objects that the current manifest does not list, when safe.

        ``manifest`` must be the day's current one, read with its commit time.
        An unlisted object goes if the manifest it replaced listed it (its
        ``replaces``), if an earlier attempt of this same run wrote it (such an
        attempt can only end by finding this run committed), or if it is older
        than the current commit. Anything else is younger than the commit: an
        attempt still in flight, which read this manifest before writing.
        """
        self._checkpoint("cleanup")
        assert stored is not None
        keep = _listed(manifest)
        replaced = set((manifest.get("replaces") or {}).get("keys") or [])
        own = re.compile(
            rf"^(part-)?{re.escape(self.run_id)}\.[0-9a-f]{{6}}(-\d{{5}})?\.jsonl\.gz$"
        )
        pieces = [*(manifest.get("state") or []), *replaced]
        stories = {parsed[0] for key in pieces if (parsed := layout.parse_versions_key(key))}
        prefixes = [layout.partition_prefix(self.source, self.day),
                    layout.quarantine_prefix(self.source, self.day),
                    layout.ledger_prefix(self.source, self.day),
                    *(layout.versions_prefix(self.source, story) for story in sorted(stories))]
        stale = []
        for prefix in prefixes:
            for info in self.store.list_objects(prefix):
                if info.key in keep or not self._day_object(info.key):
                    continue
                if (info.key in replaced or own.match(info.key.rsplit("/", 1)[-1])
                        or info.modified < stored.modified):
                    stale.append(info.key)
        for key in stale:
            self._checkpoint("delete")
            self.store.delete_keys([key])
        if stale:
            logger.info("deleted %d superseded object(s) of %s/%s", len(stale), self.source,
                        self.day)
        self._discard_staging(manifest, stored.modified)
        return manifest

    def _day_object(self, key: str) -> bool:
        """Whether cleanup of this day may consider ``key`` (never the manifest itself,
        never another day's index pieces)."""
        if key.startswith(layout.ARTICLES_ROOT):
            return layout.is_part_key(key)
        if key.startswith("state/"):
            parsed = layout.parse_versions_key(key)
            return parsed is not None and parsed[1] == self.day
        return True

    def _discard_staging(self, manifest: dict[str, Any], cutoff: datetime) -> None:
        """Delete staged runs of the day that can never be published over ``manifest``.

        A staged run newer than the held one is left for its own publish (it may
        be reading its files right now); one still uploading (no ``crawl.json``)
        is left until :data:`INCOMPLETE_STAGING_GRACE` has passed.
        """
        held = _freshness(manifest.get("crawled_at"), manifest["run_id"])
        runs: dict[str, list[Any]] = {}
        for info in self.store.list_objects(layout.staging_day_prefix(self.source, self.day)):
            run = info.key[len(layout.staging_day_prefix(self.source, self.day)):].split("/")[0]
            runs.setdefault(run.removeprefix("run="), []).append(info)
        doomed: list[str] = []
        for run_id, infos in runs.items():
            if run_id != manifest["run_id"] and not self._cannot_win(run_id, infos, held, cutoff):
                continue
            doomed += [info.key for info in infos]
        if doomed:
            self.store.delete_keys(doomed)

    def _cannot_win(
        self, run_id: str, infos: list[Any], held: tuple[str, str], cutoff: datetime
    ) -> bool:
        try:
            staged = read_staged(self.store, self.source, self.day, run_id)
        except (PublishError, ObjectNotFound):
            return all(info.modified < cutoff - INCOMPLETE_STAGING_GRACE for info in infos)
        return _freshness(staged.finished_at, run_id) <= held


# -- helpers ---------------------------------------------------------------------


def _freshness(finished_at: Any, run_id: str) -> tuple[str, str]:
    """How two crawls of one day are ordered: when each finished, then the run id."""
    return (_utc_text(finished_at), run_id)


def ranked_after(manifest: dict[str, Any]) -> str:
    """A finish time that ranks one microsecond after the crawl ``manifest`` published.

    A re-parse of that crawl's pages stamps its run with it: it then replaces
    that crawl and stays below any crawl of the day that finished later (whose
    pages are newer), whenever it runs. With no time in the manifest: now.
    """
    text = _utc_text(manifest.get("crawled_at"))
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC) if text else datetime.now(UTC)
    later = moment + timedelta(microseconds=1)
    return later.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _utc_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _replaced(previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a new manifest replaces: the commit and every object it listed."""
    if previous is None:
        return None
    return {"run_id": previous["run_id"], "commit_id": previous.get("commit_id"),
            "keys": sorted(_listed(previous))}


def _listed(manifest: dict[str, Any]) -> set[str]:
    keys = {part["key"] for part in manifest.get("parts", [])}
    keys |= set(manifest.get("quarantine") or [])
    keys |= set(manifest.get("state") or [])
    if manifest.get("ledger"):
        keys.add(manifest["ledger"])
    return keys


class _Outcome:
    """Counters of one publish."""

    def __init__(self) -> None:
        self.staged = 0
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


def _decision(outcome: str, item: Any, holder: str = "") -> str:
    """One record's fate as a tab-separated line (cheaper than JSON; fields hold no tabs)."""
    if not isinstance(item, dict):
        return f"{outcome}\t\t\t\t\n"
    url = str(item.get("fetched_url") or item.get("url") or "").replace("\t", "%09")
    if outcome == "quarantined":
        return f"{outcome}\t{url}\t\t\t\n"
    return f"{outcome}\t{url}\t{item['id']}\t{item['version']}\t{holder}\n"


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


#: One encoder for every line: ``json.dumps`` with options builds a new one per call.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _write_line(stream: Any, row: Any) -> None:
    stream.write(_dumps(row))
    stream.write("\n")
