"""``wiredesk reparse SOURCE --from D1 --to D2``: rebuild published days from their raw pages.

Each day's archived WARC pages are parsed again with the current parsers and
the day is republished (a new run, ``reparse-…``, that replaces the partition
in one step); nothing is fetched. Days run in order, one summary line each.
The same work as the ``news_reparse`` DAG, in this process.
"""

from __future__ import annotations

import argparse
from datetime import date

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reparse", help="re-parse published days from their raw WARC pages and republish them"
    )
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, required=True,
                        help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=None,
                        help="last day, YYYY-MM-DD (default: the --from day)")
    add_storage_option(parser)
    parser.add_argument("--sources", default=None,
                        help="YAML file adding/overriding sources (default: $WIREDESK_SOURCES)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage
    from wiredesk.reparse import day_range, reparse_day, summary_line
    from wiredesk.settings import sources_file_from_env

    days = day_range(args.start, args.end or args.start)  # a reversed range: one line, nothing done
    sources = args.sources or sources_file_from_env()
    url = args.storage or storage.default_storage_url()
    with storage.open_store(url) as store:  # errors: one line from wiredesk.cli.main
        for day in days:
            manifest = reparse_day(store, args.source, day, sources_file=sources)
            print(summary_line(args.source, day, manifest), flush=True)
    return 0
