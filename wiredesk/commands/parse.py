"""``wiredesk parse FILE``: one stored page in, its article record out (JSON on stdout).

Useful to check a parser on a page saved from a site or pulled from a WARC.
``.gz`` files are decompressed (up to the parser's size limit); ``.txt``
files and any content that is not HTML go to the flat-text parser.  A page
that cannot be parsed prints ``error: <reason>: <message>`` and exits 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import date, datetime
from pathlib import Path

EXIT_PARSE_ERROR = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse one saved page (.html, .html.gz, .txt) and print its record"
    )
    parser.add_argument("file", type=Path, help="the saved page")
    parser.add_argument("--url", default=None, help="the page's URL (chooses the site parser)")
    parser.add_argument("--source", default=None, help="source id, e.g. yonhap_en")
    parser.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=None,
        help="crawl day YYYY-MM-DD; completes datelines that print no year",
    )
    parser.add_argument(
        "--fetched-at",
        type=_timestamp,
        default=None,
        help="when the page was fetched (ISO 8601, e.g. 2025-03-12T07:00:00Z); picks the site "
        "parser version valid that day and is the default reference date",
    )
    parser.set_defaults(func=run)


def _timestamp(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from exc


def _read(path: Path, limit: int) -> bytes:
    """At most one byte over the crawl's size cap: enough for parse_page to say too_large,
    and bounded whatever the file is (``/dev/zero``, a gzip bomb, a FIFO)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return handle.read(limit + 1)


def run(args: argparse.Namespace) -> int:
    from parsers import ParseError, parse_page
    from parsers.decode import DEFAULT_MAX_BYTES

    try:
        content = _read(args.file, DEFAULT_MAX_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    # Flat dumps skip HTML detection: a dump may quote a tag or two.
    flat = args.file.name.endswith((".txt", ".txt.gz"))
    try:
        record = parse_page(
            content,
            url=args.url,
            source=args.source,
            reference_date=args.reference_date,
            fetched_at=args.fetched_at,
            flat_text=flat,
        )
    except ParseError as exc:
        print(f"error: {exc.reason}: {exc.message}", file=sys.stderr)
        return EXIT_PARSE_ERROR
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
