"""``wiredesk crawl``: crawl one source for one day, stage it, and publish it.

The same steps the Airflow DAG runs (:func:`wiredesk.run.crawl_step`,
:func:`wiredesk.run.validate_step` with the source's quality gates,
:func:`wiredesk.run.publish_step`), called directly: handy for a first try,
a backfill from a shell, or a debugging session.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from crawlers.sources import CRAWL_MODES
from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl one source for one day, then publish the partition"
    )
    parser.add_argument("source", help="source id (see 'wiredesk sources') or a feed/sitemap URL")
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--sources", default=None, help="YAML file adding/overriding sources")
    add_storage_option(parser)
    parser.add_argument("--mode", choices=CRAWL_MODES, default="incremental",
                        help="incremental: feeds+sitemaps; backfill: listing pages; all: both")
    parser.add_argument("--no-publish", action="store_true",
                        help="stop after staging the run (publish later with 'wiredesk publish')")
    parser.add_argument("--no-gates", action="store_true",
                        help="publish even if a quality gate fails (the DAG's validate step)")
    parser.add_argument("--run-id", default=None, help="run id (default: UTC time + random hex)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawlers.runner import CrawlError
    from wiredesk.run import RunError, crawl_step, format_counts, publish_step, validate_step
    from wiredesk.settings import storage_url_from_env

    storage_url = args.storage or storage_url_from_env()
    try:
        crawled = crawl_step(
            args.source,
            args.date,
            storage_url=storage_url,
            sources_file=args.sources,
            mode=args.mode,
            run_id=args.run_id,
        )
    except RunError as exc:  # several lines of evidence and advice: one line here
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except CrawlError as exc:  # the crawl's own log is above; its first line says what failed
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"crawled        {crawled['source']} {crawled['date']} (run {crawled['run_id']})")
    print(f"counts         {format_counts(crawled['counts'])}")
    print(f"staged         {storage_url.rstrip('/')}/{crawled['staging']}")
    print(f"raw pages      {storage_url.rstrip('/')}/{crawled['raw']}")
    if args.no_publish:
        print(f"publish with   wiredesk publish {crawled['source']} --date {crawled['date']} "
              f"--run-id {crawled['run_id']} --storage {storage_url}")
        return 0
    if not args.no_gates:
        try:
            checked = validate_step(crawled, storage_url=storage_url, sources_file=args.sources)
        except RunError as exc:  # gate, value, limit: the first line says it all
            print(f"error: {str(exc).splitlines()[0]} (the run stays staged; 'wiredesk publish "
                  f"{crawled['source']} --date {crawled['date']} --run-id {crawled['run_id']} --storage "
                  f"{storage_url}' publishes it anyway)", file=sys.stderr)
            return 1
        print("gates          " + ", ".join(
            f"{g['gate']} {'skipped' if g.get('skipped') else 'passed'}" for g in checked["gates"]))
    publish_step(crawled, storage_url=storage_url)
    from wiredesk.report import print_partition_summary

    return print_partition_summary(storage_url, crawled["source"], args.date)
