"""Publish throughput and peak memory, and publish time as the history grows.

1. 10,000 vs 100,000 records, file:// vs SeaweedFS. Each measurement runs
   ``publish_run`` in a fresh interpreter and reports that process's RSS
   high-water mark, so one size's allocations cannot hide in another's.
   Publishing streams (one pass, an on-disk SQLite index, one part buffer), so
   peak memory should barely grow with the day's size: target 100k/10k <= 1.2.
2. A 60-day store: each day 2,000 stories of its own, 200 carried over unchanged
   from the day before (duplicates) and 200 updated. The publish time of day 60
   against day 1 shows whether the cost follows the day or the history: target
   <= 1.3 (the versions index is read by story day, not by every day published).

    python -m benchmarks.bench_storage [--sizes 10000,100000] [--days 60]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOURCE = "benchwire"
DAY = "2026-11-20"
SIZES = (10_000, 100_000)
MEMORY_RATIO_TARGET = 1.2
TABLE_OVERHEAD_TARGET = 0.30


def _record(n: int) -> dict[str, Any]:
    title = f"Benchmark story {n} about trade, weather and the economy"
    body = [f"Paragraph {p} of story {n}: " + "words of wire copy " * 12 for p in range(5)]
    return {
        "schema_version": 1, "id": f"{SOURCE}:AEN{n:010d}", "source": SOURCE,
        "url": f"https://wire.example/AEN{n:010d}", "fetched_url": f"https://wire.example/AEN{n:010d}",
        "fetched_at": "2026-11-20T01:00:00+00:00", "language": "en", "title": title,
        "update_flag": None, "authors": ["Kim Reporter"],
        "dateline": {"city": "SEOUL", "agency": "Yonhap"},
        "published_at": "2026-11-20T09:00:00+09:00", "updated_at": None,
        "section": ["Economy"], "keywords": ["trade"], "summary": None, "body": body,
        "images": [], "content_hash": hashlib.sha256(f"{title}{body}".encode()).hexdigest(),
        "version": 1, "parser": {"name": SOURCE, "version": "1"},
        "raw": {"warc": f"raw/source={SOURCE}/date={DAY}/r.warc.gz", "record_id": f"<urn:{n}>"},
    }


def write_run_dir(directory: Path, records: int | list[dict[str, Any]], day: str = DAY) -> Path:
    """A crawl's run directory with ``records`` parsed items, written streaming."""
    from storage.counts import Counts
    from storage.staging import ITEMS, RunDir

    run = RunDir(directory)
    rows = (_record(n) for n in range(records)) if isinstance(records, int) else records
    counts = Counts.crawl()
    with run.open(ITEMS, level=1) as out:
        for record in rows:
            out.write(json.dumps(record) + "\n")
            counts.add("discovered")
            counts.add("parsed")
    run.write_crawl({"run_id": "r", "source": SOURCE, "date": day,
                     "counts": counts.check().to_dict()})
    return directory


def _day_records(day_number: int, per_day: int = 2000, carried: int = 200) -> list[dict[str, Any]]:
    """Day ``day_number``'s stories: its own, some unchanged from yesterday, some updated."""
    day = _day(day_number)
    records = []
    for n in range(per_day):
        record = _record(day_number * 1_000_000 + n)
        record["published_at"] = f"{day}T{n % 24:02d}:00:00+09:00"
        records.append(record)
    # Day 1 carries stories too (from a day never published): every day is the same size.
    for n in range(carried):  # yesterday's first stories, unchanged: duplicates
        record = _record((day_number - 1) * 1_000_000 + n)
        record["published_at"] = f"{_day(day_number - 1)}T{n % 24:02d}:00:00+09:00"
        records.append(record)
    for n in range(carried, 2 * carried):  # yesterday's next ones, updated today
        record = _record((day_number - 1) * 1_000_000 + n)
        record["published_at"] = f"{_day(day_number - 1)}T{n % 24:02d}:00:00+09:00"
        record["updated_at"] = f"{day}T09:30:00+09:00"
        record["title"] += " (LEAD)"
        record["content_hash"] = hashlib.sha256(record["title"].encode()).hexdigest()
        records.append(record)
    return records


def _day(day_number: int) -> str:
    from datetime import date, timedelta

    return (date(2026, 1, 1) + timedelta(days=day_number)).isoformat()


def _peak_rss_kib() -> int:
    """This process's RSS high-water mark in KiB.

    ``VmHWM`` belongs to the address space that ``exec`` created, whereas
    ``ru_maxrss`` survives ``fork``+``exec`` and so reports the parent's peak
    when the parent was larger (as under ``make bench``, after the parser
    benchmark has loaded its corpora).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _worker(url: str, options: dict[str, Any], run_dir: Path, run_id: str) -> dict[str, Any]:
    """In the child: stage and publish, then report time and this process's peak RSS."""
    import storage
    from storage.table import sync_day

    store = storage.open_store(url, **options)
    storage.upload_staging(store, SOURCE, DAY, run_id, run_dir)
    started = time.perf_counter()
    manifest = storage.publish_run(store, SOURCE, DAY, run_id, table=False)
    seconds = time.perf_counter() - started
    peak_kib = _peak_rss_kib()
    started = time.perf_counter()
    sync_day(store, SOURCE, DAY)  # what publish_run(table=True) adds: the day's table commit
    table_seconds = time.perf_counter() - started
    return {"records": manifest["records"], "parts": len(manifest["parts"]),
            "seconds": seconds, "table_seconds": table_seconds, "peak_mib": peak_kib / 1024,
            "table_peak_mib": _peak_rss_kib() / 1024}


