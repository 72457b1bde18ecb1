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
from storage.base import ObjectStore, StoredObject, open_store
from storage.errors import CorruptObject, ObjectNotFound, PartitionChanged

__all__ = [
    "PartitionInfo", "list_partitions", "manifest_keys", "read_articles", "read_day",
    "read_manifest", "read_manifest_object", "read_part", "verify_manifest", "write_manifest",
]

#: The manifest fields a reader relies on; a manifest without them is corrupt.
_REQUIRED = ("source", "date", "run_id", "parts", "records", "counts")


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
    """The partition's verified manifest, or ``None`` if the partition is not (yet) complete.

    Raises :class:`~storage.errors.CorruptObject` naming the manifest when it
    is not what was written (see :func:`verify_manifest`).
    """
    found = read_manifest_object(store, source, day)
    return found[0] if found else None


def read_manifest_object(
    store: ObjectStore, source: str, day: date | str
) -> tuple[dict[str, Any], StoredObject] | None:
    """The verified manifest with its stored object (token and commit time), or ``None``."""
    key = layout.manifest_key(source, day)
    try:
        stored = store.get_object(key)
    except ObjectNotFound:
        return None
    return verify_manifest(stored.data, key, store.describe()), stored


def manifest_checksum(manifest: dict[str, Any]) -> str:
    """``sha256:`` of the manifest's canonical JSON without its own ``checksum`` field."""
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_manifest(data: bytes, key: str, where: str) -> dict[str, Any]:
    """Parse a manifest and check it against its own checksum before anyone trusts it.

    The store already refuses a write cut short; this catches everything
    else (an edit by hand, a copy gone wrong) and names the object.
    Manifests of earlier releases carry no checksum and are checked for shape only.
    """
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise CorruptObject(key, where, f"not JSON ({len(data)} bytes): {exc}") from None
    if not isinstance(manifest, dict) or any(name not in manifest for name in _REQUIRED):
        raise CorruptObject(key, where, f"not a manifest: needs {', '.join(_REQUIRED)}")
    recorded = manifest.get("checksum")
    if recorded is not None and recorded != manifest_checksum(manifest):
        raise CorruptObject(key, where, "checksum mismatch: changed after it was written")
    return manifest


def write_manifest(
    store: ObjectStore,
    manifest: dict[str, Any],
    *,
    if_match: str | None = None,
    if_none_match: bool = False,
) -> str:
    """Write a partition's manifest with its checksum, conditionally; returns the token."""
    manifest["checksum"] = manifest_checksum(manifest)
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    key = layout.manifest_key(manifest["source"], manifest["date"])
    return store.put_bytes(key, data, if_match=if_match, if_none_match=if_none_match)


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
    """Records of one manifest part; with ``verify`` the sha256 is checked at the end.

    A part the manifest lists but the store lacks raises
    :class:`~storage.errors.CorruptObject`: a committed manifest must never
    point at nothing, so this is a broken store, not a normal miss.
    """
    digest = hashlib.sha256()
    try:
        opened = store.open_reader(part["key"])
    except ObjectNotFound:
        raise CorruptObject(part["key"], store.describe(),
                            "listed by the partition's manifest but missing") from None
    with opened as stream:
        source: Any = _Tee(stream, digest) if verify else stream
        with gzip.GzipFile(fileobj=source, mode="rb") as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                if line.strip():
                    yield json.loads(line)
        if verify:
            while source.read(1 << 16):  # gzip may leave trailing bytes unread
                pass
    if verify and digest.hexdigest() != part["sha256"]:
        raise CorruptObject(part["key"], store.describe(),
                            "sha256 mismatch: the part changed after its manifest was written")


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
        yield from read_day(store, key.source, key.date, verify=verify)


#: Times one day may be published again before a reader that has returned nothing of it gives up.
_REREADS = 5


def read_day(
    store: ObjectStore, source: str, day: date | str, *, verify: bool = False
) -> Iterator[dict[str, Any]]:
    """The records of one day's current manifest (none when the day has no manifest).

    A re-publish of the day between reading its manifest and opening a part
    deletes that part: with nothing of the day returned yet, the day's new
    manifest is read instead; after some records, :class:`PartitionChanged`
    says so (a silent restart would return records twice).
    """
    manifest = read_manifest(store, source, day)
    first_run = manifest["run_id"] if manifest else None
    for _ in range(_REREADS):
        if manifest is None:
            return
        returned = 0
        try:
            for part in manifest["parts"]:
                for record in read_part(store, part, verify=verify):
                    returned += 1
                    yield record
            return
        except CorruptObject:
            now = read_manifest(store, source, day)
            if now == manifest:
                raise  # the current manifest's own part: a broken store
            if returned:
                raise PartitionChanged(source, day, manifest["run_id"],
                                       now["run_id"] if now else None) from None
            manifest = now
    raise PartitionChanged(source, day, str(first_run), manifest["run_id"] if manifest else None)


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
