"""Error translation for failures a real server cannot be made to produce on demand."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

import storage
from storage.errors import (
    ObjectNotFound,
    StorageAuthError,
    StorageError,
    StorageUnavailable,
    mask_key_id,
)

CREDENTIALS = {"aws_access_key_id": "AKIAEXAMPLEKEY123456", "aws_secret_access_key": "s3cr3t"}


def stubbed_store():
    store = storage.open_store("s3://some-bucket/p", endpoint_url="http://127.0.0.1:9",
                               credentials=CREDENTIALS, max_attempts=1)
    store._bucket_checked = True  # skip the probe: only the stubbed call is under test
    return store


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [("SlowDown", 503, StorageUnavailable), ("InternalError", 500, StorageUnavailable),
     ("NoSuchKey", 404, ObjectNotFound), ("AccessDenied", 403, StorageAuthError),
     ("ExpiredToken", 400, StorageAuthError), ("WeirdError", 400, StorageError)],
)
def test_client_errors_map_to_the_tree(code: str, status: int, error: type) -> None:
    store = stubbed_store()
    with Stubber(store._client) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        with pytest.raises(error) as info:
            store.get_bytes("k")
    assert type(info.value) is error  # not merely some StorageError
    assert "s3cr3t" not in str(info.value) and "AKIAEXAMPLEKEY123456" not in str(info.value)


def test_misspelt_option_is_refused() -> None:
    with pytest.raises(TypeError, match="endpont_url"):
        storage.open_store("s3://some-bucket/p", endpont_url="http://127.0.0.1:9", credentials=CREDENTIALS)


def test_incomplete_credentials_are_refused() -> None:
    with pytest.raises(StorageAuthError, match="aws_secret_access_key"):
        storage.open_store("s3://some-bucket/p", credentials={"aws_access_key_id": "AKIAX"})


def test_key_ids_are_masked() -> None:
    assert mask_key_id("AKIAEXAMPLEKEY123456") == "AKIA…(masked)"
    assert mask_key_id(None) == "<none>"


def test_tree_shape() -> None:
    for cls in (StorageUnavailable, StorageAuthError, ObjectNotFound,
                storage.errors.BucketNotFound, storage.errors.InvalidKey,
                storage.errors.RecordInvalid, storage.errors.PublishError):
        assert issubclass(cls, StorageError)
    assert issubclass(ObjectNotFound, KeyError) and issubclass(storage.errors.InvalidKey, ValueError)
