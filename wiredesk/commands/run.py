"""``wiredesk run``: one source for one day through the project-local Airflow.

Where ``wiredesk crawl`` calls the steps directly, this runs the source's real
DAG (``airflow dags test``), so what an operator sees in a task log is what
the schedule does.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from crawlers.sources import CRAWL_MODES
from wiredesk.commands import add_storage_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run a source's DAG for one day through local Airflow")
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    add_storage_option(parser)
    parser.add_argument("--sources", default=None, help="YAML file adding/overriding sources")
    parser.add_argument("--mode", choices=CRAWL_MODES, default="incremental",
                        help="discovery mode (the DAG's params.mode); backfill for days older than the feeds")
    parser.add_argument("--airflow-home", type=Path, default=Path("var/airflow"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wiredesk.local_airflow import LocalAirflow
    from wiredesk.report import print_partition_summary
    from wiredesk.settings import dag_id_for, sources_file_from_env, storage_url_from_env

    storage_url = args.storage or storage_url_from_env()
    overrides = {"WIREDESK_STORAGE_URL": storage_url}
    sources = args.sources or sources_file_from_env()
    if sources:
        overrides["WIREDESK_SOURCES"] = str(Path(sources).resolve())
    airflow = LocalAirflow(home=args.airflow_home.resolve(), env_overrides=overrides)
    dag_id = dag_id_for(args.source)
    result = airflow.dags_test(dag_id, args.date, {"mode": args.mode}, capture=False)
    if result.returncode != 0:
        print(f"error: DAG {dag_id} failed for {args.date} (exit {result.returncode})", file=sys.stderr)
        return 1
    # The summary reads the store as the DAG did: with the Airflow connection's credentials, if any.
    return print_partition_summary(storage_url, args.source, args.date, **airflow.storage_options())
