"""Every code block of docs/downstream.md runs, against a store these tests publish.

Each fenced block in the doc follows a ``<!-- snippet: NAME -->`` comment; a block
without one, or a name this module does not know, fails
:func:`test_every_block_is_a_known_snippet`, so a new snippet cannot go untested.

The published store: two sources (``yonhap_en``, ``apnews``) over three days, one
story updated on the second day (two versions of one id), a re-run of a day, and a
day of ``yonhap_en`` whose records were all duplicates (its manifest has
``parts: []``). Each runnable snippet must return exactly what
``storage.read_articles`` returns (source, day, id, version, content_hash, title).

Placeholders the doc uses and the tests substitute (see :data:`PLACEHOLDERS`):

- ``root = "/data/wiredesk"``: a local copy of ``<root>`` (the published file store);
  the DuckDB snippet instead runs in that folder;
- ``s3://bucket/prefix`` / ``"bucket/prefix"``: the test's SeaweedFS bucket and prefix;
- ``http://127.0.0.1:8333`` / ``127.0.0.1:8333``: SeaweedFS's S3 endpoint;
- ``'…'`` / ``"…"`` as ``KEY_ID``, ``SECRET``, ``access_key``, ``secret_key``: its
  credentials (snippets without them use the environment, as on AWS);
- per test, the day or source a snippet names (``date=2025-03-12``) and ``since = 3``.

Local-folder snippets (pandas, DuckDB on a copy) run on a ``file://`` store; the S3
ones (storage reader, pyarrow, deltalake, polars, DuckDB's delta_scan) on SeaweedFS.
The Spark snippet is parsed (no Spark here), the Athena DDL must be what
``wiredesk ddl`` prints, and the Athena latest-version query runs in DuckDB.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import storage
from storage.table import TABLE_PREFIX
from tests.storage.factories import make_record, write_run_dir
from tests.storage.test_ddl import parse_jsonl_ddl, split_top_level
from tests.support.seaweed import SeaweedServer

DOC = Path(__file__).resolve().parents[1] / "docs" / "downstream.md"
SOURCES = ("yonhap_en", "apnews")
DAYS = ("2025-03-11", "2025-03-12", "2025-03-13")
DUP_DAY = "2025-03-14"  # yonhap_en republishes the first day's stories: every record a duplicate
#: Names of the doc's snippets and how they are checked.
RUNS_LOCALLY = {"pandas", "latest-pandas", "duckdb-local", "latest-duckdb"}
RUNS_ON_S3 = {"read-articles", "pyarrow", "delta-deltalake", "delta-polars", "delta-duckdb-connect",
              "delta-duckdb", "athena-latest"}
CHECKED = {"layout", "manifest", "delta-spark", "athena-ddl"}
#: What every snippet may leave for the reader to fill in; none may remain when it runs.
PLACEHOLDERS = ("…", "127.0.0.1:8333", "bucket/prefix", "/data/wiredesk")

_SNIPPET = re.compile(r"<!-- snippet: (?P<name>[a-z0-9-]+) -->\n```(?P<lang>\w*)\n(?P<code>.*?)^```$",
                      re.S | re.M)


def snippets() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for match in _SNIPPET.finditer(DOC.read_text(encoding="utf-8")):
        assert match["name"] not in found, f"snippet name {match['name']} used twice"
        found[match["name"]] = (match["lang"], match["code"])
    return found


def code_of(name: str, *replacements: tuple[str, str]) -> str:
    """A snippet with its placeholders filled in; each replacement must find its text."""
    code = snippets()[name][1]
    for old, new in replacements:
        assert old in code, f"snippet {name}: {old!r} not found"
        code = code.replace(old, new)
    for placeholder in PLACEHOLDERS:
        assert placeholder not in code, f"snippet {name}: placeholder {placeholder!r} left"
    return code


def run(name: str, code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(code, f"docs/downstream.md <!-- snippet: {name} -->", "exec"), namespace)  # noqa: S102
    return namespace


def sql_statements(sql: str) -> list[str]:
    """Statements of a SQL block, ``--`` comments removed (the doc's SQL has no ``--`` in strings)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [statement.strip() for statement in text.split(";") if statement.strip()]


# -- the published store ------------------------------------------------------------------------


def day_records(source: str, day: str) -> list[dict[str, Any]]:
    offset = "+09:00" if source == "yonhap_en" else "-05:00"
    first = 10 * DAYS.index(day)
    records = [make_record(first + i, source=source, published_at=f"{day}T0{i}:15:00{offset}")
               for i in range(3)]
    records[0]["update_flag"] = "LEAD"
    records[1]["images"] = [{"url": "https://wire.example/photo.jpg", "caption": "A photo"}]
    records[2]["published_at"] = f"{day}T02:15:00.25{offset}"  # fractional seconds
    records[2]["raw"]["offset"] = 1234
    if day == DAYS[0]:  # written before author_organisations existed: records lack it
        records = [{k: v for k, v in r.items() if k != "author_organisations"} for r in records]
    if day == DAYS[2]:
        records[0]["author_organisations"] = ["Wire Desk"]
    if day == DAYS[1]:  # the first day's first story, updated: a second version of one id
        records.append(make_record(0, source=source, title="Story number 0 (updated)",
                                   published_at=f"{DAYS[0]}T00:15:00{offset}",
                                   updated_at=f"{day}T08:00:00{offset}"))
    return records


def publish_all(store: storage.ObjectStore, work: Path) -> dict[str, Any]:
    """Publish the data set; returns the table version read last before the final day
    (``since``) and that final day, whose records are then exactly what changed."""

    def publish(source: str, day: str, run_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        local = write_run_dir(work / f"{source}-{day}-{run_id}", records, run_id=run_id, day=day,
                              source=source)
        storage.upload_staging(store, source, day, run_id, local)
        return storage.publish_run(store, source, day, run_id)

    for day in DAYS[:2]:
        for source in SOURCES:
            publish(source, day, "r1", day_records(source, day))
    rerun = publish("yonhap_en", DAYS[1], "r2", day_records("yonhap_en", DAYS[1]))
    assert rerun["replaces"] and rerun["parts"]
    since = publish("yonhap_en", DAYS[2], "r1", day_records("yonhap_en", DAYS[2]))["table_version"]
    last = publish("apnews", DAYS[2], "r1", day_records("apnews", DAYS[2]))
    duplicates = publish("yonhap_en", DUP_DAY, "r1", day_records("yonhap_en", DAYS[0]))
    assert duplicates["parts"] == [] and duplicates["counts"]["duplicate"] == 3
    return {"since": since, "latest": last["table_version"], "last": ("apnews", DAYS[2])}


def published(store: storage.ObjectStore, source: str | None = None, first: str | None = None,
              last: str | None = None) -> list[tuple[Any, ...]]:
    """``(source, date, id, version, content_hash, title)`` of the records read_articles returns."""
    rows = []
    for partition in storage.list_partitions(store, source):
        if (first and partition.date < first) or (last and partition.date > last):
            continue
        for record in storage.read_articles(store, source=partition.source, start=partition.date,
                                            end=partition.date):
            rows.append((partition.source, partition.date, record["id"], record["version"],
                         record["content_hash"], record["title"]))
    return sorted(rows)


def latest_of(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The row of the highest ``(version, content_hash)`` per id."""
    best: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        if row[2] not in best or (row[3], row[4]) > (best[row[2]][3], best[row[2]][4]):
            best[row[2]] = row
    return sorted(best.values())


def without_date(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((row[0], *row[2:]) for row in rows)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A published ``file://`` store: ``{"root": Path, "store": ObjectStore, ...}``."""
    work = tmp_path_factory.mktemp("docs-local")
    root = work / "store"
    with storage.open_store(root.as_uri()) as store:
        info = publish_all(store, work / "runs")
        yield {"root": root, "store": store, **info}


@pytest.fixture(scope="module")
def s3(seaweed: SeaweedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The same data set published to a fresh SeaweedFS bucket, and the snippets' substitutions."""
    work = tmp_path_factory.mktemp("docs-s3")
    bucket = seaweed.create_bucket()
    url = f"s3://{bucket}/wiredesk"
    host = seaweed.endpoint_url.removeprefix("http://")
    with storage.open_store(url, **seaweed.store_options()) as store:
        info = publish_all(store, work / "runs")
        yield {
            "store": store, "url": url, "seaweed": seaweed, **info,
            "replacements": (
                ("http://127.0.0.1:8333", seaweed.endpoint_url),
                ("'127.0.0.1:8333'", f"'{host}'"),
                ('"127.0.0.1:8333"', f'"{host}"'),
                ("s3://bucket/prefix", url),
                ("s3a://bucket/prefix", f"s3a://{bucket}/wiredesk"),
                ('"bucket/prefix"', f'"{bucket}/wiredesk"'),
                ("KEY_ID '…'", f"KEY_ID '{seaweed.access_key}'"),
                ("SECRET '…'", f"SECRET '{seaweed.secret_key}'"),
                ('access_key="…"', f'access_key="{seaweed.access_key}"'),
                ('secret_key="…"', f'secret_key="{seaweed.secret_key}"'),
            ),
        }


@pytest.fixture
def aws_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials in the environment, the way the doc's snippets without keys expect them."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "WIREDESK_S3_ENDPOINT_URL",
                 "WIREDESK_S3_REGION", "WIREDESK_S3_ADDRESSING_STYLE", "WIREDESK_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed.secret_key)


def on_s3(s3: dict[str, Any], name: str, *extra: tuple[str, str]) -> str:
    code = snippets()[name][1]
    replacements = [pair for pair in s3["replacements"] if pair[0] in code]
    return code_of(name, *extra, *replacements)


# -- the doc's shape ------------------------------------------------------------------------------


def test_every_block_is_a_known_snippet() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = snippets()
    fences = re.findall(r"^```", text, re.M)
    assert len(fences) == 2 * len(found), "a fenced block without <!-- snippet: NAME -->"
    assert set(found) == RUNS_LOCALLY | RUNS_ON_S3 | CHECKED
    for name, (lang, code) in found.items():
        if lang == "python":
            ast.parse(code, filename=name)
        if lang == "sql":
            for statement in sql_statements(code):
                split_top_level(statement, ";")  # balanced brackets and quotes
            assert code.rstrip().endswith(";"), name


def test_the_default_store_is_named_as_the_code_has_it(tmp_path, monkeypatch) -> None:
    """``file://<cwd>/var/store``: the folder under where the command runs."""
    from wiredesk import settings

    monkeypatch.delenv("WIREDESK_STORAGE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert storage.default_storage_url() == (tmp_path / "var" / "store").as_uri()
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    assert "The CLI's default store is `$WIREDESK_STORAGE_URL`, else `file://<cwd>/var/store`" in text
    assert "file://<repo>" not in text
    assert "file://<cwd>/var/store" in (settings.__doc__ or "")


def test_the_layout_and_the_manifest_are_what_publishing_writes(local) -> None:
    layout = snippets()["layout"][1]
    folders = {path.name for path in local["root"].iterdir() if not path.name.startswith(".")}
    assert {"articles", "raw", "ledger", "state", "tables"} <= folders
    for folder in folders:
        assert f"<root>/{folder}/" in layout, folder
    example = json.loads(snippets()["manifest"][1])
    rerun = storage.read_manifest(local["store"], "yonhap_en", DAYS[1])
    assert set(example) == set(rerun)
    assert set(example["parts"][0]) == set(rerun["parts"][0])
    assert set(example["counts"]) == set(rerun["counts"])
    assert set(example["replaces"]) == set(rerun["replaces"])


# -- local folder: pandas, DuckDB -----------------------------------------------------------------


@pytest.mark.parametrize("source, days", [
    ("yonhap_en", "2025-03-*"),   # as printed: a month of one source, the all-duplicate day in it
    ("apnews", "2025-03-*"),
    ("yonhap_en", DUP_DAY),       # only the day of duplicates: parts == [], an empty frame
    ("yonhap_en", DAYS[1]),       # a re-run day: only the parts of its current manifest
])
def test_pandas_and_its_latest_view(local, source: str, days: str) -> None:
    code = code_of("pandas", ('root = "/data/wiredesk"', f'root = "{local["root"]}"'),
                   ("source=yonhap_en/date=2025-03-*", f"source={source}/date={days}"))
    namespace = run("pandas", code, {})
    df = namespace["df"]
    want = published(local["store"], source, *((None, None) if "*" in days else (days, days)))
    got = sorted(zip(df.get("source", []), df["id"], df["version"], df["content_hash"],
                     df.get("title", []), strict=False))
    assert got == without_date(want) and len(df) == len(want)
    if want:
        assert df["published_at"].str.endswith(("+09:00", "-05:00")).all()  # times as written

    latest = run("latest-pandas", code_of("latest-pandas"), namespace)["latest"]
    assert sorted(zip(latest["id"], latest["version"], latest["content_hash"], strict=True)) == sorted(
        (row[2], row[3], row[4]) for row in latest_of(want))


@pytest.mark.parametrize("narrowed", [None, f"source=yonhap_en/date={DUP_DAY}"])
def test_duckdb_on_a_local_copy_and_its_latest_view(local, monkeypatch, narrowed: str | None) -> None:
    monkeypatch.chdir(local["root"])
    extra = [("source=*/date=*", narrowed)] if narrowed else []
    namespace = run("duckdb-local", code_of("duckdb-local", *extra), {})
    want = [] if narrowed else published(local["store"])
    rows = namespace["articles"].query(
        "articles", "SELECT source, date::VARCHAR, id, version, content_hash, title FROM articles"
        if not narrowed else "SELECT * FROM articles").fetchall()
    assert sorted(rows) == want

    sql = snippets()["latest-duckdb"][1]
    namespace["latest_sql"] = sql
    latest = run("latest-duckdb", "latest = duckdb.sql(latest_sql)", namespace)["latest"]
    got = latest.query("latest", "SELECT id, version, content_hash FROM latest").fetchall()
    assert sorted(got) == sorted((row[2], row[3], row[4]) for row in latest_of(want))


# -- S3: the storage reader, pyarrow, deltalake, polars, DuckDB's delta_scan -----------------------


def test_the_storage_reader_and_list_partitions_as_printed(s3, aws_env) -> None:
    """Both calls get the endpoint (``list_partitions(url)`` alone would go to AWS), and print
    the records and partitions, the all-duplicate day listed with 0 records."""
    tree = ast.parse(snippets()["read-articles"][1])
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr in ("read_articles", "list_partitions")]
    assert len(calls) == 2
    assert all(any(k.arg is None and getattr(k.value, "id", "") == "opts" for k in call.keywords)
               for call in calls)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run("read-articles", on_s3(s3, "read-articles"), {})
    records = [row for row in published(s3["store"], "yonhap_en") if "2025-03-01" <= row[1] <= "2025-03-31"]
    lines = out.getvalue().splitlines()
    assert sorted(lines[: len(records)]) == sorted(f"{row[2]} {row[3]} {row[5]}" for row in records)
    assert lines[len(records):] == [f"{p.source} {p.date} {p.records} {p.run_id}"
                                    for p in storage.list_partitions(s3["store"])]
    assert f"yonhap_en {DUP_DAY} 0 r1" in lines


@pytest.mark.parametrize("source, day", [(s, d) for s in SOURCES for d in DAYS] + [("yonhap_en", DUP_DAY)])
def test_pyarrow_reads_one_day(s3, source: str, day: str) -> None:
    code = on_s3(s3, "pyarrow", ("source=yonhap_en/date=2025-03-12", f"source={source}/date={day}"))
    table = run("pyarrow", code, {})["table"]
    want = published(s3["store"], source, day, day)
    assert table.num_rows == len(want)
    if want:
        assert sorted(zip(*(table.column(c).to_pylist()
                            for c in ("source", "id", "version", "content_hash", "title")),
                          strict=True)) == without_date(want)
        assert table.schema.field("published_at").type == pa.string()


def test_deltalake_polars_and_incremental_reads(s3, aws_env) -> None:
    namespace = run("delta-deltalake", on_s3(s3, "delta-deltalake", ("since = 3 ", f"since = {s3['since']} ")),
                    {})
    assert namespace["latest"] == s3["latest"]
    changed = pa.table(namespace["changed"]).to_pylist()
    source, day = s3["last"]
    assert sorted((r["_change_type"], r["source"], r["date"], r["id"], r["version"]) for r in changed) == sorted(
        ("insert", source, day, row[2], row[3]) for row in published(s3["store"], source, day, day))

    df = run("delta-polars", on_s3(s3, "delta-polars"), namespace)["df"]
    assert sorted(df.select("source", "date", "id", "version", "content_hash", "title").rows()) == (
        published(s3["store"]))

    # read again with the version kept: nothing changed, nothing to load
    again = run("delta-deltalake", on_s3(s3, "delta-deltalake", ("since = 3 ", f"since = {s3['latest']} ")),
                {})
    assert "changed" not in again


def test_duckdb_delta_scan_and_the_athena_latest_query(s3) -> None:
    namespace = run("delta-duckdb-connect", code_of("delta-duckdb-connect"), {})
    con = namespace["con"]
    results = [con.execute(statement).fetchall()
               for statement in sql_statements(on_s3(s3, "delta-duckdb"))]
    want = published(s3["store"])
    counts: dict[tuple[str, str], int] = {}
    for row in want:
        counts[row[0], row[1]] = counts.get((row[0], row[1]), 0) + 1
    assert sorted(results[1]) == sorted((source, day, n) for (source, day), n in counts.items())
    columns = [d[0] for d in con.execute(sql_statements(on_s3(s3, "delta-duckdb"))[2]).description]
    latest = sorted((r[columns.index("id")], r[columns.index("version")]) for r in results[2])
    assert latest == sorted((row[2], row[3]) for row in latest_of(want))

    # Athena's query (no QUALIFY) over its Delta table, run here by DuckDB on the same table
    con.execute(f"CREATE VIEW wiredesk_articles_v1_delta AS "
                f"SELECT * FROM delta_scan('{s3['url']}/{TABLE_PREFIX}')")
    rows = con.execute(sql_statements(code_of("athena-latest"))[0]).fetchall()
    names = [d[0] for d in con.description]
    assert sorted((r[names.index("id")], r[names.index("version")]) for r in rows) == latest


# -- parsed only: Spark, Athena DDL -------------------------------------------------------------------


def test_the_spark_snippet_is_python_reading_the_table_and_its_change_feed() -> None:
    code = snippets()["delta-spark"][1]
    tree = ast.parse(code)
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, str)}
    calls = {(node.func.attr, tuple(a.value for a in node.args if isinstance(a, ast.Constant)))
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert f"s3a://bucket/prefix/{TABLE_PREFIX}" in strings
    assert ("format", ("delta",)) in calls and ("option", ("readChangeFeed", "true")) in calls
    assert ("load", ()) in calls and ("getOrCreate", ()) in calls
    assert "io.delta.sql.DeltaSparkSessionExtension" in strings


def test_the_athena_ddl_is_what_wiredesk_ddl_prints(capsys, monkeypatch) -> None:
    from crawlers.sources import load_sources
    from wiredesk.cli import main

    monkeypatch.delenv("WIREDESK_SOURCES", raising=False)
    assert main(["ddl", "--bucket-url", "s3://bucket/prefix"]) == 0
    printed = capsys.readouterr().out
    assert snippets()["athena-ddl"][1] == printed, "docs/downstream.md: paste `wiredesk ddl` output"
    jsonl, delta = sql_statements(printed)
    parsed = parse_jsonl_ddl(jsonl)
    assert parsed["properties"]["projection.source.values"].split(",") == sorted(load_sources())
    assert parsed["location"] == "s3://bucket/prefix/articles/v1/"
    assert delta.endswith("TBLPROPERTIES ('table_type' = 'DELTA')")
    assert f"LOCATION 's3://bucket/prefix/{TABLE_PREFIX}/'" in delta
