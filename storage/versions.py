"""Story versions: numbers taken from the story itself, and the index of what is published.

**The version rule.** A record's ``version`` is a function of the record alone:

    version = YYYYMMDDhhmmss × 100 + tie      (the story time in UTC, then two digits)

where the story time is the record's ``updated_at``, else its ``published_at``,
and ``tie`` (1-99) comes from the ``content_hash``, so two texts of one story
stamped with the same second still get different numbers (99 times in 100)
and always the same ones. A record with neither time gets ``tie`` alone (1-99).
So versions sort in the story's own order, and publishing days in any order,
any number of times, with crashes in between, gives every record the same
number: nothing is ever renumbered, and no stored state can change a number.
Readers who want 1, 2, 3 rank by ``(version, content_hash)`` per ``id``
(docs/downstream.md has the query).

**Duplicates.** A record is a version of a story, ``(id, version,
content_hash)``. Publishing day D drops a record whose version another day
already holds (or that D's own crawl found twice), and the ledger names the
partition that holds it. Which of two days holds an unchanged story is
therefore the one published first; its id, version and text are the same
either way.

**The index** is derived data, rebuilt from the manifests at any time
(:func:`rebuild_index`): ``state/source=S/versions/date=T/day=D/<commit>.jsonl.gz``
holds the versions day D published whose story time falls on day T (UTC;
undated records file under D itself). Each piece is written *before* its
day's manifest and listed in it, so a piece counts only while the manifest
that lists it is the day's current one: a crash can leave an unlisted piece,
never a missing or stale one that counts. Publishing D reads only the pieces
of the story days its own records fall on (the days around D for undated
records), so its cost follows the stories of D, not the length of the history.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from storage import layout
from storage.base import ObjectStore
from storage.errors import CommitConflict, CorruptObject, ObjectNotFound

logger = logging.getLogger(__name__)

__all__ = ["VersionIndex", "rebuild_index", "story_day", "story_time", "version_of"]

#: Undated records are looked up this many days either side of their crawl day.
UNDATED_WINDOW_DAYS = 7
_FIRST_YEAR, _LAST_YEAR = 1900, 8999  # keeps every number below 2**53 (JSON-safe)


def story_time(record: dict[str, Any]) -> datetime | None:
    """When this text of the story was current: ``updated_at``, else ``published_at``, in UTC."""
    for field in ("updated_at", "published_at"):
        value = record.get(field)
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        if _FIRST_YEAR <= moment.year <= _LAST_YEAR:
            return moment
    return None


def version_of(record: dict[str, Any]) -> int:
    """The record's version number under the rule in this module's docstring."""
    return stamp(record, "")[0]


def story_day(record: dict[str, Any], crawl_day: str) -> str:
    """The index day a record files under: its story time's UTC date, else the crawl day."""
    return stamp(record, crawl_day)[1]


def stamp(record: dict[str, Any], crawl_day: str) -> tuple[int, str, bool]:
    """``(version, index day, dated)`` of a record, from one reading of its times."""
    tie = int(str(record["content_hash"])[:8], 16) % 99 + 1
    moment = story_time(record)
    if moment is None:
        return tie, crawl_day, False
    number = (((moment.year * 100 + moment.month) * 100 + moment.day) * 100 + moment.hour) * 100
    number = ((number + moment.minute) * 100 + moment.second) * 100 + tie
    return number, moment.date().isoformat(), True


def _lookup_days(story: str, dated: bool) -> list[str]:
    if dated:
        return [story]
    centre = date.fromisoformat(story)
    return [(centre + timedelta(days=n)).isoformat()
            for n in range(-UNDATED_WINDOW_DAYS, UNDATED_WINDOW_DAYS + 1)]


