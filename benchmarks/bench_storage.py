"""Publish throughput and peak memory: 10,000 vs 100,000 records, file:// vs SeaweedFS.

Each measurement runs ``publish_run`` in a fresh interpreter and reports that
process's RSS high-water mark (``ru_maxrss``), so one size's allocations cannot
hide in another's. Publishing streams (spool file, SQLite dedup index, one part
buffer), so peak memory should barely grow with the day's size: the target is a
100k/10k memory ratio of at most 1.2.

    python -m benchmarks.bench_storage [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import gzip
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


def write_run_dir(directory: Path, records: int) -> Path:
    """A crawl's run directory with ``records`` parsed items, written streaming."""
    directory.mkdir(parents=True, exist_ok=True)
    with gzip.open(directory / "items.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as out:
        for n in range(records):
            out.write(json.dumps(_record(n)) + "\n")
    counts = {"discovered": records, "filtered": {}, "fetch_failed": {}, "quarantined": {},
              "parsed": records}
    (directory / "crawl.json").write_text(json.dumps({"run_id": "r", "source": SOURCE,
                                                      "date": DAY, "counts": counts}))
    return directory


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

    store = storage.open_store(url, **options)
    storage.upload_staging(store, SOURCE, DAY, run_id, run_dir)
    started = time.perf_counter()
    manifest = storage.publish_run(store, SOURCE, DAY, run_id)
    seconds = time.perf_counter() - started
    peak_kib = _peak_rss_kib()
    return {"records": manifest["records"], "parts": len(manifest["parts"]),
            "seconds": seconds, "peak_mib": peak_kib / 1024}


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
          f"{'peak RSS MiB':>14}")
    for backend, by_size in results.items():
        for size in sizes:
            r = by_size[size]
            print(f"{backend:<16}{r['records']:>10,}{r['parts']:>7}{r['seconds']:>10.1f}"
                  f"{r['records'] / r['seconds']:>12,.0f}{r['peak_mib']:>14.1f}")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for backend, by_size in results.items():
            ratio = by_size[large]["peak_mib"] / by_size[small]["peak_mib"]
            verdict = "ok" if ratio <= MEMORY_RATIO_TARGET else "ABOVE TARGET"
            print(f"{backend}: peak memory {large:,} vs {small:,} records = {ratio:.2f}x "
                  f"(target <= {MEMORY_RATIO_TARGET}) {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(_worker(job["url"], job["options"], Path(job["run_dir"]), job["run_id"])))
        return
    report(run(tuple(int(s) for s in args.sizes.split(","))))


if __name__ == "__main__":
    main(sys.argv[1:])
