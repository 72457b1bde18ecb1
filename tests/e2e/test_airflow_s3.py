"""End to end: the real ``news_yonhap`` DAG through Airflow, from the local wire site into SeaweedFS.

Nothing is mocked: Airflow runs the DAG (``airflow dags test``, SQLite
metadata), the crawl runs Scrapy in its own process against the bundled wire
site on 127.0.0.1, and publishing goes through boto3 to a real S3 server,
with the credentials coming from an Airflow connection.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import date

import boto3
import pytest
import yaml

from devsite.localsite import local_sources_file
from wiredesk.local_airflow import LocalAirflow

pytestmark = pytest.mark.integration

DAY = date(2025, 3, 12)
BOILERPLATE = ("(END)", "Latest News", "Most Viewed", "Most Liked", "@yna.co.kr",
               "All rights reserved", "Home >")


@pytest.fixture
def bucket(seaweed):
    name = "e2e-news"
    client = _client(seaweed)
    try:
        client.create_bucket(Bucket=name)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    return name


def _client(seaweed):
    return boto3.client(
        "s3",
        endpoint_url=seaweed.endpoint_url,
        aws_access_key_id=seaweed.access_key,
        aws_secret_access_key=seaweed.secret_key,
        region_name="us-east-1",
    )


def _expected_titles(base_url: str) -> set[str]:
    """Titles of the fixture stories dated DAY, read from the site's own news sitemap."""
    from devsite import content

    return {a.title for a in content.articles(source="yonhap_en") if a.published.date() == DAY}


def test_news_yonhap_dag_publishes_clean_articles_to_s3(tmp_path, seaweed, bucket, wiresite, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "WIREDESK_S3_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)  # credentials must come from the Airflow connection
    connection = {
        "conn_type": "aws",
        "login": seaweed.access_key,
        "password": seaweed.secret_key,
        "extra": {"endpoint_url": seaweed.endpoint_url, "region_name": "us-east-1"},
    }
    airflow = LocalAirflow(
        home=tmp_path / "airflow",
        env_overrides={
            "WIREDESK_STORAGE_URL": f"s3://{bucket}/wire",
            "WIREDESK_SOURCES": str(local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")),
            "AIRFLOW_CONN_WIREDESK_S3": json.dumps(connection),
        },
    )
    result = airflow.dags_test("news_yonhap", DAY)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    assert seaweed.secret_key not in log
    # All four stages ran, in order, each saying what it did.
    stages = [log.index(marker) for marker in (
        "crawl yonhap_en 2025-03-12: discovered=",
        "validate yonhap_en 2025-03-12: gate min_articles passed",
        "publish yonhap_en 2025-03-12: discovered=",
        "report yonhap_en 2025-03-12 (run ",
    )]
    assert stages == sorted(stages)
    for gate in ("max_quarantined_share passed", "boilerplate passed", "drift skipped"):
        assert f"validate yonhap_en 2025-03-12: gate {gate}" in log

    s3 = _client(seaweed)
    prefix = f"wire/articles/v1/source=yonhap_en/date={DAY}/"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=prefix + "_manifest.json")["Body"].read())
    part_keys = sorted(k for k in keys if k.rsplit("/", 1)[-1].startswith("part-"))
    assert sorted("wire/" + p["key"].removeprefix("wire/") for p in manifest["parts"]) == part_keys

    records = []
    for key in part_keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        records += [json.loads(line) for line in gzip.decompress(body).splitlines() if line.strip()]
    assert len(records) == manifest["records"] > 0

    expected = _expected_titles(wiresite.base_url)
    assert expected and {r["title"] for r in records} >= expected
    for record in records:
        assert record["source"] == "yonhap_en"
        assert record["published_at"].startswith(str(DAY)) and record["published_at"].endswith("+09:00")
        text = "\n".join(record["body"])
        assert not [b for b in BOILERPLATE if b in text], (record["title"], text)
        assert record["raw"]["warc"].startswith(f"raw/source=yonhap_en/date={DAY}/")

    from storage.counts import Counts

    counts = Counts.from_dict(manifest["counts"]).check()  # every discovered URL accounted for
    # The Asset event carries every total: the scoreboard downstream DAGs and the UI read.
    (extra,) = asset_event_extras(airflow.home)
    assert extra == {"source": "yonhap_en", "date": str(DAY), "run_id": manifest["run_id"],
                     "records": manifest["records"], **{k: v for k, v in counts.totals().items() if k != "parsed"},
                     "partition": f"articles/v1/source=yonhap_en/date={DAY}/", "table_version": 0}
    assert pools(airflow.home)["wiredesk_127_0_0_1"] == 1  # the crawl's site pool was created
    raw = s3.list_objects_v2(Bucket=bucket, Prefix=f"wire/raw/source=yonhap_en/date={DAY}/")
    assert [o["Key"] for o in raw.get("Contents", []) if o["Key"].endswith(".warc.gz")]

    # Re-running the day through Airflow replaces the partition: same articles, no leftover parts.
    again = airflow.dags_test("news_yonhap", DAY)
    assert again.returncode == 0, (again.stdout + again.stderr)[-6000:]
    second = json.loads(s3.get_object(Bucket=bucket, Key=prefix + "_manifest.json")["Body"].read())
    assert second["run_id"] != manifest["run_id"]
    assert second["records"] == manifest["records"]
    keys_after = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    assert sorted(k for k in keys_after if "/part-" in k) == sorted(
        "wire/" + p["key"].removeprefix("wire/") for p in second["parts"]
    )
    assert {r["state"] for r in airflow.run_state("news_yonhap")} == {"success"}


