"""Scale-out: a mapped re-parse on one Celery worker against the same on two, in one run.

The production profile (:class:`tests.support.cluster.CeleryCluster`: API server,
scheduler, DAG processor and Celery workers as separate processes over a real
PostgreSQL and Redis on 127.0.0.1) re-parses stored days with the
``news_reparse`` DAG, whose ``reparse`` task is mapped over the days. The
days are first crawled and published from the bundled wire site into a
``file://`` store without Airflow (``wiredesk.run.run_source``): every day the
site has (2025-03-10 … 2025-03-12) for each of its three sources. A round
triggers one ``news_reparse`` run per source at once, i.e. nine mapped
``reparse`` tasks (plus each run's ``days`` and ``report``), and measures the
wall time from the first trigger until every run has finished.

Each worker runs one task at a time (``--concurrency 1``), so the comparison
is one worker against two, not one process pool against a larger one. A
warm-up round on one worker comes first (the first task processes of a fresh
worker pay for cold imports). Then ``REPEAT`` rounds on one worker, a second
worker is started, and ``REPEAT`` rounds on two; the best round of each is
kept, so a burst of load from elsewhere on the machine does not decide the
ratio. Target: two workers at least 1.6x faster on this two-core machine.

Run: ``python -m benchmarks.bench_celery`` (or ``make bench``); about five minutes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("yonhap_en", "yonhap_ko", "apnews")
DAYS = ("2025-03-10", "2025-03-11", "2025-03-12")
REPEAT = int(os.environ.get("WIREDESK_BENCH_REPEAT", "2"))
ROUND_TIMEOUT = 600.0


def seed(store_url: str, sources_file: Path, log: Path) -> None:
    """Publish every (source, day) of the wire site, oldest day first, as a single machine does.

    The crawls' own output goes to ``log`` (file descriptors 1 and 2, which the crawl
    children's output is forwarded to), so the benchmark prints only its table.
    """
    from wiredesk.run import run_source

    saved = os.dup(1), os.dup(2)
    sys.stdout.flush()
    sys.stderr.flush()
    with open(log, "ab") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            for day in DAYS:
                for source in SOURCES:
                    run_source(source, date.fromisoformat(day), storage_url=store_url,
                               sources_file=str(sources_file))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def one_round(cluster) -> tuple[float, dict[str, int]]:
    """Re-parse every day of every source at once; the wall time and the tasks each worker ran."""
    started = time.perf_counter()
    runs = {cluster.trigger_reparse(source, DAYS[0], DAYS[-1]): "news_reparse" for source in SOURCES}
    states = cluster.wait_for_runs(runs, timeout=ROUND_TIMEOUT)
    seconds = time.perf_counter() - started
    if set(states.values()) != {"success"}:
        raise RuntimeError(f"re-parse runs failed: {states}\n{cluster.all_logs()}")
    per_worker: dict[str, int] = {}
    for ti in cluster.task_instances(runs):
        if ti["task_id"] == "reparse":
            name = (ti["hostname"] or "?").split("@", 1)[0]
            per_worker[name] = per_worker.get(name, 0) + 1
    return seconds, per_worker


def main() -> None:
    sys.path.insert(0, str(REPO))
    from devsite import WireSite
    from devsite.localsite import local_sources_file
    from tests.support.cluster import CeleryCluster
    from tests.support.postgres import PostgresServer
    from tests.support.redis import RedisServer

    with tempfile.TemporaryDirectory(prefix="wiredesk-bench-celery-") as tmp:
        work = Path(tmp)
        store_url = (work / "store").as_uri()
        with WireSite() as site:
            sources_file = local_sources_file(site.base_urls, work / "sources.yaml")
            started = time.perf_counter()
            seed(store_url, sources_file, work / "seed.log")
            print(f"seeded {len(SOURCES)} sources x {len(DAYS)} days in {time.perf_counter() - started:.1f} s",
                  flush=True)
        with PostgresServer() as postgres, RedisServer() as redis:
            cluster = CeleryCluster(work / "airflow", postgres, redis, concurrency=1, env_overrides={
                "WIREDESK_STORAGE_URL": store_url, "WIREDESK_SOURCES": str(sources_file)})
            try:
                cluster.start(workers=1)
                cluster.wait_for_dags(["news_reparse"])
                one_round(cluster)  # warm-up
                single = [one_round(cluster) for _ in range(REPEAT)]
                cluster.start_worker("worker2")
                double = [one_round(cluster) for _ in range(REPEAT)]
            finally:
                cluster.stop()
    best_single = min(single, key=lambda r: r[0])
    best_double = min(double, key=lambda r: r[0])
    tasks = len(SOURCES) * len(DAYS)
    print(f"{'news_reparse, ' + str(tasks) + ' mapped days':34} {'seconds':>8}   tasks per worker  (best of {REPEAT})")
    print(f"{'1 worker (concurrency 1)':34} {best_single[0]:>8.1f}   {best_single[1]}")
    print(f"{'2 workers (concurrency 1 each)':34} {best_double[0]:>8.1f}   {best_double[1]}")
    mean_single = sum(s for s, _ in single) / len(single)
    mean_double = sum(s for s, _ in double) / len(double)
    print(f"speed-up 2 workers / 1 worker: {best_single[0] / best_double[0]:.2f}x best rounds, "
          f"{mean_single / mean_double:.2f}x mean rounds (target >= 1.6x)")
    print("all rounds: 1 worker " + ", ".join(f"{s:.1f}" for s, _ in single)
          + " s; 2 workers " + ", ".join(f"{s:.1f}" for s, _ in double) + " s")


if __name__ == "__main__":
    main()
