"""The fault-injecting S3 proxy (tests/support/s3proxy.py) in front of a real SeaweedFS."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.support.s3proxy import S3FaultProxy
from tests.support.seaweed import SeaweedServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

CONNECTION_ERRORS = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)


@pytest.fixture
def proxy(seaweed: SeaweedServer) -> Iterator[S3FaultProxy]:
    with S3FaultProxy(seaweed.endpoint_url) as started:
        yield started


@pytest.fixture
def bucket(seaweed: SeaweedServer) -> str:
    return seaweed.create_bucket()


def proxied_client(seaweed: SeaweedServer, proxy: S3FaultProxy) -> Any:
    return boto3.client(
        "s3", endpoint_url=proxy.endpoint_url, region_name="us-east-1",
        aws_access_key_id=seaweed.access_key, aws_secret_access_key=seaweed.secret_key,
        config=Config(
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "total_max_attempts": 1},  # one attempt, no retry
            connect_timeout=2, read_timeout=15,
            request_checksum_calculation="when_required",  # as storage.s3 configures it
            response_checksum_validation="when_required",
        ),
    )


@pytest.fixture
def client(seaweed: SeaweedServer, proxy: S3FaultProxy) -> Any:
    return proxied_client(seaweed, proxy)


def exists(seaweed: SeaweedServer, bucket: str, key: str) -> bool:
    try:
        seaweed.client().head_object(Bucket=bucket, Key=key)
    except botocore.exceptions.ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            return False
        raise
    return True


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_round_trip(client, proxy, bucket) -> None:
    big = bytes(range(256)) * 1200  # a file-like body: boto3 sends Expect: 100-continue
    client.put_object(Bucket=bucket, Key="dir/small key", Body=b"hello")
    client.put_object(Bucket=bucket, Key="big", Body=io.BytesIO(big))
    assert client.get_object(Bucket=bucket, Key="dir/small key")["Body"].read() == b"hello"
    assert client.get_object(Bucket=bucket, Key="big")["Body"].read() == big
    assert client.head_object(Bucket=bucket, Key="big")["ContentLength"] == len(big)
    ranged = client.get_object(Bucket=bucket, Key="big", Range="bytes=10-19")
    assert ranged["Body"].read() == big[10:20]
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == ["big", "dir/small key"]
    client.delete_object(Bucket=bucket, Key="big")
    assert ("PUT", f"/{bucket}/dir/small%20key") in proxy.requests
    assert ("DELETE", f"/{bucket}/big") in proxy.requests
    assert any(m == "GET" and p.startswith(f"/{bucket}?list-type=2") for m, p in proxy.requests)


def test_conditional_put_headers_pass_through(client, bucket) -> None:
    etag = client.put_object(Bucket=bucket, Key="k", Body=b"1", IfNoneMatch="*")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.put_object(Bucket=bucket, Key="k", Body=b"2", IfNoneMatch="*")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.put_object(Bucket=bucket, Key="k", Body=b"3", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    client.put_object(Bucket=bucket, Key="k", Body=b"4", IfMatch=etag)
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"4"


def test_pause_holds_the_answer_after_the_write(seaweed, client, proxy, bucket) -> None:
    gate = proxy.pause(lambda method, path: method == "PUT" and path == f"/{bucket}/held")
    thread, outcome = in_thread(lambda: client.put_object(Bucket=bucket, Key="held", Body=b"applied"))
    try:
        assert gate.wait_hit(10)
        # the server has the object while the client is still waiting for its answer
        assert seaweed.client().get_object(Bucket=bucket, Key="held")["Body"].read() == b"applied"
        time.sleep(0.2)
        assert thread.is_alive() and not outcome
        client.put_object(Bucket=bucket, Key="other", Body=b"x")  # others are not held
    finally:
        gate.release()
    thread.join(10)
    assert not thread.is_alive()
    assert "error" not in outcome and outcome["result"]["ETag"]
    assert gate.hits == 1


def test_pause_before_holds_the_request_before_the_server(seaweed, client, proxy, bucket) -> None:
    gate = proxy.pause_before(lambda method, path: method == "PUT")
    thread, outcome = in_thread(lambda: client.put_object(Bucket=bucket, Key="later", Body=b"v"))
    try:
        assert gate.wait_hit(10)
        time.sleep(0.2)
        assert not exists(seaweed, bucket, "later")
        assert thread.is_alive() and not outcome
    finally:
        gate.release()
    thread.join(10)
    assert "error" not in outcome
    assert exists(seaweed, bucket, "later")


def test_truncated_put_is_rejected_by_content_md5(seaweed, client, proxy, bucket) -> None:
    body = b"0123456789" * 1000
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    cut = proxy.truncate_body(lambda method, path: method == "PUT", keep=100)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.put_object(Bucket=bucket, Key="cut", Body=body, ContentMD5=md5)
    assert info.value.response["Error"]["Code"] in {"BadDigest", "InvalidDigest", "IncompleteBody"}
    assert cut.hits == 1
    assert not exists(seaweed, bucket, "cut")
    proxy.clear()
    client.put_object(Bucket=bucket, Key="cut", Body=body, ContentMD5=md5)
    assert seaweed.client().get_object(Bucket=bucket, Key="cut")["Body"].read() == body


def test_down_fails_fast_and_recovers(client, proxy, bucket) -> None:
    client.put_object(Bucket=bucket, Key="k", Body=b"v")
    for reset in (False, True):
        proxy.down(True, reset=reset)
        started = time.monotonic()
        with pytest.raises(CONNECTION_ERRORS):
            client.get_object(Bucket=bucket, Key="k")
        assert time.monotonic() - started < 10
        proxy.down(False)
        assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


def test_down_for_comes_back_up(client, proxy, bucket) -> None:
    client.put_object(Bucket=bucket, Key="k", Body=b"v")
    proxy.down_for(0.5)
    with pytest.raises(CONNECTION_ERRORS):
        client.head_object(Bucket=bucket, Key="k")
    deadline = time.monotonic() + 10
    while proxy.is_down and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.head_object(Bucket=bucket, Key="k")["ContentLength"] == 1


def test_clear_and_stop_release_held_requests(seaweed, bucket) -> None:
    proxy = S3FaultProxy(seaweed.endpoint_url).start()
    client = proxied_client(seaweed, proxy)
    gate = proxy.pause(None)
    proxy.truncate_body(None, keep=0)
    proxy.down_for(60)
    proxy.clear()  # no fault is left
    assert gate.released and not proxy.is_down
    client.put_object(Bucket=bucket, Key="whole", Body=b"abc")
    assert seaweed.client().get_object(Bucket=bucket, Key="whole")["Body"].read() == b"abc"

    gate = proxy.pause(None)
    thread, outcome = in_thread(lambda: client.put_object(Bucket=bucket, Key="held", Body=b"v"))
    assert gate.wait_hit(10)
    port = proxy.port
    proxy.stop()
    proxy.stop()  # twice is fine
    thread.join(10)
    assert not thread.is_alive() and outcome
    assert exists(seaweed, bucket, "held")
    assert not [t for t in threading.enumerate() if t.name.startswith(f"s3proxy:{port}:")]


def test_multipart_upload_and_query_in_targets(client, proxy, bucket) -> None:
    data = bytes(range(256)) * (48 * 1024)  # 12 MiB: boto3 uploads it in parts
    client.upload_fileobj(io.BytesIO(data), bucket, "mp")
    assert client.get_object(Bucket=bucket, Key="mp")["Body"].read() == data
    parts = [p for m, p in proxy.requests if m == "PUT" and "partNumber=" in p]
    assert len(parts) == 2 and all(p.startswith(f"/{bucket}/mp?uploadId=") for p in parts)