def asset_event_extras(home) -> list[dict]:
    with sqlite3.connect(home / "airflow.db") as db:
        return [json.loads(row[0]) for row in db.execute("SELECT extra FROM asset_event ORDER BY id")]


def pools(home) -> dict[str, int]:
    with sqlite3.connect(home / "airflow.db") as db:
        return dict(db.execute("SELECT pool, slots FROM slot_pool"))


def test_a_failed_gate_fails_validate_with_its_message_and_publishes_nothing(tmp_path, wiresite):
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    overrides = yaml.safe_load(sources.read_text())
    overrides["sources"]["yonhap_en"]["gates"] = {"min_articles": 1000}
    sources.write_text(yaml.safe_dump(overrides))
    store = tmp_path / "store"
    airflow = LocalAirflow(home=tmp_path / "airflow",
                           env_overrides={"WIREDESK_STORAGE_URL": store.as_uri(), "WIREDESK_SOURCES": str(sources)})
    result = airflow.dags_test("news_yonhap", DAY)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "validate yonhap_en 2025-03-12: gate min_articles FAILED: " in log
    assert "parsed records (limit at least 1000); nothing published." in log
    assert "publish yonhap_en 2025-03-12:" not in log  # publish never ran
    assert [r["state"] for r in airflow.run_state("news_yonhap")] == ["failed"]
    assert list(store.glob("staging/source=yonhap_en/date=2025-03-12/*/crawl.json"))  # the crawl was staged
    assert not list(store.glob("articles/**/_manifest.json"))
    assert asset_event_extras(airflow.home) == []


def test_a_source_that_yields_nothing_fails_its_task_with_a_reason(tmp_path):
    """An unreachable site must turn the run red with a message an operator can act on."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    store = tmp_path / "store"
    airflow = LocalAirflow(
        home=tmp_path / "airflow",
        env_overrides={
            "WIREDESK_STORAGE_URL": store.as_uri(),
            "WIREDESK_SOURCES": str(local_sources_file({"yonhap_en": dead}, tmp_path / "sources.yaml")),
        },
    )
    result = airflow.dags_test("news_yonhap", DAY)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "yonhap_en 2025-03-12: discovered 0 URLs" in log
    assert [r["state"] for r in airflow.run_state("news_yonhap")] == ["failed"]
    assert not list(store.glob("articles/**/_manifest.json"))  # nothing half-published
