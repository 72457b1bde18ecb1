"""Record validation against storage/schemas/article.v1.json."""

from __future__ import annotations

import pytest

from storage import SCHEMA_VERSION, validate_record
from storage.errors import RecordInvalid
from storage.schema import load_schema
from tests.storage.factories import make_record


def test_valid_record_passes() -> None:
    validate_record(make_record(1))
    assert load_schema()["properties"]["schema_version"]["const"] == SCHEMA_VERSION == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"body": []}, "$.body"),
        ({"body": ["ok", ""]}, "$.body[1]"),
        ({"content_hash": "xyz"}, "$.content_hash"),
        ({"published_at": "yesterday"}, "$.published_at"),
        ({"extra_field": 1}, "$"),
        ({"id": "../../etc"}, "$.id"),
    ],
)
def test_invalid_records_name_the_path(change: dict, path: str) -> None:
    record = make_record(1) | change
    with pytest.raises(RecordInvalid) as info:
        validate_record(record)
    assert info.value.path == path
    assert info.value.reason == f"schema_invalid: {path}"
    assert info.value.message


def test_missing_field_is_reported() -> None:
    record = make_record(1)
    del record["title"]
    with pytest.raises(RecordInvalid, match="'title' is a required property"):
        validate_record(record)
