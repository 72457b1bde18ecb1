"""S3 failure modes against a real SeaweedFS: outage, bad credentials, missing bucket, leaks."""

from __future__ import annotations

import gzip
import logging
import time
from pathlib import Path
from typing import Any

import pytest

import storage
from storage.errors import BucketNotFound, StorageAuthError, StorageUnavailable
from storage.publish import _PartWriter
from tests.storage.factories import make_record, write_run_dir
from tests.support.seaweed import CANARY_SECRET, SeaweedServer, find_weed
from wiredesk import cli

SOURCE = "testwire"
DAY = "2026-11-20"

pytestmark = pytest.mark.integration


def test_server_stopped_mid_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not find_weed():
        pytest.skip("SeaweedFS 'weed' binary not installed")
    server = SeaweedServer(tmp_path / "weed")  # dedicated: this test kills it
    try:
        server.start()
        url = f"s3://{server.create_bucket()}/p"
        options = server.store_options(max_attempts=2, connect_timeout=1.0, read_timeout=2.0)
        store = storage.open_store(url, **options)
        old = [make_record(i) for i in range(4)]
        storage.upload_staging(store, SOURCE, DAY, "r1", write_run_dir(tmp_path / "r1", old))
        storage.publish_run(store, SOURCE, DAY, "r1")
        new = [make_record(i, title=f"New {i}") for i in range(9)]
        storage.upload_staging(store, SOURCE, DAY, "r2",
                               write_run_dir(tmp_path / "r2", new, run_id="r2"))

        original_close = _PartWriter.close

        def close_then_die(self: _PartWriter) -> dict[str, Any]:
            part = original_close(self)
            server.stop(graceful=False)  # the S3 server dies after the first part
            return part

        monkeypatch.setattr(_PartWriter, "close", close_then_die)
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match="unavailable after retries"):
            storage.publish_run(store, SOURCE, DAY, "r2", part_max_records=3)
        assert time.monotonic() - started < 30  # bounded retries, not a hang
        monkeypatch.undo()

        server.start()  # same directory and ports
        store = storage.open_store(url, **options)
        assert [r['title'] for r in storage.read_articles(store, verify=True)] == [
            r['title'] for r in old]  # no partial partition
        storage.publish_run(store, SOURCE, DAY, "r2", part_max_records=3)  # the repair
        assert [r["title"] for r in storage.read_articles(store)] == [r["title"] for r in new]
    finally:
        server.cleanup()


def test_wrong_secret_names_the_signature(seaweed, s3_store_url) -> None:
    options = seaweed.store_options(credentials={
        "aws_access_key_id": seaweed.access_key, "aws_secret_access_key": "not-the-secret",
    })
    with pytest.raises(StorageAuthError, match="signature mismatch.*check the secret") as info:
        storage.open_store(s3_store_url, **options).put_bytes("k", b"v")
    assert "WDTE…(masked)" in str(info.value)
    assert seaweed.access_key not in str(info.value) and "not-the-secret" not in str(info.value)


def test_unknown_key_id_is_access_denied(seaweed, s3_store_url) -> None:
    options = seaweed.store_options(credentials={
        "aws_access_key_id": "AKIAUNKNOWN000000000", "aws_secret_access_key": "x",
    })
    with pytest.raises(StorageAuthError, match=r"access denied for key id AKIA…\(masked\)"):
        list(storage.read_articles(s3_store_url, **options))


def test_missing_bucket_is_named(seaweed) -> None:
    store = storage.open_store("s3://no-such-bucket-wd/x", **seaweed.store_options())
    expected = f"bucket 'no-such-bucket-wd' does not exist at {seaweed.endpoint_url}"
    with pytest.raises(BucketNotFound, match=expected):
        store.put_bytes("a", b"b")  # SeaweedFS would auto-create it on PUT: we check first
    buckets = {b["Name"] for b in seaweed.client().list_buckets()["Buckets"]}
    assert "no-such-bucket-wd" not in buckets


def test_secret_never_leaks(seaweed, s3_store_url, tmp_path, monkeypatch, caplog, capsys) -> None:
    assert seaweed.secret_key == CANARY_SECRET
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed.secret_key)
    monkeypatch.setenv("WIREDESK_S3_ENDPOINT_URL", seaweed.endpoint_url)
    monkeypatch.setenv("WIREDESK_S3_ADDRESSING_STYLE", "path")
    monkeypatch.setenv("WIREDESK_S3_REGION", "us-east-1")
    texts: list[str] = []

    store = storage.open_store(s3_store_url, credentials=seaweed.credentials)
    texts += [repr(store), store.describe()]
    bad = make_record(2)
    bad["body"] = []
    local = write_run_dir(tmp_path / "run", [make_record(1), bad])
    storage.upload_staging(store, SOURCE, DAY, "r1", local)
    assert cli.main(["publish", SOURCE, "--date", DAY, "--run-id", "r1",
                     "--storage", s3_store_url]) == 0
    assert cli.main(["ls", "--storage", s3_store_url]) == 0
    assert cli.main(["cat", SOURCE, DAY, "--storage", s3_store_url]) == 0
    texts.append(repr(storage.list_partitions(store)))
    wrong = [
        {"aws_access_key_id": seaweed.access_key, "aws_secret_access_key": "no"},
        {"aws_access_key_id": "AKIAUNKNOWN", "aws_secret_access_key": CANARY_SECRET},
    ]
    for credentials in wrong:
        try:
            storage.open_store(s3_store_url, credentials=credentials).get_bytes("x")
        except storage.errors.StorageError as exc:
            texts += [str(exc), repr(exc)]
    for key in store.list_keys():
        data = store.get_bytes(key)
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts.append(data.decode(errors="replace"))

    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    assert "testwire" in captured.out  # the CLI did print something
    assert len(texts) > 10
    for text in texts:
        assert CANARY_SECRET not in text
