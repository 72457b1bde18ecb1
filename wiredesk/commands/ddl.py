"""``wiredesk ddl --bucket-url s3://bucket/prefix``: the Athena / Glue tables for a bucket.

Prints two ``CREATE EXTERNAL TABLE`` statements (see :mod:`storage.ddl`): one over
the JSON Lines partitions, its columns from the record's JSON Schema and its
projected ``source`` values from the source registry (built-in sources plus
``--sources`` or ``$WIREDESK_SOURCES``; ``--source-ids`` instead names them, which
needs no crawler packages, e.g. in a ``wiredesk[read]`` install), and Athena's native
Delta Lake table over ``tables/articles_v1/``. Run it again after adding a source.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ddl", help="print the Athena/Glue CREATE TABLE statements for a bucket"
    )
    parser.add_argument("--bucket-url", required=True, metavar="S3_URL",
                        help="the store's root, s3://bucket/prefix")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sources", default=None,
                       help="YAML file adding/overriding sources (default: $WIREDESK_SOURCES)")
    which.add_argument("--source-ids", default=None, metavar="ID,ID,...",
                       help="the projected source ids, instead of reading the source registry")
    parser.add_argument("--table", default="wiredesk_articles_v1",
                        help="table name (default: wiredesk_articles_v1; the Delta table adds _delta)")
    parser.add_argument("--first-day", default="2024-01-01", metavar="YYYY-MM-DD",
                        help="first day of the projected date range (default: 2024-01-01)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storage.ddl import athena_ddl

    if args.source_ids is not None:
        sources = [s.strip() for s in args.source_ids.split(",") if s.strip()]
    else:
        try:
            from crawlers.sources import load_sources
        except ModuleNotFoundError as exc:  # a light install ('wiredesk[read]')
            print(f"error: reading the source registry needs the pipeline's packages ({exc.name} is "
                  "not installed): pass --source-ids, or pip install 'wiredesk[pipeline]'", file=sys.stderr)
            return 1
        sources = list(load_sources(args.sources))  # errors: one line from wiredesk.cli.main
    print(athena_ddl(args.bucket_url, sources, table=args.table, first_day=args.first_day), end="")
    return 0
