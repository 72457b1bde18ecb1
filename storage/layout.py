"""Where everything lives in a store: the key layout of DESIGN.md, in one place.

Every key the project writes is built here from validated parts, so no input
(a source id with ``../``, an absolute path, a NUL byte, a date that is not a
date) can make a write land outside the store's configured root or prefix.

::

    articles/v1/source=S/date=D/part-<commit>-00000.jsonl.gz   published records
    articles/v1/source=S/date=D/_manifest.json                 written last; the commit point
    raw/source=S/date=D/<run>.warc.gz                          every fetched response
    quarantine/source=S/date=D/<commit>.jsonl.gz               rejected pages and records
    ledger/source=S/date=D/<commit>.jsonl.gz                   every discovered URL's outcome
    state/source=S/versions/date=T/day=D/<commit>.jsonl.gz     the versions day D published
                                                               whose story time falls on T
    staging/source=S/date=D/run=R/...                          a crawl's upload, before publishing

``<commit>`` is ``<run>.<attempt>``: every publish attempt writes under names of
its own, so two attempts (even of one run) never overwrite each other's objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from storage.errors import InvalidKey

SCHEMA_VERSION = 1
ARTICLES_ROOT = f"articles/v{SCHEMA_VERSION}/"
MANIFEST_NAME = "_manifest.json"

_SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_RUN_ID_RE = re.compile(r"^[0-9A-Za-z_.-]{1,100}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTITION_RE = re.compile(
    r"^articles/v(?P<v>\d+)/source=(?P<source>[^/]+)/date=(?P<date>[^/]+)/(?P<name>[^/]+)$"
)
_UNSAFE_KEY_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


def validate_source(source: str) -> str:
    """Return ``source`` if it is a valid source id, else raise :class:`InvalidKey`."""
    if not isinstance(source, str) or not _SOURCE_RE.fullmatch(source):
        raise InvalidKey(f"invalid source id {source!r}: expected ^[a-z0-9][a-z0-9_-]{{0,63}}$")
    return source


def validate_date(day: date | str) -> str:
    """Return ``day`` as ``YYYY-MM-DD``; it must be a real calendar date."""
    if isinstance(day, date):
        return day.isoformat()
    if not isinstance(day, str) or not _DATE_RE.fullmatch(day):
        raise InvalidKey(f"invalid date {day!r}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(day).isoformat()
    except ValueError as exc:
        raise InvalidKey(f"invalid date {day!r}: {exc}") from None


def validate_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is safe as a key component (not ``.``/``..``)."""
    if (
        not isinstance(run_id, str)
        or not _RUN_ID_RE.fullmatch(run_id)
        or run_id in {".", ".."}
    ):
        raise InvalidKey(f"invalid run id {run_id!r}: expected ^[0-9A-Za-z_.-]{{1,100}}$")
    return run_id


def check_key(key: str) -> str:
    """Refuse keys that could leave the store root on any backend.

    Backends call this on every key: relative, ``/``-separated, no empty,
    ``.`` or ``..`` segment, no control characters or backslashes.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey(f"invalid key {key!r}: empty")
    if key.startswith("/") or _UNSAFE_KEY_CHARS.search(key):
        raise InvalidKey(f"invalid key {key!r}: absolute or contains control characters")
    if any(part in {"", ".", ".."} for part in key.split("/")):
        raise InvalidKey(f"invalid key {key!r}: empty, '.' or '..' path segment")
    return key


def _day_dir(root: str, source: str, day: date | str) -> str:
    return f"{root}source={validate_source(source)}/date={validate_date(day)}/"


def partition_prefix(source: str, day: date | str) -> str:
    return _day_dir(ARTICLES_ROOT, source, day)


def source_prefix(source: str | None = None) -> str:
    """Prefix of all partitions, or of one source's partitions."""
    if source is None:
        return ARTICLES_ROOT
    return f"{ARTICLES_ROOT}source={validate_source(source)}/"


def manifest_key(source: str, day: date | str) -> str:
    return partition_prefix(source, day) + MANIFEST_NAME