def _measure(url: str, options: dict[str, Any], run_dir: Path, run_id: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    payload = json.dumps({"url": url, "options": options, "run_dir": str(run_dir),
                          "run_id": run_id})
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_storage", "--worker", payload],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...] = SIZES) -> dict[str, dict[int, dict[str, Any]]]:
    from tests.support.seaweed import SeaweedServer, find_weed

    results: dict[str, dict[int, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="wiredesk-bench-storage-") as tmp:
        work = Path(tmp)
        run_dirs = {size: write_run_dir(work / f"run-{size}", size) for size in sizes}
        results["file"] = {
            size: _measure((work / f"store-{size}").as_uri(), {}, run_dirs[size], f"r{size}")
            for size in sizes
        }
        if find_weed():
            with SeaweedServer(work / "weed") as server:
                options = server.store_options()
                results["s3 (SeaweedFS)"] = {
                    size: _measure(f"s3://{server.create_bucket()}/bench", options,
                                   run_dirs[size], f"r{size}")
                    for size in sizes
                }
        else:
            print("SeaweedFS 'weed' not installed: S3 column skipped")
    return results


def report(results: dict[str, dict[int, dict[str, Any]]]) -> None:
    sizes = sorted({size for by_size in results.values() for size in by_size})
    print(f"{'backend':<16}{'records':>10}{'parts':>7}{'seconds':>10}{'records/s':>12}"
          f"{'+table s':>10}{'table/publish':>15}{'peak RSS MiB':>14}{'+table MiB':>12}")
    for backend, by_size in results.items():
        for size in sizes:
            r = by_size[size]
            print(f"{backend:<16}{r['records']:>10,}{r['parts']:>7}{r['seconds']:>10.1f}"
                  f"{r['records'] / r['seconds']:>12,.0f}{r['table_seconds']:>10.1f}"
                  f"{r['table_seconds'] / r['seconds']:>15.2f}{r['peak_mib']:>14.1f}"
                  f"{r['table_peak_mib']:>12.1f}")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for backend, by_size in results.items():
            ratio = by_size[large]["peak_mib"] / by_size[small]["peak_mib"]
            verdict = "ok" if ratio <= MEMORY_RATIO_TARGET else "ABOVE TARGET"
            print(f"{backend}: peak memory {large:,} vs {small:,} records = {ratio:.2f}x "
                  f"(target <= {MEMORY_RATIO_TARGET}) {verdict}")
            table_ratio = by_size[large]["table_peak_mib"] / by_size[small]["table_peak_mib"]
            overhead = by_size[large]["table_seconds"] / by_size[large]["seconds"]
            print(f"{backend}: with the Delta table commit, peak memory {table_ratio:.2f}x; "
                  f"the commit adds {overhead:.0%} to the publish time of {large:,} records "
                  f"(target <= {TABLE_OVERHEAD_TARGET:.0%}) "
                  f"{'ok' if overhead <= TABLE_OVERHEAD_TARGET else 'ABOVE TARGET'}")


def history(days: int, work: Path) -> dict[str, list[float]]:
    """Publish ``days`` days into one store per backend; seconds per day's publish."""
    import storage
    from tests.support.seaweed import SeaweedServer, find_weed

    stores: dict[str, Any] = {"file": lambda: storage.open_store((work / "history").as_uri())}
    server = None
    if find_weed():
        server = SeaweedServer(work / "weed-history").start()
        bucket = server.create_bucket()
        options = server.store_options()
        stores["s3 (SeaweedFS)"] = lambda: storage.open_store(f"s3://{bucket}/h", **options)
    timings: dict[str, list[float]] = {}
    try:
        run_dirs = [write_run_dir(work / f"day-{n}", _day_records(n), _day(n)) for n in range(days)]
        for backend, opener in stores.items():
            store = opener()
            timings[backend] = []
            for n, run_dir in enumerate(run_dirs):
                storage.upload_staging(store, SOURCE, _day(n), f"d{n}", run_dir)
                started = time.perf_counter()
                manifest = storage.publish_run(store, SOURCE, _day(n), f"d{n}")
                timings[backend].append(time.perf_counter() - started)
                assert manifest["counts"]["duplicate"] == (200 if n else 0), manifest["counts"]
    finally:
        if server is not None:
            server.cleanup()
    return timings


HISTORY_RATIO_TARGET = 1.3


def report_history(timings: dict[str, list[float]]) -> None:
    print(f"\n{'backend':<16}{'days':>6}{'day 1 s':>10}{'day N s':>10}{'N/1':>7}"
          f"{'last 5 / first 5':>18}")
    for backend, seconds in timings.items():
        first, last = seconds[0], seconds[-1]
        head = sorted(seconds[:5])[len(seconds[:5]) // 2]
        tail = sorted(seconds[-5:])[len(seconds[-5:]) // 2]
        verdict = "ok" if last / first <= HISTORY_RATIO_TARGET else "ABOVE TARGET"
        print(f"{backend:<16}{len(seconds):>6}{first:>10.3f}{last:>10.3f}{last / first:>7.2f}"
              f"{tail / head:>18.2f}  (target day N / day 1 <= {HISTORY_RATIO_TARGET}) {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(_worker(job["url"], job["options"], Path(job["run_dir"]), job["run_id"])))
        return
    if args.sizes:
        report(run(tuple(int(s) for s in args.sizes.split(","))))
    if args.days:
        with tempfile.TemporaryDirectory(prefix="wiredesk-bench-history-") as tmp:
            report_history(history(args.days, Path(tmp)))


if __name__ == "__main__":
    main(sys.argv[1:])
