"""``wiredesk vacuum``: delete the table's files that no recent version uses.

Each re-published day rewrites its rows in ``tables/articles_v1/``; the
replaced Parquet files stay for time travel and ``changes`` readers until a
vacuum removes those older than the retention (a week by default). Run it
weekly, or after a reparse; ``--dry-run`` lists what it would delete.
"""

from __future__ import annotations

import argparse
import sys

from wiredesk.commands import add_storage_option

#: storage.table.RETAIN_HOURS, repeated so that ``--help`` needs no table packages
RETAIN_HOURS = 7 * 24


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "vacuum", help="delete table files that no table version of the last week uses"
    )
    parser.add_argument(
        "--retain-hours", type=_hours, default=RETAIN_HOURS,
        help=f"keep files any version of this many hours uses (default {RETAIN_HOURS}; less "
             "means a 'changes' reader that last read an older version cannot catch up)",
    )
    parser.add_argument("--dry-run", action="store_true", help="list the files, delete nothing")
    add_storage_option(parser)
    parser.set_defaults(func=run)


def _hours(text: str) -> int:
    """At least one hour: a file a running publish has written but not yet committed is
    minutes old and listed by no table version; a shorter retention would delete it."""
    hours = int(text)
    if hours < 1:
        raise argparse.ArgumentTypeError("at least 1 hour (a running publish's new files are younger)")
    return hours


def run(args: argparse.Namespace) -> int:
    import storage
    from storage.table import vacuum

    url = args.storage or storage.default_storage_url()
    with storage.open_store(url) as store:  # errors: one line from wiredesk.cli.main
        files = vacuum(store, args.retain_hours, dry_run=args.dry_run)
    for path in files:
        print(path)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {len(files)} file(s) that no table version of the last {args.retain_hours} "
          "hour(s) uses", file=sys.stderr)
    return 0
