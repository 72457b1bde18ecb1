"""``wiredesk trigger``: create the DAG run for one day (or several), as a day.

The run gets logical date D 00:00 in the source's zone, the run id
``manual__<source>__<D>__<time>`` and ``params.date`` = D, so the grid, the run
details, the task logs and the Asset event all show D. By default the run is
created in the project-local Airflow home (``wiredesk airflow-ui``'s, whose
scheduler runs it); ``--print`` prints the ``airflow dags trigger`` command(s)
for a real deployment instead, to run where the Airflow CLI is configured.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from datetime import date, timedelta
from pathlib import Path

from crawlers.sources import CRAWL_MODES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trigger", help="create the DAG run of a source for a day (or print the command)")
    parser.add_argument("source", help="source id, e.g. yonhap_en")
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="the day D, YYYY-MM-DD")
    parser.add_argument("--to", type=date.fromisoformat, default=None,
                        help="last day (YYYY-MM-DD): one run per day from --date to --to")
    parser.add_argument("--mode", choices=CRAWL_MODES, default=None, help="discovery mode (the DAG's params.mode)")
    parser.add_argument("--sources", default=None, help="YAML file adding/overriding sources")
    parser.add_argument("--airflow-home", type=Path, default=Path("var/ui/airflow"),
                        help="local Airflow home (default: wiredesk airflow-ui's, var/ui/airflow)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the airflow dags trigger command(s) for a real deployment; create nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wiredesk.local_airflow import LocalAirflow
    from wiredesk.settings import dag_id_for, sources_file_from_env

    last = args.to or args.date
    if last < args.date:
        print(f"error: --to {last} is before --date {args.date}", file=sys.stderr)
        return 2
    overrides = {}
    sources = args.sources or sources_file_from_env()
    if sources:
        overrides["WIREDESK_SOURCES"] = str(Path(sources).resolve())
    airflow = LocalAirflow(home=args.airflow_home.resolve(), env_overrides=overrides)
    dag_id = dag_id_for(args.source)
    conf = {"mode": args.mode} if args.mode else {}
    days = [args.date + timedelta(days=n) for n in range((last - args.date).days + 1)]
    for day in days:
        if args.print_only:
            print(shlex.join(airflow.trigger_command(dag_id, day, conf)))
            continue
        result = airflow.trigger(dag_id, day, conf)
        if result.returncode != 0:
            if "logical_date" in result.stderr and ("UNIQUE" in result.stderr or "unique" in result.stderr):
                # Airflow keeps one run per logical date: a day runs again by clearing its run.
                print(f"error: {dag_id} already has a run for {day} (one run per day); run the day again by "
                      f"clearing it: airflow tasks clear {dag_id} --start-date {day} --end-date {day} --yes",
                      file=sys.stderr)
                return 1
            print(f"error: could not trigger {dag_id} for {day}: {result.stderr.strip()[-800:]}", file=sys.stderr)
            return 1
        created = _created(result.stdout)
        print(f"triggered      {dag_id} {day}: run {created.get('run_id') or created.get('dag_run_id', '?')}, "
              f"logical date {created.get('logical_date', '?')}")
    if not args.print_only:
        print(f"runs queued in {airflow.home}; its scheduler runs them (make up, wiredesk airflow-ui), "
              "a paused DAG keeps them queued")
    return 0


def _created(stdout: str) -> dict:
    for line in reversed(stdout.splitlines()):
        if line.startswith("["):
            try:
                rows = json.loads(line)
            except json.JSONDecodeError:
                continue
            return rows[0] if rows else {}
    return {}
