"""The stored pages the parser tests run over, and where their expected JSON lives.

Two kinds of pages: the development corpus (``../shared/corpus``, third-party
pages that are never copied into the repository; override the location with
``WIREDESK_CORPUS``) and small pages written for these tests under
``tests/parsers/pages/``.  Expected records are stored per parser version,
fundus style: ``{"1.0": {...record...}}``; regenerate them with
``python -m tests.parsers.regenerate``, never by hand.

Corpus pages are third-party text: their expected files keep every field but
store each body paragraph and caption as its first words plus a SHA-256
prefix (:func:`fingerprint`), so the repository holds no copy of the story
while the test still fails on any changed, missing or extra paragraph.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import corpus_dir

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PAGES = HERE / "pages"
EXPECTED = HERE / "expected"


@dataclass(frozen=True)
class Case:
    name: str
    page: Path
    url: str | None
    reference_date: str | None
    expected: Path
    source: str | None = None
    third_party: bool = False

    def parse(self) -> dict[str, Any]:
        """The record as the test compares it (fingerprinted for third-party pages)."""
        record = self.parse_full()
        return fingerprint_record(record) if self.third_party else record

    def parse_full(self) -> dict[str, Any]:
        from parsers import parse_page

        return parse_page(
            self.page.read_bytes(),
            url=self.url,
            source=self.source,
            reference_date=self.reference_date,
            flat_text=self.page.suffix == ".txt",
        )


def yonhap_corpus_cases() -> list[Case]:
    root = corpus_dir()
    if root is None:
        return []
    folder = root / "yonhap-dev"
    index = folder / "index.json"
    if not index.exists():
        return []
    return [
        Case(
            name=f"yonhap-dev/{Path(entry['file']).stem}",
            page=folder / entry["file"],
            url=entry["url"],
            reference_date=entry.get("captured"),
            expected=EXPECTED / "yonhap" / f"{Path(entry['file']).stem}.json",
            third_party=True,
        )
        for entry in sorted(json.loads(index.read_text()), key=lambda e: e["file"])
    ]


def seed_cases() -> list[Case]:
    root = corpus_dir()
    page = root / "seed" / "000_6ce46c6c5d35d25b.txt" if root else None
    if page is None or not page.exists():
        return []
    return [
        Case(
            name="seed/000_6ce46c6c5d35d25b",
            page=page,
            url=None,
            reference_date="2011-01-05",
            expected=EXPECTED / "seed" / "000_6ce46c6c5d35d25b.json",
            third_party=True,
        )
    ]


def fixture_cases() -> list[Case]:
    index = json.loads((PAGES / "index.json").read_text())
    return [
        Case(
            name=f"pages/{name}",
            page=PAGES / name,
            url=meta.get("url"),
            reference_date=meta.get("reference_date"),
            source=meta.get("source"),
            expected=EXPECTED / "pages" / f"{Path(name).stem}.json",
        )
        for name, meta in sorted(index.items())
    ]


def all_cases() -> list[Case]:
    return yonhap_corpus_cases() + seed_cases() + fixture_cases()


def fingerprint(text: str | None, words: int = 6) -> str | None:
    """``"first six words … #<sha256 prefix>"``: identifies a paragraph without copying it."""
    if text is None:
        return None
    head = " ".join(text.split()[:words])
    return f"{head} … #{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def fingerprint_record(record: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(record)
    record["body"] = [fingerprint(p) for p in record["body"]]
    record["summary"] = fingerprint(record["summary"])
    for image in record["images"]:
        image["caption"] = fingerprint(image["caption"])
    return record


def dump(data: Any) -> str:
    """The one JSON spelling of expected files: sorted keys, readable, final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