def part_key(source: str, day: date | str, commit_id: str, index: int) -> str:
    return partition_prefix(source, day) + f"part-{validate_run_id(commit_id)}-{index:05d}.jsonl.gz"


def is_part_key(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return name.startswith("part-") and name.endswith(".jsonl.gz")


def raw_prefix(source: str, day: date | str) -> str:
    return _day_dir("raw/", source, day)


def raw_key(source: str, day: date | str, run_id: str, index: int | None = None) -> str:
    """``raw/source=S/date=D/R.warc.gz``; a run with several WARC files adds ``-NNNNN``."""
    suffix = "" if index is None else f"-{index:05d}"
    return raw_prefix(source, day) + f"{validate_run_id(run_id)}{suffix}.warc.gz"


def quarantine_prefix(source: str, day: date | str) -> str:
    return _day_dir("quarantine/", source, day)


def ledger_prefix(source: str, day: date | str) -> str:
    return _day_dir("ledger/", source, day)


def ledger_key(source: str, day: date | str, commit_id: str) -> str:
    """One row per discovered URL of the published run, with its final outcome."""
    return ledger_prefix(source, day) + f"{validate_run_id(commit_id)}.jsonl.gz"


def quarantine_key(source: str, day: date | str, commit_id: str) -> str:
    return quarantine_prefix(source, day) + f"{validate_run_id(commit_id)}.jsonl.gz"


def state_root(source: str) -> str:
    """Everything derived about ``source``: rebuildable from its manifests at any time."""
    return f"state/source={validate_source(source)}/"


def versions_prefix(source: str, story_day: date | str) -> str:
    """The published versions of ``source`` whose story time falls on ``story_day`` (UTC)."""
    return state_root(source) + f"versions/date={validate_date(story_day)}/"


def versions_key(source: str, story_day: date | str, day: date | str, commit_id: str) -> str:
    return versions_prefix(source, story_day) + (
        f"day={validate_date(day)}/{validate_run_id(commit_id)}.jsonl.gz"
    )


_VERSIONS_RE = re.compile(
    r"^state/source=[^/]+/versions/date=(?P<story>[^/]+)/day=(?P<day>[^/]+)/(?P<commit>[^/]+)\.jsonl\.gz$"
)


def parse_versions_key(key: str) -> tuple[str, str, str] | None:
    """``(story_day, day, commit_id)`` of a versions key, else ``None``."""
    match = _VERSIONS_RE.fullmatch(key)
    return (match["story"], match["day"], match["commit"]) if match else None


def versions_format_key(source: str) -> str:
    """Present once the source's versions index has been built from its manifests."""
    return state_root(source) + "versions/_format-1"


def legacy_state_prefix(source: str) -> str:
    """Per-day dedup shards of earlier releases; removed when the index is rebuilt."""
    return state_root(source) + "published/"


def staging_prefix(source: str, day: date | str, run_id: str) -> str:
    return staging_day_prefix(source, day) + f"run={validate_run_id(run_id)}/"


def staging_day_prefix(source: str, day: date | str) -> str:
    """Where every staged run of one source and day lives."""
    return _day_dir("staging/", source, day)


def staging_key(source: str, day: date | str, run_id: str, name: str) -> str:
    """A staged run's file (its names belong to :mod:`storage.staging`)."""
    if "/" in name or not _RUN_ID_RE.fullmatch(name):
        raise InvalidKey(f"invalid staged file name {name!r}")
    return staging_prefix(source, day, run_id) + name


@dataclass(frozen=True)
class PartitionKey:
    """What a key under ``articles/vN/`` says about itself."""

    schema_version: int
    source: str
    date: str
    name: str


def parse_partition_key(key: str) -> PartitionKey | None:
    """Split an ``articles/vN/source=S/date=D/<name>`` key, or ``None`` if it is not one."""
    match = _PARTITION_RE.fullmatch(key)
    if not match:
        return None
    try:
        source = validate_source(match["source"])
        day = validate_date(match["date"])
    except InvalidKey:
        return None
    return PartitionKey(int(match["v"]), source, day, match["name"])
