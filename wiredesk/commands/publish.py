"""``wiredesk publish SOURCE --date D --run-id R``: publish a staged crawl run.

The same call the Airflow publish task makes; useful to repair a day whose
publish failed after its crawl was staged.
"""

from __future__ import annotations

import argparse
import json
import sys

from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish", help="publish a staged crawl run as the day's partition"
    )
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("--date", required=True, help="partition day, YYYY-MM-DD")
    parser.add_argument("--run-id", required=True, help="the staged run's id")
    parser.add_argument("--force", action="store_true",
                        help="publish even if the day holds a newer crawl (default: leave it)")
    add_storage_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import storage

    url = args.storage or storage.default_storage_url()
    with storage.open_store(url) as store:  # errors: one line from wiredesk.cli.main
        manifest = storage.publish_run(store, args.source, args.date, args.run_id,
                                       force=args.force)
    if manifest["run_id"] != args.run_id:
        print(f"nothing published: {args.source} {args.date} holds run {manifest['run_id']}, "
              f"a newer crawl than {args.run_id} (--force to replace it)", file=sys.stderr)
    print(json.dumps({"counts": manifest["counts"], "parts": len(manifest["parts"]),
                      "records": manifest["records"], "run_id": manifest["run_id"],
                      "commit_id": manifest.get("commit_id")}, indent=2))
    return 0
