"""``wiredesk reindex SOURCE``: rebuild a source's versions index from its partitions.

The index (``state/source=S/versions/``) is derived data that publishing
keeps; this rebuilds any piece that is missing, e.g. after someone deleted
objects by hand. Version numbers live in the records and never change.
"""

from __future__ import annotations

import argparse

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reindex", help="rebuild a source's versions index from its published partitions"
    )
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    add_storage_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage

    url = args.storage or storage.default_storage_url()
    with storage.open_store(url) as store:  # errors: one line from wiredesk.cli.main
        rebuilt = storage.rebuild_index(store, args.source)
    print(f"{args.source}: {rebuilt} day(s) re-indexed in {url}")
    return 0
