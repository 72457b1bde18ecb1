"""``wiredesk reindex SOURCE``: rebuild a source's versions index from its partitions.

The index (``state/source=S/versions/``) is derived data that publishing
keeps; this rebuilds any piece that is missing, e.g. after someone deleted
objects by hand. Version numbers live in the records and never change.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reindex", help="rebuild a source's versions index from its published partitions"
    )
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("--storage", default=None,
                        help="storage URL (default: $WIREDESK_STORAGE_URL, else file://<cwd>/var/store)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage
    from storage.errors import StorageError

    url = args.storage or storage.default_storage_url()
    try:
        with storage.open_store(url) as store:
            rebuilt = storage.rebuild_index(store, args.source)
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.source}: {rebuilt} day(s) re-indexed in {url}")
    return 0
