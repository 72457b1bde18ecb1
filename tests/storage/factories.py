"""Hand-made staged runs: what a crawl would upload, without running one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.counts import Counts
from storage.staging import ITEMS, LEDGER, QUARANTINE, RunDir
from storage.versions import version_of


def make_record(
    n: int,
    *,
    source: str = "testwire",
    title: str | None = None,
    body: list[str] | None = None,
    published_at: str = "2026-11-20T09:00:00+09:00",
    updated_at: str | None = None,
    article: str | None = None,
    author_organisations: list[str] | None = None,
) -> dict[str, Any]:
    title = title or f"Story number {n}"
    body = body or [f"Paragraph one of story {n}.", f"Paragraph two of story {n}."]
    digest = hashlib.sha256("\n".join([title, *body]).encode()).hexdigest()
    return {
        "schema_version": 1,
        "id": f"{source}:{article or f'AEN{n:08d}'}",
        "source": source,
        "url": f"https://wire.example/{article or n}",
        "fetched_url": f"https://wire.example/{article or n}",
        "fetched_at": "2026-11-20T01:00:00+00:00",
        "language": "en",
        "title": title,
        "update_flag": None,
        "authors": ["Kim Reporter"],
        "author_organisations": author_organisations or [],
        "dateline": {"city": "SEOUL", "agency": "Yonhap"},
        "published_at": published_at,
        "updated_at": updated_at,
        "section": ["National"],
        "keywords": [],
        "summary": None,
        "body": body,
        "images": [],
        "content_hash": digest,
        "version": 1,
        "parser": {"name": "testwire", "version": "1.0"},
        "raw": {
            "warc": f"raw/source={source}/date=2026-11-20/r1.warc.gz",
            "record_id": f"<urn:uuid:{n}>",
        },
    }


def write_run_dir(
    directory: Path,
    records: list[Any],
    *,
    run_id: str = "r1",
    source: str = "testwire",
    day: str = "2026-11-20",
    quarantine: list[dict[str, Any]] | None = None,
    filtered: dict[str, int] | None = None,
    fetch_failed: dict[str, int] | None = None,
    warc: bytes | None = b"WARC/1.1 fake",
    finished_at: str | None = None,
) -> Path:
    """Write a crawl's local run directory whose counts and ledger add up."""
    directory.mkdir(parents=True, exist_ok=True)
    quarantine = quarantine or []
    filtered = filtered or {}
    fetch_failed = fetch_failed or {}
    run = RunDir(directory)
    counts = Counts.crawl()
    ledger: list[dict[str, Any]] = []
    with run.open(ITEMS) as out:
        for number, record in enumerate(records):
            out.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
            url = record.get("url") if isinstance(record, dict) else f"https://wire.example/bad{number}"
            ledger.append({"url": url, "outcome": "parsed", "reason": None, "status": 200,
                           "fetched_url": url, "item": number})
            counts.add("parsed")
    if quarantine:
        with run.open(QUARANTINE) as out:
            for row in quarantine:
                out.write(json.dumps(row) + "\n")
                ledger.append({"url": row["url"], "outcome": "quarantined",
                               "reason": row["reason"], "status": 200,
                               "fetched_url": row["url"]})
                counts.add("quarantined", row["reason"])
    for outcome, reasons in (("filtered", filtered), ("fetch_failed", fetch_failed)):
        for reason, count in reasons.items():
            ledger += [{"url": f"https://wire.example/{outcome}/{reason}/{n}", "outcome": outcome,
                        "reason": reason, "status": None, "fetched_url": None}
                       for n in range(count)]
            counts.add(outcome, reason, count)
    with run.open(LEDGER) as out:
        for row in ledger:
            out.write(json.dumps(row) + "\n")
    counts.discovered = len(ledger)
    run.write_crawl({"run_id": run_id, "source": source, "date": day, "started_at": None,
                     "finished_at": finished_at or datetime.now(UTC).isoformat(),
                     "counts": counts.check().to_dict(), "stats": {}})
    if warc is not None:
        (directory / "crawl.warc.gz").write_bytes(warc)
    return directory


def quarantine_row(url: str, reason: str = "no_article_body") -> dict[str, Any]:
    return {"url": url, "fetched_url": url, "stage": "parse", "reason": reason,
            "message": "no story paragraphs", "status": 200, "fetched_at": None, "raw": None}


def as_published(record: dict[str, Any]) -> dict[str, Any]:
    """The record as publishing writes it: with the version its story time gives it."""
    return {**record, "version": version_of(record)}
