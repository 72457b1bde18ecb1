"""Loading the development corpus (``../shared/corpus``) for evals, benches and tests.

The corpus is third-party content that lives beside the repository, never in
it; everything here returns ``None``/empty when it is absent so that callers
can skip with a message instead of failing.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path | None:
    """``$WIREDESK_CORPUS`` or ``<repo>/../shared/corpus``; ``None`` when absent."""
    override = os.environ.get("WIREDESK_CORPUS")
    path = Path(override) if override else REPO_ROOT.parent / "shared" / "corpus"
    return path if path.is_dir() else None


@dataclass
class Page:
    """One stored page: raw bytes plus whatever the corpus says it should yield."""

    id: str
    url: str | None
    html: bytes
    expected: dict[str, Any] = field(default_factory=dict)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def aeb_pages(root: Path | None = None, limit: int | None = None) -> list[Page]:
    """``aeb-dev``: pages with ``expected["articleBody"]``, sorted by id."""
    root = root or corpus_dir()
    base = root / "aeb-dev" if root else None
    if base is None or not (base / "ground-truth.json").is_file():
        return []
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        path = base / "html" / f"{page_id}.html.gz"
        if path.is_file():
            row = truth[page_id]
            pages.append(Page(id=page_id, url=row.get("url"), html=_read(path), expected=row))
    return pages


def fundus_pages(root: Path | None = None, limit: int | None = None) -> list[Page]:
    """``fundus-dev``: pages with the expected title/authors/date row, in index order."""
    root = root or corpus_dir()
    base = root / "fundus-dev" if root else None
    if base is None or not (base / "index.jsonl").is_file():
        return []
    pages = []
    with (base / "index.jsonl").open(encoding="utf-8") as rows:
        for line in rows:
            if not line.strip():
                continue
            row = json.loads(line)
            path = base / row["file"]
            if path.is_file():
                page_id = Path(row["file"]).name.removesuffix(".html.gz")
                pages.append(Page(id=page_id, url=row.get("url"), html=_read(path), expected=row))
    return pages[:limit]


def trafilatura_pages(root: Path | None = None, limit: int | None = None) -> list[Page]:
    """``trafilatura-dev``: pages keyed by URL with ``with``/``without`` snippets and
    title/author/date where annotated, sorted by URL."""
    root = root or corpus_dir()
    base = root / "trafilatura-dev" if root else None
    if base is None or not (base / "evaldata.json").is_file():
        return []
    rows = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(rows)[:limit]:
        row = rows[url]
        path = base / row["file"]
        if path.is_file():
            page_id = Path(row["file"]).name.removesuffix(".html.gz")
            pages.append(Page(id=page_id, url=url, html=_read(path), expected=row))
    return pages


def yonhap_pages(root: Path | None = None) -> list[Page]:
    """``yonhap-dev``: Yonhap English article pages with their URLs."""
    root = root or corpus_dir()
    base = root / "yonhap-dev" if root else None
    if base is None or not (base / "index.json").is_file():
        return []
    rows = json.loads((base / "index.json").read_text(encoding="utf-8"))
    return [
        Page(id=row["file"], url=row.get("url"), html=_read(base / row["file"]), expected=row)
        for row in rows
        if (base / row["file"]).is_file()
    ]


def wiresite_pages() -> list[Page]:
    """Article pages of the bundled fixture wire site (Yonhap English and Korean).

    Their URL is the Yonhap one the fixture site imitates, so the dispatcher
    picks the Yonhap parser for them exactly as for the real pages.
    """
    from devsite.build import story_pages

    hosts = {"yonhap_en": "https://en.yna.co.kr", "yonhap_ko": "https://www.yna.co.kr"}
    return [
        Page(id=page.file.rsplit("/", 1)[-1], url=host + page.path, html=page.body)
        for site, host in hosts.items()
        for page in story_pages(site)
    ]
