"""What the Delta table buys a reader: DuckDB over the table against DuckDB over the JSON Lines.

A store of 2 sources x 30 days x 3,000 records is published (each day also committed to
the table); then DuckDB answers two questions both ways, each the best of 3 runs:

- count by source and day;
- the latest version of every story (``row_number() OVER (PARTITION BY id ...)``).

"JSON Lines" reads exactly the parts the manifests list (the documented way); "table"
reads ``tables/articles_v1`` with ``delta_scan``. Target: the table at least 5x faster.

    python -m benchmarks.bench_table [--days 30] [--per-day 3000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SOURCES = ("benchwire", "otherwire")
RATIO_TARGET = 5.0
QUERIES = {
    "count by source and day": (
        "SELECT source, date, count(*) FROM {scan} GROUP BY ALL ORDER BY ALL"
    ),
    "latest version per id": (
        "SELECT count(*) FROM (SELECT id, title FROM {scan} QUALIFY row_number() OVER "
        "(PARTITION BY id ORDER BY version DESC, content_hash DESC) = 1)"
    ),
}


def _publish(root: Path, days: int, per_day: int) -> None:
    import storage
    from benchmarks.bench_storage import _day, _day_records, write_run_dir

    store = storage.open_store((root / "store").as_uri())
    for source in SOURCES:
        for n in range(days):
            records = _day_records(n, per_day=per_day, carried=per_day // 10)
            for record in records:
                record["source"] = source
                record["id"] = source + record["id"][record["id"].index(":"):]
                record["raw"]["warc"] = record["raw"]["warc"].replace("benchwire", source)
            run_dir = write_run_dir(root / f"run-{source}-{n}", records, _day(n))
            crawl = json.loads((run_dir / "crawl.json").read_text())
            crawl["source"] = source
            (run_dir / "crawl.json").write_text(json.dumps(crawl))
            storage.upload_staging(store, source, _day(n), f"r{n}", run_dir)
            storage.publish_run(store, source, _day(n), f"r{n}")


def _connect() -> Any:
    import duckdb
    import duckdb_ext

    extensions = Path(list(duckdb_ext.__path__)[0]) / "extensions"
    con = duckdb.connect(config={"extension_directory": str(extensions),
                                 "autoinstall_known_extensions": False})
    con.execute("LOAD delta")
    return con


def _best(con: Any, sql: str, rounds: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(days: int, per_day: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="wiredesk-bench-table-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        _publish(root, days, per_day)
        print(f"published {len(SOURCES)} sources x {days} days in "
              f"{time.perf_counter() - started:.0f} s")
        store = root / "store"
        keys = [str(store / part["key"])
                for manifest in sorted(store.glob("articles/v1/source=*/date=*/_manifest.json"))
                for part in json.loads(manifest.read_text())["parts"]]
        json_scan = (f"read_json_auto({keys!r}, format = 'newline_delimited', "
                     "hive_partitioning = true)")
        table_scan = f"delta_scan('{store / 'tables/articles_v1'}')"
        con = _connect()
        results = {}
        for name, sql in QUERIES.items():
            json_s, json_rows = _best(con, sql.format(scan=json_scan))
            table_s, table_rows = _best(con, sql.format(scan=table_scan))
            same = [tuple(map(str, row)) for row in json_rows] == [
                tuple(map(str, row)) for row in table_rows]  # hive partitions read dates as DATE
            assert same, (name, json_rows[:3], table_rows[:3])
            results[name] = (json_s, table_s)
    return results


def report(results: dict[str, tuple[float, float]]) -> None:
    print(f"{'query':<26}{'JSON Lines s':>14}{'table s':>10}{'ratio':>8}")
    for name, (json_s, table_s) in results.items():
        ratio = json_s / table_s
        verdict = "ok" if ratio >= RATIO_TARGET else "BELOW TARGET"
        print(f"{name:<26}{json_s:>14.3f}{table_s:>10.3f}{ratio:>7.1f}x  "
              f"(target >= {RATIO_TARGET:.0f}x) {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=3000)
    args = parser.parse_args(argv if argv is not None else [])
    report(run(args.days, args.per_day))


if __name__ == "__main__":
    main(sys.argv[1:])
