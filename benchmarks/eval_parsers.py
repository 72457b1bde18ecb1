"""``make eval``: score our parsers against plain trafilatura on every corpus folder.

Every side sees the same raw bytes in the same run:

* **ours** is ``parsers.parse_page`` (the real dispatcher: decoding, site
  choice, the generic parser and wire cleaning) given the page's URL, with
  the publisher table of :mod:`parsers.publishers` **off**.  This is the
  figure that stands for publishers the parsers have never seen, and the one
  the table leads with.  It equals a leave-one-publisher-out figure: an entry
  of the table only ever applies to its own publisher's pages.
* **ours+table** is the same with the table on: the development figure, for
  reference only (the table names the headline field of publishers in this
  very corpus, so it is not generalisation).
* **trafilatura** is ``trafilatura.extract(html)`` with default settings for
  the body and ``bare_extraction(html, with_metadata=True)`` for title, date
  and authors.

Corpora and metrics (see ``../shared/corpus/README.md``):

* ``aeb-dev``: body precision/recall/F1, as defined in :mod:`benchmarks.metric`.
* ``trafilatura-dev``: the segment metric (:func:`segment_counts`: ``with``
  snippets found are true positives, missing ones false negatives, ``without``
  snippets found false positives; summed over pages, then P/R/F1; both sides
  in Unicode NFC, as for titles), and on the
  pages annotated with them: title exact after squashing whitespace (both
  sides in Unicode NFC: the annotations are, many pages are not, and
  canonically equivalent text is the same text; authors were already
  compared in NFC), date by
  its first ten characters, authors as casefolded sets of names (split at ``;``, ``,``,
  ``and``, ``und``, ``&``; a news agency by one name on both sides, "Associated
  Press" as "AP"; casefolded as on fundus-dev: a style sheet sets some
  bylines in capitals the markup does not have, and the record keeps the
  markup's letters; the row ``authors+credits, case kept`` gives the figure
  with case counted).
* ``fundus-dev``: title exact after :func:`norm_text` (NFC, invisible
  characters dropped, typographic quotes and dashes unified, whitespace
  collapsed; case, wording and HTML entities count); date as the local day
  each side states; authors as casefolded sets, a news agency by one name
  ("Associated Press" and "AP" alike, on both sides; an empty expected list
  matches an empty prediction only).  ``authors+credits`` scores the same sets
  with the organisations the record credits added to ours (``author_organisations``,
  the publication or desk, and ``dateline.agency``, the news agency: the contract
  keeps both out of ``authors``), so an expected list that names them can match;
  the strict ``authors`` row stays beside it.
* ``yonhap-dev`` has no expected output (its records are pinned in
  ``tests/parsers/expected``): the row is the share of pages that gave a
  record (ours) or any text (trafilatura).

A page ours refuses with ``ParseError`` counts as an empty prediction.
Prints one table and writes it to ``var/eval.json``.  Exits 0 with a message
when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import (
    REPO_ROOT,
    Page,
    aeb_pages,
    corpus_dir,
    fundus_pages,
    trafilatura_pages,
    yonhap_pages,
)
from benchmarks.metric import PageScore, aggregate, score_page

OUT_PATH = REPO_ROOT / "var" / "eval.json"

#: The columns of the table, the unseen-publisher figure first.
SIDES = ("ours", "ours+table", "trafilatura")


@dataclass
class Extraction:
    """The fields the eval compares, from any extractor."""

    body: str = ""
    title: str | None = None
    day: date | None = None
    #: the published time as the extractor wrote it (ISO 8601 or a bare date)
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    #: the news agency the record credits (``dateline.agency``); never among ``authors``
    agency: str | None = None
    #: the organisations the record credits as author (``author_organisations``)
    organisations: list[str] = field(default_factory=list)
    error: str | None = None


# -- extractors ------------------------------------------------------------


def ours(page: Page, publisher_table: bool = False) -> Extraction:
    from parsers import ParseError, parse_page

    try:
        record = parse_page(page.html, url=page.url, publisher_table=publisher_table)
    except ParseError as exc:
        return Extraction(error=exc.reason)
    published = record.get("published_at")
    dateline = record.get("dateline") or {}
    return Extraction(
        agency=dateline.get("agency"),
        body="\n".join(record.get("body") or []),
        title=record.get("title"),
        day=datetime.fromisoformat(published).date() if published else None,
        published=published,
        authors=list(record.get("authors") or []),
        organisations=list(record.get("author_organisations") or []),
    )


def ours_with_table(page: Page) -> Extraction:
    return ours(page, publisher_table=True)


def trafilatura_side(page: Page) -> Extraction:
    import trafilatura

    body = trafilatura.extract(page.html) or ""
    doc = trafilatura.bare_extraction(page.html, with_metadata=True)
    if doc is None:
        return Extraction(body=body)
    day = None
    if doc.date:
        try:
            day = date.fromisoformat(doc.date[:10])
        except ValueError:
            day = None
    authors = sorted(name_set(doc.author or ""))
    return Extraction(body=body, title=doc.title, day=day, published=doc.date, authors=authors)


EXTRACTORS: dict[str, Callable[[Page], Extraction]] = {
    "ours": ours,
    "ours+table": ours_with_table,
    "trafilatura": trafilatura_side,
}


# -- comparisons -----------------------------------------------------------


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = str.maketrans(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-"))


def squash(value: str | None) -> str:
    return " ".join((value or "").split())


def norm_text(value: str | None) -> str:
    """A fundus title as compared: typographic variants unified, wording and case kept."""
    text = unicodedata.normalize("NFC", value or "")
    return squash(text.translate(_INVISIBLE).translate(_QUOTES).translate(_DASHES))


def norm_author(value: str) -> str:
    """A name as compared: casefolded, a news agency by its one name ("Associated
    Press" and "AP" are the same credit, on both sides)."""
    return _agency_name(norm_text(value)).casefold()


def _agency_name(name: str) -> str:
    from parsers.wire import canonical_agency

    return canonical_agency(name)


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


def credited(got: Extraction) -> list[str]:
    """The people plus the credited organisations and agency: the expected lists name
    them as authors, the record keeps them apart (``authors`` are people,
    ``author_organisations`` the publication or desk, ``dateline.agency`` the agency)."""
    return got.authors + got.organisations + ([got.agency] if got.agency else [])


def authors_credit_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return authors_ok(got, row) or authors_ok(Extraction(authors=credited(got)), row)


# trafilatura-dev: the annotation joins names with ";", ",", "and", "und", "&"
_NAME_JOIN_RE = re.compile(r"\s*(?:[;,&]|\band\b|\bund\b)\s*")


def name_set(value: str | list[str]) -> set[str]:
    """Names as a set, whitespace squashed: a list is one name an item, a string is
    split at the annotation's joiners."""
    names = value if isinstance(value, list) else _NAME_JOIN_RE.split(value)
    return {squash(unicodedata.normalize("NFC", n)) for n in names if squash(n)}


def segment_counts(text: str, row: dict[str, Any]) -> tuple[int, int, int]:
    """``(tp, fp, fn)`` of one trafilatura-dev page (whitespace squashed and Unicode
    NFC on both sides, as for titles: the record keeps the page's code points,
    trafilatura rewrites its output to NFC, the annotations are NFC)."""
    text = _nfc(squash(text))
    found = [_nfc(squash(s)) in text for s in row.get("with") or []]
    tp = sum(found)
    fp = sum(_nfc(squash(s)) in text for s in row.get("without") or [])
    return tp, fp, len(found) - tp


def snippet_title_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return bool(got.title) and _nfc(squash(got.title)) == _nfc(squash(row["title"]))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def snippet_date_ok(got: Extraction, row: dict[str, Any]) -> bool:
    return bool(got.published) and got.published[:10] == row["date"][:10]


def _name_keys(value: str | list[str], *, case: bool) -> set[str]:
    names = {_agency_name(name) for name in name_set(value)}
    return names if case else {name.casefold() for name in names}


def snippet_authors_ok(got: Extraction, row: dict[str, Any], *, case: bool = False) -> bool:
    """Casefolded sets, as on fundus-dev (``case``: letter case counts too): a name is
    one person however the page's style sheet sets it ("PRASHANT JHA" on screen for
    the "Prashant Jha" of the markup, which is what the record keeps)."""
    return _name_keys(got.authors, case=case) == _name_keys(row["author"], case=case)


def snippet_authors_credit_ok(got: Extraction, row: dict[str, Any], *, case: bool = False) -> bool:
    return snippet_authors_ok(got, row, case=case) or snippet_authors_ok(
        Extraction(authors=credited(got)), row, case=case
    )


# -- the run ---------------------------------------------------------------


@dataclass
class Column:
    """One side's per-page outcomes on one corpus."""

    body: list[PageScore] = field(default_factory=list)
    segments: list[tuple[int, int, int]] = field(default_factory=list)
    checks: dict[str, list[bool]] = field(default_factory=dict)
    refused: int = 0

    def check(self, name: str, ok: bool) -> None:
        self.checks.setdefault(name, []).append(ok)


def _mean(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def _segment_prf(counts: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _run(pages: list[Page], score: Callable[[Column, Extraction, Page], None],
         verbose: Callable[[Page, dict[str, Extraction]], str] | None = None) -> dict[str, Column]:
    """Every side on every page; ``score`` records one side's outcome.

    Speed is :mod:`benchmarks.bench_parsers`' job, not timed here."""
    columns = {side: Column() for side in SIDES}
    for page in pages:
        got: dict[str, Extraction] = {}
        for side, extract in EXTRACTORS.items():
            got[side] = extract(page)
            columns[side].refused += got[side].error is not None
            score(columns[side], got[side], page)
        if verbose is not None:
            line = verbose(page, got)
            if line:
                print(line)
    return columns


def _score_aeb(column: Column, got: Extraction, page: Page) -> None:
    column.body.append(score_page(got.body, page.expected.get("articleBody") or ""))


def _score_fundus(column: Column, got: Extraction, page: Page) -> None:
    column.check("title", title_ok(got, page.expected))
    column.check("date", date_ok(got, page.expected))
    column.check("authors", authors_ok(got, page.expected))
    column.check("authors+credits", authors_credit_ok(got, page.expected))


def _score_snippets(column: Column, got: Extraction, page: Page) -> None:
    row = page.expected
    column.segments.append(segment_counts(got.body, row))
    if row.get("title"):
        column.check("title", snippet_title_ok(got, row))
    if row.get("date"):
        column.check("date", snippet_date_ok(got, row))
    if row.get("author"):
        column.check("authors", snippet_authors_ok(got, row))
        column.check("authors+credits", snippet_authors_credit_ok(got, row))
        column.check("authors+credits, case kept", snippet_authors_credit_ok(got, row, case=True))
    elif row.get("author") == "":
        # annotated as naming no author: naming someone there is a false author
        column.check("no author, none named", not got.authors)


def _score_yonhap(column: Column, got: Extraction, page: Page) -> None:
    column.check("parsed", bool(got.body))


def _miss_line(corpus: str, page: Page, got: Extraction, expected: dict[str, Any]) -> str:
    """One verbose line for our (table off) misses on a metadata page."""
    parts = []
    for name, want in expected.items():
        have = {"title": got.title, "date": got.published, "authors": got.authors}[name]
        parts.append(f"{name} {have!r} != {want!r}")
    return f"{corpus} {page.id[:40]:40} " + "; ".join(parts) if parts else ""


def _verbose_fundus(page: Page, got: dict[str, Extraction]) -> str:
    mine, row = got["ours"], page.expected
    misses = {}
    if not title_ok(mine, row):
        misses["title"] = row.get("title")
    if not date_ok(mine, row):
        misses["date"] = row.get("publishing_date")
    if not authors_ok(mine, row):
        misses["authors"] = row.get("authors")
    return _miss_line("fundus", page, mine, misses)


def _verbose_snippets(page: Page, got: dict[str, Extraction]) -> str:
    mine, row = got["ours"], page.expected
    misses = {}
    if row.get("title") and not snippet_title_ok(mine, row):
        misses["title"] = row["title"]
    if row.get("date") and not snippet_date_ok(mine, row):
        misses["date"] = row["date"]
    if row.get("author") and not snippet_authors_ok(mine, row):
        misses["authors"] = row["author"]
    tp, fp, fn = segment_counts(mine.body, row)
    line = _miss_line("traf", page, mine, misses)
    if fp or fn:
        line = (line or f"traf {page.id[:40]:40}") + f" | segments fp={fp} fn={fn}"
    return line


def _verbose_aeb(page: Page, got: dict[str, Extraction]) -> str:
    m = score_page(got["ours"].body, page.expected.get("articleBody") or "")
    t = score_page(got["trafilatura"].body, page.expected.get("articleBody") or "")
    return (
        f"aeb {page.id[:12]} ours P={m.precision:.3f} R={m.recall:.3f} "
        f"traf P={t.precision:.3f} R={t.recall:.3f} {got['ours'].error or ''}"
    )


def _rows(corpus: str, columns: dict[str, Column]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    if any(c.body for c in columns.values()):
        scores = {side: aggregate(c.body) for side, c in columns.items()}
        for metric in ("precision", "recall", "f1"):
            label = "F1" if metric == "f1" else metric
            rows[f"{corpus} body {label}"] = {s: getattr(v, metric) for s, v in scores.items()}
    if any(c.segments for c in columns.values()):
        prf = {side: _segment_prf(c.segments) for side, c in columns.items()}
        for index, label in enumerate(("precision", "recall", "F1")):
            rows[f"{corpus} segment {label}"] = {s: v[index] for s, v in prf.items()}
    for name in columns["ours"].checks:
        rows[f"{corpus} {name}"] = {s: _mean(c.checks.get(name, [])) for s, c in columns.items()}
    return rows


def evaluate(
    aeb: list[Page],
    fundus: list[Page],
    verbose: bool = False,
    snippets: list[Page] | None = None,
    yonhap: list[Page] | None = None,
) -> dict[str, Any]:
    """Run every side over every set; return the table as a dict."""
    sets = (
        ("aeb-dev", aeb, _score_aeb, _verbose_aeb),
        ("fundus-dev", fundus, _score_fundus, _verbose_fundus),
        ("trafilatura-dev", snippets or [], _score_snippets, _verbose_snippets),
        ("yonhap-dev", yonhap or [], _score_yonhap, None),
    )
    rows: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    for corpus, pages, score, describe in sets:
        if not pages:
            continue
        columns = _run(pages, score, describe if verbose else None)
        rows.update(_rows(corpus, columns))
        counts[corpus] = {"pages": len(pages), "refused by ours": columns["ours"].refused}
        for name, values in columns["ours"].checks.items():
            counts[corpus][f"{name} pages"] = len(values)
    for values in rows.values():
        values["delta"] = values["ours"] - values["trafilatura"]
    return {"sets": counts, "metrics": rows}


def format_table(result: dict[str, Any]) -> str:
    header = (
        f"{'metric':34} {'ours':>8} {'ours+table':>11} {'trafilatura':>12} {'delta':>8}"
    )
    lines = [
        "ours = generic rules alone (publisher table off: unseen publishers);",
        "ours+table = development figure with parsers/publishers.py; delta = ours - trafilatura",
        header,
        "-" * len(header),
    ]
    for name, v in result["metrics"].items():
        table = v.get("ours+table", v["ours"])
        lines.append(
            f"{name:34} {v['ours']:8.4f} {table:11.4f} {v['trafilatura']:12.4f} {v['delta']:+8.4f}"
        )
    for corpus, info in result["sets"].items():
        lines.append(f"{corpus}: " + ", ".join(f"{k} {n}" for k, n in info.items()))
    lines += [
        "authors: the strict figure (the expected list, organisations included, against the",
        "record's people). authors+credits: the same, but the organisations the record",
        "credits (author_organisations: the publication or its desk; dateline.agency: a",
        "news agency; the record contract keeps both out of authors) count beside the people,",
        "so an expected list naming them can match. no author, none named: of the pages",
        "annotated as naming no author, the share where the side names no person either",
        "(its complement is the rate of false authors). Names compare casefolded;",
        "'case kept' counts letter case too (trafilatura-dev).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    cli.add_argument("--verbose", "-v", action="store_true", help="one line per miss")
    cli.add_argument("--out", type=Path, default=OUT_PATH, help="where to write the JSON table")
    cli.add_argument(
        "--sets", default="aeb,fundus,trafilatura,yonhap",
        help="comma-separated corpus folders to score (default: all)",
    )
    args = cli.parse_args(argv)
    root = corpus_dir()
    if root is None:
        print("eval skipped: no corpus at ../shared/corpus (set WIREDESK_CORPUS to point at one)")
        return 0
    wanted = set(args.sets.split(","))
    loaders = {
        "aeb": aeb_pages, "fundus": fundus_pages, "trafilatura": trafilatura_pages,
        "yonhap": lambda r, n: yonhap_pages(r)[:n],
    }
    pages = {name: load(root, args.limit) if name in wanted else [] for name, load in loaders.items()}
    if not any(pages.values()):
        print(f"eval skipped: {root} has none of the corpus folders")
        return 0
    warnings.filterwarnings("ignore")
    result = evaluate(
        pages["aeb"], pages["fundus"], verbose=args.verbose,
        snippets=pages["trafilatura"], yonhap=pages["yonhap"],
    )
    print(format_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
