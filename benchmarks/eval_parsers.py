"""``make eval``: score our parsers against plain trafilatura on the dev corpus.

Both extractors see the same raw bytes in the same run:

* **ours** is ``parsers.parse_page`` (the real dispatcher, so decoding, site
  choice, the generic parser and wire cleaning are all measured) given the
  page's URL;
* **trafilatura** is ``trafilatura.extract(html)`` with default settings for
  the body and ``bare_extraction(html, with_metadata=True)`` for title, date
  and authors.

Metrics:

* ``aeb-dev`` body precision/recall/F1, as defined in :mod:`benchmarks.metric`;
  a page ours refuses with ``ParseError`` counts as an empty prediction.
* ``fundus-dev`` title accuracy: exact match after Unicode NFC, dropping
  invisible characters (soft hyphen, zero-width space/joiners), mapping
  typographic quotes to ASCII ones (``’`` -> ``'``, ``“`` -> ``"``), typographic
  dashes and the minus sign to ``-`` (pages print the same headline with either,
  as with quotes) and collapsing whitespace runs
  (NBSP and ideographic spaces included) to one space; case and wording must
  match, no substring credit.  HTML entities are NOT unescaped: an entity left
  in an extracted title is a defect the score must show.  A second title row
  scores the generic vote alone (:func:`parsers.metadata.choose_title`),
  without the publisher table of :mod:`parsers.publishers`: what a page from
  a publisher the table does not know gets.
* date accuracy: the same calendar day as ``publishing_date``. Each side's day
  is taken in its OWN stated offset (the local day the publisher printed);
  trafilatura returns a bare date, which is taken as is. Converting to UTC
  would penalise a correct local midnight-ish timestamp, and converting ours
  into the truth's offset would treat a date-only value (midnight ``+00:00``)
  unfairly, so the local day is the one comparison both sides can make.
* authors accuracy: set equality after NFC, whitespace collapsing and
  casefolding; an empty expected list matches an empty prediction only.

Prints one table (metric x ours / trafilatura / delta) and writes it to
``var/eval.json``.  Exits 0 with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import REPO_ROOT, Page, aeb_pages, corpus_dir, fundus_pages
from benchmarks.metric import PageScore, aggregate, score_page

OUT_PATH = REPO_ROOT / "var" / "eval.json"


@dataclass
class Extraction:
    """The fields the eval compares, from either extractor."""

    body: str = ""
    title: str | None = None
    day: date | None = None
    authors: list[str] = field(default_factory=list)
    error: str | None = None


# -- extractors ------------------------------------------------------------


def ours(page: Page) -> Extraction:
    from parsers import ParseError, parse_page

    try:
        record = parse_page(page.html, url=page.url)
    except ParseError as exc:
        return Extraction(error=exc.reason)
    published = record.get("published_at")
    day = datetime.fromisoformat(published).date() if published else None
    return Extraction(
        body="\n".join(record.get("body") or []),
        title=record.get("title"),
        day=day,
        authors=list(record.get("authors") or []),
    )


def vote_title(page: Page) -> Extraction:
    """The headline the generic vote alone picks, as for a publisher missing from
    :mod:`parsers.publishers`: the figure that carries to unseen publishers."""
    from parsers import wire
    from parsers.decode import decode_html
    from parsers.html import parse_html
    from parsers.metadata import extract_metadata

    title = extract_metadata(parse_html(decode_html(page.html)), page.url).title
    return Extraction(title=wire.split_update_flag(title)[1] if title else None)


def trafilatura_body(page: Page) -> Extraction:
    import trafilatura

    return Extraction(body=trafilatura.extract(page.html) or "")


def trafilatura_meta(page: Page) -> Extraction:
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, with_metadata=True)
    if doc is None:
        return Extraction()
    day = None
    if doc.date:
        try:
            day = date.fromisoformat(doc.date[:10])
        except ValueError:
            day = None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extraction(body=doc.text or "", title=doc.title, day=day, authors=authors)


# -- comparisons -----------------------------------------------------------


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = str.maketrans(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-"))


def norm_text(value: str | None) -> str:
    """A title as compared: typographic variants unified, wording and case kept."""
    text = unicodedata.normalize("NFC", value or "")
    text = text.translate(_INVISIBLE).translate(_QUOTES).translate(_DASHES)
    return " ".join(text.split())


def norm_author(value: str) -> str:
    return norm_text(value).casefold()


def expected_day(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(value).date()


def title_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return bool(got.title) and norm_text(got.title) == norm_text(row.get("title"))


def date_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return got.day is not None and got.day == expected_day(row.get("publishing_date"))


def authors_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return {norm_author(a) for a in got.authors} == {
        norm_author(a) for a in row.get("authors") or []
    }


def _describe(column: Column, got: Extraction, row: dict[str, Any]) -> str:
    """One verbose line: which fields of the last fundus page were wrong."""
    parts = []
    if not column.title[-1]:
        parts.append(f"title {got.title!r} != {row.get('title')!r}")
    if not column.day[-1]:
        parts.append(f"date {got.day} != {expected_day(row.get('publishing_date'))}")
    if not column.authors[-1]:
        parts.append(f"authors {got.authors} != {row.get('authors')}")
    return "; ".join(parts) or "ok"


# -- the run ---------------------------------------------------------------


@dataclass
class Column:
    body: list[PageScore] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    day: list[bool] = field(default_factory=list)
    authors: list[bool] = field(default_factory=list)
    refused: int = 0
    seconds: float = 0.0


def _mean(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(aeb: list[Page], fundus: list[Page], verbose: bool = False) -> dict[str, Any]:
    """Run both extractors over both sets; return the table as a dict."""
    mine, theirs, vote = Column(), Column(), Column()
    for page in aeb:
        truth = page.expected.get("articleBody") or ""
        started = time.perf_counter()
        got = ours(page)
        mine.seconds += time.perf_counter() - started
        mine.refused += got.error is not None
        started = time.perf_counter()
        base = trafilatura_body(page)
        theirs.seconds += time.perf_counter() - started
        mine.body.append(score_page(got.body, truth))
        theirs.body.append(score_page(base.body, truth))
        if verbose:
            m, t = mine.body[-1], theirs.body[-1]
            print(
                f"aeb {page.id[:12]} ours P={m.precision:.3f} R={m.recall:.3f} "
                f"traf P={t.precision:.3f} R={t.recall:.3f} {got.error or ''}"
            )
    for page in fundus:
        row = page.expected
        got = ours(page)
        mine.refused += got.error is not None
        base = trafilatura_meta(page)
        vote.title.append(title_ok(vote_title(page), row))
        for column, ext in ((mine, got), (theirs, base)):
            column.title.append(title_ok(ext, row))
            column.day.append(date_ok(ext, row))
            column.authors.append(authors_ok(ext, row))
        if verbose:
            print(f"fundus {page.id:40} " + _describe(mine, got, row))
    rows: dict[str, dict[str, float]] = {}
    if aeb:
        a, b = aggregate(mine.body), aggregate(theirs.body)
        rows["aeb body precision"] = {"ours": a.precision, "trafilatura": b.precision}
        rows["aeb body recall"] = {"ours": a.recall, "trafilatura": b.recall}
        rows["aeb body F1"] = {"ours": a.f1, "trafilatura": b.f1}
        rows["aeb seconds"] = {"ours": mine.seconds, "trafilatura": theirs.seconds}
    if fundus:
        for label, attr in (("title", "title"), ("date", "day"), ("authors", "authors")):
            rows[f"fundus {label} accuracy"] = {
                "ours": _mean(getattr(mine, attr)),
                "trafilatura": _mean(getattr(theirs, attr)),
            }
        rows["fundus title, vote only"] = {"ours": _mean(vote.title), "trafilatura": _mean(theirs.title)}
    for values in rows.values():
        values["delta"] = values["ours"] - values["trafilatura"]
    return {
        "pages": {"aeb-dev": len(aeb), "fundus-dev": len(fundus)},
        "ours_refused": mine.refused,
        "metrics": rows,
    }


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'metric':28} {'ours':>9} {'trafilatura':>12} {'delta':>9}"]
    lines.append("-" * len(lines[0]))
    for name, v in result["metrics"].items():
        lines.append(f"{name:28} {v['ours']:9.4f} {v['trafilatura']:12.4f} {v['delta']:+9.4f}")
    pages = result["pages"]
    lines.append(
        f"pages: aeb-dev {pages['aeb-dev']}, fundus-dev {pages['fundus-dev']}; "
        f"refused by ours: {result['ours_refused']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    cli.add_argument("--verbose", "-v", action="store_true", help="one line per page")
    cli.add_argument("--out", type=Path, default=OUT_PATH, help="where to write the JSON table")
    args = cli.parse_args(argv)
    root = corpus_dir()
    if root is None:
        print("eval skipped: no corpus at ../shared/corpus (set WIREDESK_CORPUS to point at one)")
        return 0
    aeb, fundus = aeb_pages(root, args.limit), fundus_pages(root, args.limit)
    if not aeb and not fundus:
        print(f"eval skipped: {root} has neither aeb-dev nor fundus-dev")
        return 0
    warnings.filterwarnings("ignore")
    result = evaluate(aeb, fundus, verbose=args.verbose)
    print(format_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
