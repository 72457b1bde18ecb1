"""``wiredesk sources``: list the configured news sources as a table."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sources", help="list the configured news sources")
    parser.add_argument("--sources", default=None, help="YAML file adding/overriding sources")
    parser.add_argument("--check", metavar="FILE", default=None,
                        help="validate a sources file and print what it changes; exit 1 if invalid")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawlers.sources import describe_overrides, load_sources

    if args.check:
        try:
            lines = describe_overrides(args.check)
        except (OSError, ValueError) as exc:
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 1
        print(f"{args.check}: valid")
        for line in lines:
            print(f"  {line}")
        return 0
    try:
        specs = load_sources(args.sources)
    except (OSError, ValueError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    rows = [("ID", "NAME", "LANG", "TIMEZONE", "DOMAINS", "FEEDS", "SITEMAPS", "LISTINGS", "DELAY")]
    for spec in specs.values():
        rows.append((
            spec.id, spec.name, spec.language, spec.timezone, ",".join(spec.allowed_domains),
            str(len(spec.feeds)), str(len(spec.sitemaps)), str(len(spec.listings)),
            f"{spec.politeness.download_delay:g}s",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0