class VersionIndex:
    """Which versions other days hold, and which this day has claimed, in SQLite on disk.

    Pieces are loaded lazily, story day by story day, the first time a record
    needs one, and only pieces that their day's current manifest lists count.
    Memory stays flat however large the day or the history.
    """

    def __init__(self, store: ObjectStore, source: str, day: str, path: Path) -> None:
        self.store = store
        self.source = source
        self.day = day
        self._loaded: set[str] = set()
        self._listed: dict[str, frozenset[str] | None] = {}  # day -> its manifest's pieces
        self.pieces_read = 0
        self._db = sqlite3.connect(path)
        # One table for both: other days' rows (story NULL) and this day's claims.
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE held (id TEXT, version INTEGER, hash TEXT, day TEXT, story TEXT,
                               url TEXT);
            CREATE INDEX held_key ON held (id, version);
            """
        )

    def close(self) -> None:
        self._db.close()

    def holder(self, record: dict[str, Any], story: str, dated: bool) -> str | None:
        """The day that already holds this version (this day for a repeat), else ``None``.

        ``story`` and ``dated`` are the record's :func:`stamp`.
        """
        for day in _lookup_days(story, dated):
            if day not in self._loaded:
                self._load(day)
        found = self._db.execute(
            "SELECT min(day) FROM held WHERE id = ? AND version = ? AND hash = ?",
            (record["id"], record["version"], record["content_hash"]),
        ).fetchone()
        return found[0] if found else None

    def claim(self, record: dict[str, Any], story: str) -> None:
        """Register a version this day publishes, filed under index day ``story``."""
        self._db.execute(
            "INSERT INTO held VALUES (?, ?, ?, ?, ?, ?)",
            (record["id"], record["version"], record["content_hash"], self.day, story,
             record.get("url")),
        )

    def claimed_days(self) -> list[str]:
        """The index days of this day's versions: one piece each."""
        rows = self._db.execute("SELECT DISTINCT story FROM held WHERE story IS NOT NULL")
        return sorted(story for (story,) in rows)

    def claimed(self, story: str) -> Iterator[dict[str, Any]]:
        """This day's versions filed under ``story``, in a stable order."""
        rows = self._db.execute(
            "SELECT id, version, hash, url FROM held WHERE story = ? ORDER BY id, version, hash",
            (story,),
        )
        for record_id, version, content_hash, url in rows:
            yield {"id": record_id, "version": version, "content_hash": content_hash, "url": url}

    # -- loading -------------------------------------------------------------

    def _load(self, story: str) -> None:
        if story in self._loaded:
            return
        self._loaded.add(story)
        for key in self.store.list_keys(layout.versions_prefix(self.source, story)):
            parsed = layout.parse_versions_key(key)
            if parsed is None or parsed[1] == self.day:
                continue  # this day's own pieces: the publish in progress replaces them
            if key not in (self._pieces_of(parsed[1]) or ()):
                continue  # an attempt that crashed or was superseded: it never counted
            rows = (
                (row["id"], int(row["version"]), row["content_hash"], parsed[1], None, None)
                for row in read_rows(self.store, key)
            )
            self._db.executemany("INSERT INTO held VALUES (?, ?, ?, ?, ?, ?)", rows)
            self.pieces_read += 1

    def _pieces_of(self, day: str) -> frozenset[str] | None:
        if day not in self._listed:
            from storage.read import read_manifest

            manifest = read_manifest(self.store, self.source, day)
            state = manifest.get("state") if manifest else None
            self._listed[day] = frozenset(state) if isinstance(state, list) else None
        return self._listed[day]


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_piece(store: ObjectStore, key: str, rows: Iterable[dict[str, Any]]) -> None:
    """One index piece: gzipped JSON Lines, byte-identical for identical rows, streamed
    through a local file so a day of any size stays within flat memory."""
    with tempfile.NamedTemporaryFile(prefix="wiredesk-piece-", suffix=".gz") as spool:
        with gzip.GzipFile(filename="", fileobj=spool, mode="wb", compresslevel=6,
                           mtime=0) as out:
            batch: list[str] = []
            for row in rows:
                batch.append(_ENCODE(row))
                if len(batch) == 1000:  # one compress call per thousand rows, not per row
                    out.write(("\n".join(batch) + "\n").encode("utf-8"))
                    batch.clear()
            if batch:
                out.write(("\n".join(batch) + "\n").encode("utf-8"))
        spool.flush()
        store.put_file(key, spool.name)


def read_rows(store: ObjectStore, key: str) -> Iterator[dict[str, Any]]:
    """The rows of one index piece, streamed."""
    with store.open_reader(key) as stream, gzip.GzipFile(fileobj=stream) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def pieces_for(
    store: ObjectStore, source: str, day: str, commit_id: str, records: Iterator[dict[str, Any]]
) -> list[str]:
    """Write the index pieces of published ``records``; returns their keys."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(story_day(record, day), []).append(
            {"id": record["id"], "version": record["version"],
             "content_hash": record["content_hash"], "url": record.get("url")}
        )
    keys = []
    for story, rows in sorted(groups.items()):
        key = layout.versions_key(source, story, day, commit_id)
        write_piece(store, key, sorted(rows, key=lambda r: (r["id"], r["version"])))
        keys.append(key)
    return keys


def rebuild_index(store: ObjectStore, source: str) -> int:
    """Rebuild the versions index of ``source`` from its manifests; returns days rebuilt.

    For each published day whose manifest lists no pieces (a store written by an
    earlier release) or lists a piece that is gone, the pieces are written again
    from the day's parts, and a manifest that listed none is updated to list them
    (a conditional write: a day republished meanwhile already has its own).
    Idempotent and safe beside running publishes; the version numbers are not
    touched, they live in the records.
    """
    from storage.read import manifest_keys, read_manifest_object, read_part, write_manifest

    rebuilt = 0
    for partition in sorted(manifest_keys(store, source), key=lambda k: k.date):
        found = read_manifest_object(store, source, partition.date)
        if found is None:
            continue
        manifest, stored = found
        listed = manifest.get("state")
        if isinstance(listed, list) and all(store.exists(key) for key in listed):
            continue
        commit_id = manifest.get("commit_id") or layout.validate_run_id(manifest["run_id"])
        records = (record for part in manifest["parts"] for record in read_part(store, part))
        try:
            keys = pieces_for(store, source, partition.date, commit_id, records)
        except CorruptObject:
            now = read_manifest_object(store, source, partition.date)
            if now is not None and now[1].token == stored.token:
                raise  # a part of the current manifest is missing: a broken store
            # republished meanwhile (its older parts deleted): that publish wrote its own index
            logger.info("%s/%s was republished while its index was rebuilt", source,
                        partition.date)
            continue
        if not isinstance(listed, list):
            manifest["state"] = keys
            try:
                write_manifest(store, manifest, if_match=stored.token)
            except CommitConflict:
                logger.info("%s/%s was republished while its index was rebuilt", source,
                            partition.date)
                continue
        rebuilt += 1
        logger.warning("rebuilt the versions index of %s/%s", source, partition.date)
    legacy = list(store.list_keys(layout.legacy_state_prefix(source)))
    if legacy:
        store.delete_keys(legacy)
    return rebuilt


def ensure_index(store: ObjectStore, source: str) -> None:
    """Build the index once for a store written before it existed; one HEAD otherwise."""
    marker = layout.versions_format_key(source)
    try:
        if store.exists(marker):
            return
    except ObjectNotFound:  # pragma: no cover - exists() answers False instead
        pass
    rebuild_index(store, source)
    store.put_bytes(marker, b"1\n")
