"""``wiredesk demo``: the main job on embedded defaults, end to end, on this machine.

Starts the bundled wire site on 127.0.0.1, points the Yonhap source at it,
runs the ``news_yonhap`` DAG for one day through a project-local Airflow
(SQLite, ``airflow dags test``), publishes into a local folder store and
prints where the articles landed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

#: The bundled site's newest day; its feed carries that day's stories.
DEMO_DAY = date(2025, 3, 12)
DEMO_SOURCE = "yonhap_en"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the Yonhap DAG against the bundled wire site")
    parser.add_argument("--date", type=date.fromisoformat, default=DEMO_DAY, help="day (YYYY-MM-DD)")
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"), help="Airflow home, logs")
    parser.add_argument("--storage", default=None, help="storage URL (default: file://<workdir>/store)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wiredesk.local_airflow import LocalAirflow
    from wiredesk.localsite import local_sources_file
    from wiredesk.report import print_partition_summary
    from wiredesk.settings import dag_id_for
    from wiredesk.wiresite.server import WireSite

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    storage_url = args.storage or (workdir / "store").as_uri()
    dag_id = dag_id_for(DEMO_SOURCE)

    with WireSite() as site:
        print(f"wire site      {site.base_url} (bundled, 127.0.0.1 only)")
        sources = local_sources_file(site.base_urls, workdir / "sources.yaml")
        airflow = LocalAirflow(
            home=workdir / "airflow",
            env_overrides={"WIREDESK_STORAGE_URL": storage_url, "WIREDESK_SOURCES": str(sources)},
        )
        print(f"airflow        {airflow.home} (SQLite); running DAG {dag_id} for {args.date} ...")
        result = airflow.dags_test(dag_id, args.date)
    log_file = workdir / "airflow-dags-test.log"
    log_file.write_text(result.stdout + result.stderr)
    if result.returncode != 0:  # `airflow dags test` exits 1 when any task fails
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        print(f"{tail}\n\nerror: DAG {dag_id} failed for {args.date}; full log: {log_file}", file=sys.stderr)
        return 1
    print(f"airflow log    {log_file}")
    return print_partition_summary(storage_url, DEMO_SOURCE, args.date)
