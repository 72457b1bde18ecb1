"""Athena / Glue DDL for the published data, generated from the record's JSON Schema.

Two statements, both printed by ``wiredesk ddl --bucket-url s3://bucket/prefix``:

- :func:`jsonl_ddl`: a ``CREATE EXTERNAL TABLE`` over the JSON Lines partitions
  (``articles/v1/source=S/date=D/``) with partition projection, so no crawler or
  ``MSCK REPAIR`` is needed. Its columns come from
  ``storage/schemas/article.v1.json`` (:func:`hive_columns`): strings, ``bigint``
  integers (``version`` needs 64 bits), ``array<…>`` and ``struct<…>``; date-times
  stay ``string`` because the JSON SerDe cannot keep the page's UTC offset
  (``from_iso8601_timestamp(published_at)`` gives the instant). The record's own
  ``source`` field is left out: the partition column of that name holds the same
  value. The projection's ``source`` values are the registry's source ids, passed
  in by the caller (``storage`` never imports the crawlers).
- :func:`delta_ddl`: Athena's native Delta Lake table over ``tables/articles_v1/``
  (``'table_type' = 'DELTA'``); Athena reads the columns from the Delta log.

docs/downstream.md prints the output for the built-in registry and a test keeps
the two equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storage import layout

__all__ = ["athena_ddl", "delta_ddl", "hive_columns", "jsonl_ddl", "location"]

_SCHEMA_FILE = Path(__file__).with_name("schemas") / f"article.v{layout.SCHEMA_VERSION}.json"
#: Athena's table names: lower-case letters, digits and underscores.
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,127}$")
_BUCKET_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?P<prefix>(/[^'\\\s]*)?)$")
#: Columns that are partition keys: the path carries them (``source=S/date=D``).
PARTITION_KEYS = ("source", "date")
#: Hive/Athena DDL reserved words a column or struct field could collide with; such names
#: are written in backticks. (The partition keys are always quoted.)
RESERVED = frozenset("""
    all alter and array as authorization between bigint binary boolean both by case cast char column
    commit conf constraint create cross cube current current_date current_timestamp cursor database
    date dayofweek decimal delete describe distinct div double drop else end exchange exists extended
    external extract false fetch float floor following for foreign from full function grant group
    grouping having if import in inner insert int integer intersect interval into is join lateral
    left less like local macro map more none not null numeric of on only or order out outer over
    partialscan partition percent preceding precision preserve primary procedure range reads reduce
    references regexp revoke right rlike rollback rollup row rows select set smallint start table
    tablesample then time timestamp to transform trigger true truncate unbounded union uniquejoin
    update user using utc_timestamp values varchar views when where window with
""".split())
#: Width the column list is wrapped at.
_WIDTH = 92


def hive_columns() -> list[tuple[str, str]]:
    """``(name, Athena type)`` of every record field except ``source``, in the schema's order."""
    doc = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return [(name, _hive_type(spec, doc)) for name, spec in doc["properties"].items()
            if name not in PARTITION_KEYS]


