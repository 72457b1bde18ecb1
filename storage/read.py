"""Reading published articles the way downstream code should: manifests first.

A partition exists for readers only once its ``_manifest.json`` does, and only
the parts that manifest lists belong to it. Parts of a run that crashed before
its manifest, or superseded parts not yet deleted, are therefore invisible.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storage import layout
from storage.base import ObjectStore, open_store
from storage.errors import ObjectNotFound, StorageError

__all__ = [
    "PartitionInfo", "list_partitions", "manifest_keys", "read_articles", "read_manifest",
    "read_part",
]


@dataclass(frozen=True)
class PartitionInfo:
    """One complete partition, as its manifest describes it."""

    source: str
    date: str
    records: int
    parts: int
    run_id: str
    created_at: str
    counts: dict[str, Any] = field(default_factory=dict)


def read_manifest(store: ObjectStore, source: str, day: date | str) -> dict[str, Any] | None:
    """The partition's manifest, or ``None`` if the partition is not (yet) complete."""
    try:
        return json.loads(store.get_bytes(layout.manifest_key(source, day)))
    except ObjectNotFound:
        return None


def manifest_keys(
    store: ObjectStore, source: str | None = None
) -> Iterator[layout.PartitionKey]:
    """The partitions that have a manifest, from one listing (not sorted)."""
    for key in store.list_keys(layout.source_prefix(source)):
        parsed = layout.parse_partition_key(key)
        if parsed and parsed.name == layout.MANIFEST_NAME:
            yield parsed


def list_partitions(
    url: str | ObjectStore, source: str | None = None, **store_options: Any
) -> list[PartitionInfo]:
    """Every complete partition (one with a manifest), sorted by source and date."""
    store = _store(url, store_options)
    found = []
    for key in manifest_keys(store, source):
        manifest = read_manifest(store, key.source, key.date)
        if manifest is None:  # deleted between listing and reading
            continue
        found.append(
            PartitionInfo(
                source=key.source,
                date=key.date,
                records=int(manifest["records"]),
                parts=len(manifest["parts"]),
                run_id=manifest["run_id"],
                created_at=manifest["created_at"],
                counts=manifest.get("counts", {}),
            )
        )
    return sorted(found, key=lambda p: (p.source, p.date))


def read_part(store: ObjectStore, part: dict[str, Any], *, verify: bool = False) -> Iterator[dict]:
    """Records of one manifest part; with ``verify`` the sha256 is checked at the end."""
    digest = hashlib.sha256()
    with store.open_reader(part["key"]) as stream:
        source: Any = _Tee(stream, digest) if verify else stream
        with gzip.GzipFile(fileobj=source, mode="rb") as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                if line.strip():
                    yield json.loads(line)
        if verify:
            while source.read(1 << 16):  # gzip may leave trailing bytes unread
                pass
    if verify and digest.hexdigest() != part["sha256"]:
        raise StorageError(
            f"checksum mismatch for {part['key']} in {store.describe()}: the part changed "
            "after its manifest was written"
        )


def read_articles(
    url: str | ObjectStore,
    source: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    verify: bool = False,
    **store_options: Any,
) -> Iterator[dict[str, Any]]:
    """Yield records of complete partitions, ordered by source, date and part.

    ``start`` and ``end`` are inclusive dates. ``url`` may also be an open store.
    """
    store = _store(url, store_options)
    first = layout.validate_date(start) if start is not None else None
    last = layout.validate_date(end) if end is not None else None
    keys = sorted(manifest_keys(store, source), key=lambda k: (k.source, k.date))
    for key in keys:
        if (first and key.date < first) or (last and key.date > last):
            continue
        manifest = read_manifest(store, key.source, key.date)
        if manifest is None:
            continue
        for part in manifest["parts"]:
            yield from read_part(store, part, verify=verify)


def _store(url: str | ObjectStore, options: dict[str, Any]) -> ObjectStore:
    return url if isinstance(url, ObjectStore) else open_store(url, **options)


class _Tee(io.RawIOBase):
    """Hashes the compressed bytes as gzip reads them."""

    def __init__(self, stream: Any, digest: Any) -> None:
        super().__init__()
        self._stream = stream
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self._digest.update(data)
        buffer[: len(data)] = data
        return len(data)
