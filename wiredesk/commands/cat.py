"""``wiredesk cat SOURCE DATE``: one partition's records as JSON Lines on stdout.

Reads through the manifest like any downstream reader, so a half-written or
superseded part is never printed.
"""

from __future__ import annotations

import argparse
import json
import sys

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cat", help="print a partition's records as JSON Lines")
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("date", help="partition day, YYYY-MM-DD")
    add_storage_option(parser)
    parser.add_argument("--verify", action="store_true", help="check each part's sha256")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage

    url = args.storage or storage.default_storage_url()
    try:
        store = storage.open_store(url)
        if storage.read_manifest(store, args.source, args.date) is None:
            print(f"error: no complete partition {args.source} {args.date} in {store.describe()}",
                  file=sys.stderr)
            return 1
        for record in storage.read_articles(store, source=args.source, start=args.date,
                                            end=args.date, verify=args.verify):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    except BrokenPipeError:  # `wiredesk cat ... | head`
        return 0
    return 0