def _resolve(spec: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    ref = spec.get("$ref")
    return _resolve(doc["$defs"][ref.rsplit("/", 1)[-1]], doc) if ref else spec


def _hive_type(spec: dict[str, Any], doc: dict[str, Any]) -> str:
    spec = _resolve(spec, doc)
    if "oneOf" in spec:  # {"oneOf": [{"type": "null"}, X]}: a nullable X (every column is)
        real = [option for option in (_resolve(o, doc) for o in spec["oneOf"])
                if option.get("type") != "null"]
        if len(real) != 1:
            raise ValueError(f"cannot map a union of {len(real)} types to Athena: {spec}")
        return _hive_type(real[0], doc)
    if "const" in spec:
        return "int" if isinstance(spec["const"], int) else "string"
    kind = spec.get("type")
    if isinstance(kind, list):  # {"type": ["integer", "null"]}
        real = [k for k in kind if k != "null"]
        if len(real) != 1:
            raise ValueError(f"cannot map a union of {real} to Athena: {spec}")
        return _hive_type({**spec, "type": real[0]}, doc)
    if kind == "string":
        return "string"
    if kind == "integer":
        return "bigint"
    if kind == "array":
        return f"array<{_hive_type(spec['items'], doc)}>"
    if kind == "object":
        members = ", ".join(f"{_name(name)}:{_hive_type(member, doc)}"
                            for name, member in spec["properties"].items())
        return f"struct<{members}>"
    raise ValueError(f"no Athena type for JSON Schema node {spec}")


def _name(name: str) -> str:
    return f"`{name}`" if name.lower() in RESERVED else name


def location(bucket_url: str) -> str:
    """``s3://bucket/prefix`` (the store's root) as a normalised URL without trailing slash."""
    found = _BUCKET_URL.match(bucket_url.rstrip("/"))
    if not found:
        raise ValueError(f"bucket URL {bucket_url!r}: expected s3://bucket or s3://bucket/prefix "
                         "(a valid bucket name, no quotes or spaces)")
    return f"s3://{found['bucket']}{found['prefix'].rstrip('/')}"


def _table_name(name: str) -> str:
    if not _TABLE_NAME.match(name):
        raise ValueError(f"table name {name!r}: use lower-case letters, digits and underscores")
    return name


def jsonl_ddl(bucket_url: str, sources: Iterable[str], *, table: str = "wiredesk_articles_v1",
              first_day: str = "2024-01-01") -> str:
    """``CREATE EXTERNAL TABLE`` over the JSON Lines partitions, with partition projection.

    ``sources`` are the projected ``source`` values (sorted, deduplicated);
    ``first_day`` starts the projected ``date`` range, which ends a day after
    today in UTC (``NOW+1DAYS``): a source east of UTC starts its day earlier.
    """
    ids = sorted({layout.validate_source(s) for s in sources})
    if not ids:
        raise ValueError("no sources: the projection needs at least one source id")
    first = layout.validate_date(first_day)
    root = f"{location(bucket_url)}/{layout.ARTICLES_ROOT}"
    lines = [f"CREATE EXTERNAL TABLE {_table_name(table)} ("]
    lines += _wrap([f"{_name(name)} {kind}" for name, kind in hive_columns()])
    lines += [
        ")",
        "PARTITIONED BY (`source` string, `date` string)",
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
        f"LOCATION '{root}'",
        "TBLPROPERTIES (",
        "  'projection.enabled' = 'true',",
        "  'projection.source.type' = 'enum',",
        f"  'projection.source.values' = '{','.join(ids)}',",
        "  'projection.date.type' = 'date',",
        "  'projection.date.format' = 'yyyy-MM-dd',",
        f"  'projection.date.range' = '{first},NOW+1DAYS',",
        "  'projection.date.interval' = '1',",
        "  'projection.date.interval.unit' = 'DAYS',",
        f"  'storage.location.template' = '{root}source=${{source}}/date=${{date}}/'",
        ");",
    ]
    return "\n".join(lines) + "\n"


def delta_ddl(bucket_url: str, *, table: str = "wiredesk_articles_v1_delta") -> str:
    """Athena's native Delta Lake table over ``tables/articles_v1/`` (columns from its log)."""
    from storage.table import TABLE_PREFIX

    return (f"CREATE EXTERNAL TABLE {_table_name(table)}\n"
            f"LOCATION '{location(bucket_url)}/{TABLE_PREFIX}/'\n"
            "TBLPROPERTIES ('table_type' = 'DELTA');\n")


def athena_ddl(bucket_url: str, sources: Iterable[str], *, table: str = "wiredesk_articles_v1",
               first_day: str = "2024-01-01") -> str:
    """Both statements, as ``wiredesk ddl`` prints them: JSON Lines first, then ``<table>_delta``."""
    return (f"-- the JSON Lines partitions (articles/v{layout.SCHEMA_VERSION}/)\n"
            + jsonl_ddl(bucket_url, sources, table=table, first_day=first_day)
            + f"\n-- the Delta Lake table (tables/articles_v{layout.SCHEMA_VERSION}/)\n"
            + delta_ddl(bucket_url, table=f"{table}_delta"))


def _wrap(items: list[str]) -> list[str]:
    """Comma-separated items packed into lines of at most :data:`_WIDTH` characters."""
    lines: list[str] = []
    current = ""
    for number, item in enumerate(items):
        piece = item + ("," if number < len(items) - 1 else "")
        if current and len(current) + 1 + len(piece) > _WIDTH:
            lines.append(current)
            current = ""
        current = f"{current} {piece}" if current else f"  {piece}"
    if current:
        lines.append(current)
    return lines
