"""Athena / Glue DDL generated from the record's JSON Schema and the source registry.

The columns must follow the JSON Schema (a new field gets its column, ``version`` is
``bigint``), the types must describe the published data (DuckDB reads the real
parts with them), the projection lists exactly the sources given, and
``wiredesk ddl`` prints it for the registry (``--sources`` included).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import storage
from storage import ddl
from storage.errors import InvalidKey
from storage.table import TABLE_PREFIX, arrow_schema
from tests.storage.factories import make_record, write_run_dir
from wiredesk.cli import main

SCHEMA = Path(storage.__file__).with_name("schemas") / "article.v1.json"
URL = "s3://bucket/prefix"


# -- a small parser of Athena (Hive) DDL, also used by tests/test_downstream_docs.py ---------


def parse_hive_type(text: str) -> Any:
    """``"array<struct<a:string>>"`` as ``("array", ("struct", [("a", "string")]))``; raises if malformed."""
    kind, rest = _parse_type(text.strip())
    if rest.strip():
        raise ValueError(f"trailing text after a type: {rest!r}")
    return kind


def _parse_type(text: str) -> tuple[Any, str]:
    found = re.match(r"\s*(string|bigint|int|double|boolean|array<|struct<)", text)
    if not found:
        raise ValueError(f"not an Athena type: {text!r}")
    rest = text[found.end():]
    if found[1] == "array<":
        item, rest = _parse_type(rest)
        if not rest.startswith(">"):
            raise ValueError(f"array not closed: {rest!r}")
        return ("array", item), rest[1:]
    if found[1] == "struct<":
        members = []
        while True:
            name = re.match(r"\s*(`[^`]+`|[a-z_][a-z0-9_]*):", rest)
            if not name:
                raise ValueError(f"struct member expected: {rest!r}")
            member, rest = _parse_type(rest[name.end():])
            members.append((name[1].strip("`"), member))
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            if rest.startswith(">"):
                return ("struct", members), rest[1:]
            raise ValueError(f"struct not closed: {rest!r}")
    return found[1], rest


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """``text`` split at separators outside ``<>``, ``()`` and quotes."""
    pieces, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'`":
            quote = char
        elif char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in {text!r}")
        elif char == separator and depth == 0:
            pieces.append(current.strip())
            current = ""
            continue
        current += char
    if depth or quote:
        raise ValueError(f"unbalanced brackets or quotes in {text!r}")
    return [*pieces, current.strip()] if current.strip() else pieces


def parse_jsonl_ddl(statement: str) -> dict[str, Any]:
    """The parts of the JSON Lines ``CREATE EXTERNAL TABLE``: name, columns, partitions, location, properties."""
    found = re.fullmatch(
        r"CREATE EXTERNAL TABLE (?P<name>\w+) \((?P<columns>.*)\)\s*"
        r"PARTITIONED BY \((?P<partitions>[^)]*)\)\s*"
        r"ROW FORMAT SERDE '(?P<serde>[^']+)'\s*"
        r"LOCATION '(?P<location>[^']+)'\s*"
        r"TBLPROPERTIES \((?P<properties>.*)\);?",
        statement.strip(), re.S)
    assert found, statement
    columns = {}
    for column in split_top_level(found["columns"]):
        name, kind = column.split(" ", 1)
        columns[name.strip("`")] = parse_hive_type(kind)
    properties = {}
    for prop in split_top_level(found["properties"]):
        key, value = re.fullmatch(r"'([^']+)'\s*=\s*'([^']*)'", prop).groups()
        properties[key] = value
    return {"name": found["name"], "columns": columns, "serde": found["serde"],
            "partitions": [p.split() for p in split_top_level(found["partitions"])],
            "location": found["location"], "properties": properties}


def duckdb_type(kind: Any) -> str:
    """An Athena type (as :func:`parse_hive_type` returns it) in DuckDB's spelling."""
    if isinstance(kind, str):
        return {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER"}[kind]
    if kind[0] == "array":
        return f"{duckdb_type(kind[1])}[]"
    return "STRUCT(" + ", ".join(f'"{name}" {duckdb_type(member)}' for name, member in kind[1]) + ")"


def _arrow_as_hive(kind: pa.DataType) -> Any:
    """The Athena type the table's Arrow type corresponds to (timestamps are text in JSON Lines)."""
    if pa.types.is_string(kind) or pa.types.is_timestamp(kind):
        return "string"
    if pa.types.is_int64(kind):
        return "bigint"
    if pa.types.is_list(kind):
        return ("array", _arrow_as_hive(kind.value_type))
    if pa.types.is_struct(kind):
        return ("struct", [(field.name, _arrow_as_hive(field.type)) for field in kind])
    raise AssertionError(kind)


# -- the columns ----------------------------------------------------------------------------


def test_the_columns_are_the_json_schema_fields() -> None:
    doc = json.loads(SCHEMA.read_text())
    columns = dict(ddl.hive_columns())
    assert list(columns) == [name for name in doc["properties"] if name != "source"]
    assert columns["version"] == "bigint" and columns["schema_version"] == "int"
    assert columns["published_at"] == columns["updated_at"] == columns["fetched_at"] == "string"
    assert columns["authors"] == "array<string>"
    assert columns["images"] == "array<struct<url:string, caption:string>>"
    assert columns["raw"] == "struct<warc:string, record_id:string, offset:bigint>"
    assert columns["dateline"] == "struct<city:string, agency:string>"
    for kind in columns.values():
        parse_hive_type(kind)


def test_the_columns_agree_with_the_delta_tables_schema() -> None:
    """The Arrow schema and the DDL come from the same JSON Schema: same names, same shapes."""
    table = {f.name: _arrow_as_hive(f.type) for f in arrow_schema()
             if f.name not in ("source", "date") and not f.name.endswith("_offset")}
    table["schema_version"] = "int"  # a const: int64 in Parquet, int in the DDL
    assert {name: parse_hive_type(kind) for name, kind in ddl.hive_columns()} == table


def test_a_new_schema_field_gets_its_column_and_reserved_names_are_quoted(tmp_path, monkeypatch) -> None:
    doc = json.loads(SCHEMA.read_text())
    doc["properties"]["timestamp"] = {"oneOf": [{"type": "null"}, {"type": "integer"}]}
    doc["properties"]["links"] = {"type": "array", "items": {
        "type": "object", "properties": {"from": {"type": "string"}, "rank": {"type": "integer"}}}}
    changed = tmp_path / "article.v1.json"
    changed.write_text(json.dumps(doc))
    monkeypatch.setattr(ddl, "_SCHEMA_FILE", changed)
    columns = dict(ddl.hive_columns())
    assert columns["timestamp"] == "bigint"
    assert columns["links"] == "array<struct<`from`:string, rank:bigint>>"
    statement = ddl.jsonl_ddl(URL, ["a"])
    assert "`timestamp` bigint" in statement
    assert parse_jsonl_ddl(statement)["columns"]["links"] == (
        "array", ("struct", [("from", "string"), ("rank", "bigint")]))


def test_a_field_athena_cannot_type_is_refused(tmp_path, monkeypatch) -> None:
    doc = json.loads(SCHEMA.read_text())
    doc["properties"]["either"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    changed = tmp_path / "article.v1.json"
    changed.write_text(json.dumps(doc))
    monkeypatch.setattr(ddl, "_SCHEMA_FILE", changed)
    with pytest.raises(ValueError, match="union of 2 types"):
        ddl.hive_columns()


# -- the statements -------------------------------------------------------------------------


def test_the_jsonl_table_projects_the_given_sources_and_days() -> None:
    parsed = parse_jsonl_ddl(ddl.jsonl_ddl(URL + "/", ["yonhap_ko", "apnews", "yonhap_ko"],
                                           first_day="2025-01-01"))
    assert parsed["name"] == "wiredesk_articles_v1"
    assert list(parsed["columns"]) == [name for name, _ in ddl.hive_columns()]
    assert parsed["partitions"] == [["`source`", "string"], ["`date`", "string"]]
    assert parsed["serde"] == "org.openx.data.jsonserde.JsonSerDe"
    assert parsed["location"] == "s3://bucket/prefix/articles/v1/"
    props = parsed["properties"]
    assert props["projection.source.values"] == "apnews,yonhap_ko"
    assert props["projection.date.range"] == "2025-01-01,NOW+1DAYS"
    assert props["projection.date.format"] == "yyyy-MM-dd"
    assert props["storage.location.template"] == (
        "s3://bucket/prefix/articles/v1/source=${source}/date=${date}/")
    assert props["projection.enabled"] == "true"


@pytest.mark.parametrize("url, root", [
    ("s3://bucket", "s3://bucket/articles/v1/"),
    ("s3://bucket/", "s3://bucket/articles/v1/"),
    ("s3://my.bucket-1/a/b/", "s3://my.bucket-1/a/b/articles/v1/"),
])
def test_locations_are_normalised(url: str, root: str) -> None:
    assert parse_jsonl_ddl(ddl.jsonl_ddl(url, ["a"]))["location"] == root
    assert ddl.delta_ddl(url) == (
        "CREATE EXTERNAL TABLE wiredesk_articles_v1_delta\n"
        f"LOCATION '{root.removesuffix('articles/v1/')}{TABLE_PREFIX}/'\n"
        "TBLPROPERTIES ('table_type' = 'DELTA');\n")


@pytest.mark.parametrize("url", ["file:///data", "/data", "s3://B/x", "s3://b", "s3://bucket/it's",
                                 "s3://bucket/a b", "s3a://bucket/x"])
def test_a_location_that_is_not_an_s3_root_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="bucket URL"):
        ddl.jsonl_ddl(url, ["a"])


def test_bad_names_are_refused() -> None:
    with pytest.raises(InvalidKey):
        ddl.jsonl_ddl(URL, ["Not_A_Source"])
    with pytest.raises(ValueError, match="no sources"):
        ddl.jsonl_ddl(URL, [])
    with pytest.raises(ValueError, match="table name"):
        ddl.jsonl_ddl(URL, ["a"], table="drop table x")
    with pytest.raises(InvalidKey):
        ddl.jsonl_ddl(URL, ["a"], first_day="2025-02-30")


def test_both_statements_come_in_one_script() -> None:
    script = ddl.athena_ddl(URL, ["a"], table="news")
    assert script == ("-- the JSON Lines partitions (articles/v1/)\n" + ddl.jsonl_ddl(URL, ["a"], table="news")
                      + "\n-- the Delta Lake table (tables/articles_v1/)\n"
                      + ddl.delta_ddl(URL, table="news_delta"))
    assert all(len(line) <= 100 for line in script.splitlines())


# -- the types fit the published data --------------------------------------------------------


def test_the_ddl_types_read_the_published_parts(tmp_path) -> None:
    """DuckDB reads every published part with exactly the DDL's columns: no field left over,
    none mistyped, the same records as storage.read_articles."""
    import duckdb

    store = storage.open_store((tmp_path / "store").as_uri())
    records = [make_record(i, source="yonhap_en", published_at=f"2025-03-12T0{i}:15:00+09:00")
               for i in range(3)]
    records[0]["images"] = [{"url": "https://wire.example/p.jpg", "caption": None}]
    records[1]["raw"]["offset"] = 2**40
    records[2]["published_at"] = "2025-03-12T02:15:00.25+09:00"
    local = write_run_dir(tmp_path / "run", records, source="yonhap_en", day="2025-03-12")
    storage.upload_staging(store, "yonhap_en", "2025-03-12", "r1", local)
    manifest = storage.publish_run(store, "yonhap_en", "2025-03-12", "r1")

    parsed = parse_jsonl_ddl(ddl.jsonl_ddl("s3://bucket", ["yonhap_en"]))
    columns = {name: duckdb_type(kind) for name, kind in parsed["columns"].items()}
    files = [str(tmp_path / "store" / part["key"]) for part in manifest["parts"]]
    # every field of the data is a column, or the partition key: nothing is silently dropped
    detected = duckdb.sql(f"SELECT * FROM read_json({files!r}, format = 'newline_delimited', "
                          "hive_partitioning = false)").columns
    assert set(detected) == set(columns) | {"source"}
    rows = duckdb.sql(
        f"SELECT id, version, raw.offset AS offset, images, published_at FROM read_json({files!r}, "
        f"format = 'newline_delimited', columns = {columns!r}) ORDER BY id").fetchall()
    published = sorted(storage.read_articles(store), key=lambda r: r["id"])
    assert rows == [(r["id"], r["version"], r["raw"].get("offset"), r["images"], r["published_at"])
                    for r in published]


# -- the command ----------------------------------------------------------------------------


def test_the_command_prints_the_ddl_for_the_registry(capsys, monkeypatch) -> None:
    from crawlers.sources import load_sources

    monkeypatch.delenv("WIREDESK_SOURCES", raising=False)
    assert main(["ddl", "--bucket-url", URL]) == 0
    out = capsys.readouterr().out
    assert out == ddl.athena_ddl(URL, load_sources())
    values = parse_jsonl_ddl(out.split(";\n")[0].split("\n", 1)[1])["properties"]
    assert values["projection.source.values"].split(",") == sorted(load_sources())
    assert "apnews" in values["projection.source.values"]


def test_the_command_adds_the_sources_of_a_file(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("WIREDESK_SOURCES", raising=False)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  localwire:\n    name: Local wire\n    language: en\n    timezone: UTC\n"
        "    allowed_domains: [wire.example]\n    feeds: [https://wire.example/rss.xml]\n"
        "    parser: generic\n")
    assert main(["ddl", "--bucket-url", "s3://b-1/x", "--sources", str(sources), "--table", "news",
                 "--first-day", "2025-01-01"]) == 0
    out = capsys.readouterr().out
    assert "'projection.source.values' = 'apnews,localwire,yonhap_en,yonhap_ko'" in out
    assert "CREATE EXTERNAL TABLE news (" in out and "CREATE EXTERNAL TABLE news_delta\n" in out
    assert "'2025-01-01,NOW+1DAYS'" in out and "LOCATION 's3://b-1/x/tables/articles_v1/'" in out


def test_the_command_explains_a_bad_url_in_one_line(capsys) -> None:
    assert main(["ddl", "--bucket-url", "file:///tmp/store"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: bucket URL 'file:///tmp/store'") and "\n" not in err


def test_the_command_takes_source_ids_without_the_registry(capsys, monkeypatch) -> None:
    """``--source-ids`` needs no crawler packages: a light install finds no registry."""
    import builtins

    real_import = builtins.__import__

    def no_crawlers(name, *args, **kwargs):
        if name.startswith("crawlers"):
            raise ModuleNotFoundError(f"No module named {name!r}", name="yaml")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_crawlers)
    assert main(["ddl", "--bucket-url", URL, "--source-ids", "b_wire, a_wire"]) == 0
    assert "'projection.source.values' = 'a_wire,b_wire'" in capsys.readouterr().out
    assert main(["ddl", "--bucket-url", URL]) == 1
    err = capsys.readouterr().err
    assert "yaml is not installed" in err and "--source-ids" in err
    assert main(["ddl", "--bucket-url", URL, "--source-ids", "Bad!"]) == 1
    assert "invalid source id 'Bad!'" in capsys.readouterr().err
