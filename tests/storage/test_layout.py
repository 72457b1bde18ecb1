"""Key layout: exact DESIGN.md names, and no input can escape the store's prefix."""

from __future__ import annotations

from datetime import date

import pytest

from storage import layout
from storage.errors import InvalidKey


def test_keys_follow_the_documented_layout() -> None:
    assert layout.part_key("yonhap_en", date(2026, 1, 2), "r-1", 3) == (
        "articles/v1/source=yonhap_en/date=2026-01-02/part-r-1-00003.jsonl.gz"
    )
    assert layout.manifest_key("yonhap_en", "2026-01-02") == (
        "articles/v1/source=yonhap_en/date=2026-01-02/_manifest.json"
    )
    assert layout.raw_key("s", "2026-01-02", "r1") == "raw/source=s/date=2026-01-02/r1.warc.gz"
    assert layout.raw_key("s", "2026-01-02", "r1", 2) == (
        "raw/source=s/date=2026-01-02/r1-00002.warc.gz"
    )
    assert layout.quarantine_key("s", "2026-01-02", "r1") == (
        "quarantine/source=s/date=2026-01-02/r1.jsonl.gz"
    )
    piece = layout.versions_key("s", "2026-01-01", "2026-01-02", "r1.a1b2c3")
    assert piece == "state/source=s/versions/date=2026-01-01/day=2026-01-02/r1.a1b2c3.jsonl.gz"
    assert layout.parse_versions_key(piece) == ("2026-01-01", "2026-01-02", "r1.a1b2c3")
    assert layout.parse_versions_key("state/source=s/published/date=2026-01-02.jsonl.gz") is None
    assert layout.staging_key("s", "2026-01-02", "r1", "items.jsonl.gz") == (
        "staging/source=s/date=2026-01-02/run=r1/items.jsonl.gz"
    )


def test_parse_partition_key_round_trips() -> None:
    parsed = layout.parse_partition_key(layout.manifest_key("yonhap_en", "2026-01-02"))
    assert parsed == layout.PartitionKey(1, "yonhap_en", "2026-01-02", "_manifest.json")
    assert layout.parse_partition_key("articles/v1/source=../date=2026-01-02/x") is None
    assert layout.parse_partition_key("raw/source=s/date=2026-01-02/r.warc.gz") is None


@pytest.mark.parametrize(
    "source", ["", "../x", "A", "-lead", "ok\n", "a/b", "a b", "a\x00", "x" * 65, "/abs", "é"]
)
def test_bad_source_ids(source: str) -> None:
    with pytest.raises(InvalidKey):
        layout.validate_source(source)


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "26-01-01", "2026-1-1", "../..", ""])
def test_bad_dates(day: str) -> None:
    with pytest.raises(InvalidKey):
        layout.validate_date(day)


@pytest.mark.parametrize("run_id", [".", "..", "", "a/b", "a b", "x" * 101, "r\x00", "r\n"])
def test_bad_run_ids(run_id: str) -> None:
    with pytest.raises(InvalidKey):
        layout.validate_run_id(run_id)


def test_good_names_pass() -> None:
    assert layout.validate_source("yonhap_en") == "yonhap_en"
    assert layout.validate_date(date(2024, 2, 29)) == "2024-02-29"
    assert layout.validate_run_id("manual__2026-01-02.r1") == "manual__2026-01-02.r1"
