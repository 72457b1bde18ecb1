"""S3-only behaviour on SeaweedFS: streamed multipart writes, encryption, env configuration."""

from __future__ import annotations

import os

import pytest

import storage
from storage.s3 import S3Store

pytestmark = pytest.mark.integration
MiB = 1 << 20


def test_open_writer_streams_a_multipart_upload(seaweed, s3_store_url) -> None:
    store = storage.open_store(s3_store_url, **seaweed.store_options(multipart_chunksize=5 * MiB))
    chunk = os.urandom(MiB)
    with store.open_writer("big.bin") as stream:
        for _ in range(11):  # three parts: 5 + 5 + 1 MiB
            stream.write(chunk)
        assert len(stream._buffer) < 5 * MiB  # memory holds one part at most
        assert len(stream._parts) == 2
    assert store.get_bytes("big.bin") == chunk * 11
    bucket, prefix = s3_store_url[5:].split("/", 1)
    uploads = seaweed.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert uploads == []


@pytest.mark.parametrize("size", [0, 3 * MiB, 10 * MiB, 12 * MiB + 7])
def test_put_file_sends_whole_chunks_each_with_its_checksum(seaweed, s3_store_url, tmp_path,
                                                            size) -> None:
    store = storage.open_store(s3_store_url, **seaweed.store_options(multipart_chunksize=5 * MiB))
    data = os.urandom(size)
    (tmp_path / "f.bin").write_bytes(data)
    store.put_file("f.bin", tmp_path / "f.bin")
    assert store.get_bytes("f.bin") == data
    head = seaweed.client().head_object(Bucket=s3_store_url[5:].split("/", 1)[0],
                                        Key="wiredesk/f.bin")
    parts = -(-size // (5 * MiB))
    assert (head["ETag"].strip('"').partition("-")[2] or "1") == str(max(parts, 1))


def test_failed_multipart_upload_is_aborted(seaweed, s3_store_url) -> None:
    store = storage.open_store(s3_store_url, **seaweed.store_options(multipart_chunksize=5 * MiB))
    with pytest.raises(RuntimeError), store.open_writer("half.bin") as stream:
        stream.write(b"x" * (6 * MiB))
        raise RuntimeError("crash")
    assert not store.exists("half.bin")
    bucket = s3_store_url[5:].split("/", 1)[0]
    assert seaweed.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_server_side_encryption(seaweed, s3_store_url) -> None:
    store = storage.open_store(s3_store_url, **seaweed.store_options(sse="AES256"))
    store.put_bytes("enc.txt", b"secret news")
    bucket, prefix = s3_store_url[5:].split("/", 1)
    head = seaweed.client().head_object(Bucket=bucket, Key=f"{prefix}/enc.txt")
    assert head.get("ServerSideEncryption") == "AES256"
    assert store.get_bytes("enc.txt") == b"secret news"
    with pytest.raises(ValueError, match="aws:kms"):
        storage.open_store(s3_store_url, sse="AES256", sse_kms_key_id="k")


def test_environment_fallbacks(seaweed, s3_store_url, monkeypatch) -> None:
    monkeypatch.setenv("WIREDESK_S3_ENDPOINT_URL", seaweed.endpoint_url)
    monkeypatch.setenv("WIREDESK_S3_ADDRESSING_STYLE", "path")
    monkeypatch.setenv("WIREDESK_S3_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed.secret_key)
    store = storage.open_store(s3_store_url)  # standard chain + env, no arguments
    assert isinstance(store, S3Store) and store.endpoint_url == seaweed.endpoint_url
    store.put_bytes("env.txt", b"ok")
    assert store.get_bytes("env.txt") == b"ok"
    assert store.describe() == f"{s3_store_url}/ at {seaweed.endpoint_url}"
