"""``wiredesk changes --since VERSION``: what the table gained or lost after a version.

Reads the Delta table's change data feed (``tables/articles_v1/``), one JSON
line per changed record with ``_change_type`` (``insert`` or ``delete``) and
``_commit_version``; the last line on stderr names the newest version, which
is the next ``--since``. A downstream job keeps that number between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "changes", help="records added or removed in the table after a table version"
    )
    parser.add_argument("--since", type=int, required=True,
                        help="table version already read (-1 for everything)")
    parser.add_argument("--source", default=None, help="only this source")
    add_storage_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage
    from storage.table import changes

    url = args.storage or storage.default_storage_url()
    with storage.open_store(url) as store:  # errors: one line from wiredesk.cli.main
        rows, latest = changes(store, args.since, args.source)
    try:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
    except BrokenPipeError:
        return 0
    print(f"{len(rows)} change(s) after version {args.since}; the table is at version {latest}",
          file=sys.stderr)
    return 0


def _plain(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
