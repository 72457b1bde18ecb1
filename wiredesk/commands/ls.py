"""``wiredesk ls``: the complete partitions in a store, one line each.

Only partitions with a manifest are listed, exactly what downstream readers
see; the counts come from the manifest.
"""

from __future__ import annotations

import argparse
import sys

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ls", help="list published partitions (those with a manifest)")
    add_storage_option(parser)
    parser.add_argument("--source", default=None, help="only this source id")
    parser.set_defaults(func=run)


def _total(value: object) -> int:
    return sum(value.values()) if isinstance(value, dict) else int(value or 0)


def run(args: argparse.Namespace) -> int:
    import storage

    url = args.storage or storage.default_storage_url()
    partitions = storage.list_partitions(url, source=args.source)  # errors: wiredesk.cli.main
    header = ("SOURCE", "DATE", "RECORDS", "PUBLISHED", "DUPLICATE", "QUARANTINED", "RUN")
    rows = [header] + [
        (
            p.source, p.date, str(p.records), str(_total(p.counts.get("published"))),
            str(_total(p.counts.get("duplicate"))), str(_total(p.counts.get("quarantined"))),
            p.run_id,
        )
        for p in partitions
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    if not partitions:
        print(f"(no complete partitions in {storage.open_store(url).describe()})", file=sys.stderr)
    return 0
