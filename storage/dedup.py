"""The dedup index: has this article (id + content hash) been published before?

State is sharded by day: ``state/source=S/published/date=D.jsonl.gz`` holds one
``{"id", "content_hash", "version", "url"}`` row per record that D's manifest
published, and is written after that manifest. Publishing D consults every
other day's shard, never D's own for the duplicate decision, so re-running D is
idempotent; D's own previous shard only lets a re-run keep the version numbers
it gave before.

The rows of the run and the loaded shards live in a temporary SQLite file
(stdlib, on disk), so memory stays flat however many records a day or the
history holds.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from storage import layout
from storage.base import ObjectStore

#: A record's decision: publish with this version, or drop as an unchanged duplicate.
DUPLICATE = 0


def sort_key(record: dict[str, Any]) -> str:
    """When this copy of a story was current: updated/published time, then fetch time.

    Timestamps are normalised to UTC so offsets compare correctly; fetch order
    (the sequence number) breaks the remaining ties.
    """
    story_time = _utc(record.get("updated_at")) or _utc(record.get("published_at"))
    return f"{story_time}|{_utc(record.get('fetched_at'))}"


def _utc(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class DedupIndex:
    """Decides, for every record of one run, ``DUPLICATE`` or the version to publish."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE known (id TEXT, hash TEXT, version INTEGER, own INTEGER);
            CREATE TABLE run (seq INTEGER PRIMARY KEY, id TEXT, hash TEXT, sort TEXT);
            CREATE TABLE decision (seq INTEGER PRIMARY KEY, version INTEGER);
            """
        )

    def close(self) -> None:
        self._db.close()

    def load_published(self, store: ObjectStore, source: str, day: date | str, shards: Iterable[str]) -> int:
        """Load the shards of ``source`` (every day's); D's own is kept apart. Returns rows loaded.

        ``shards`` are the keys the caller listed already: publishing lists the
        state prefix once, to repair missing shards, and a listing of a large
        bucket prefix costs more than the reading.
        """
        own_key = layout.state_key(source, day)
        loaded = 0
        for key in shards:
            if not key.endswith(".jsonl.gz"):
                continue
            own = int(key == own_key)
            with store.open_reader(key) as stream, gzip.GzipFile(fileobj=stream) as raw:
                rows = (
                    (row["id"], row["content_hash"], int(row["version"]), own)
                    for row in map(json.loads, io.TextIOWrapper(raw, encoding="utf-8"))
                )
                cursor = self._db.executemany("INSERT INTO known VALUES (?, ?, ?, ?)", rows)
                loaded += cursor.rowcount
        self._db.execute("CREATE INDEX known_id ON known (id)")
        return loaded

    def add(self, seq: int, record: dict[str, Any]) -> None:
        """Register a valid record of the run, in fetch order."""
        self._db.execute(
            "INSERT INTO run VALUES (?, ?, ?, ?)",
            (seq, record["id"], record["content_hash"], sort_key(record)),
        )

    def decide(self) -> None:
        """Walk each id's copies in story order and assign duplicate or a version."""
        group_id: str | None = None
        seen: set[str] = set()
        own: dict[str, int] = {}
        max_version = 0
        decisions: list[tuple[int, int]] = []
        rows = self._db.execute("SELECT seq, id, hash FROM run ORDER BY id, sort, seq")
        for seq, record_id, content_hash in rows:
            if record_id != group_id:
                group_id = record_id
                seen, own, max_version = self._known(record_id)
            if content_hash in seen:
                decisions.append((seq, DUPLICATE))
                continue
            version = own.get(content_hash) or max_version + 1
            max_version = max(max_version, version)
            seen.add(content_hash)
            decisions.append((seq, version))
            if len(decisions) >= 10_000:
                self._save(decisions)
        self._save(decisions)

    def _known(self, record_id: str) -> tuple[set[str], dict[str, int], int]:
        seen: set[str] = set()
        own: dict[str, int] = {}
        max_version = 0
        cursor = self._db.cursor()  # a second cursor: the caller's SELECT is still open
        for content_hash, version, is_own in cursor.execute(
            "SELECT hash, version, own FROM known WHERE id = ?", (record_id,)
        ):
            if is_own:
                own[content_hash] = version
            else:
                seen.add(content_hash)
            max_version = max(max_version, version)
        return seen, own, max_version

    def _save(self, decisions: list[tuple[int, int]]) -> None:
        cursor = self._db.cursor()
        cursor.executemany("INSERT INTO decision VALUES (?, ?)", decisions)
        decisions.clear()

    def decisions(self) -> Iterator[tuple[int, int]]:
        """``(seq, version)`` in fetch order; version :data:`DUPLICATE` means drop."""
        yield from self._db.execute("SELECT seq, version FROM decision ORDER BY seq")


def state_row(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "content_hash": record["content_hash"],
        "version": record["version"],
        "url": record.get("url"),
    }
