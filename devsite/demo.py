"""``make demo`` (``python -m devsite.demo``): the main job on embedded defaults, end to end, on this machine.

Starts the local wire site on 127.0.0.1, points the Yonhap source at it,
runs the ``news_yonhap`` DAG for one day through a project-local Airflow
(SQLite, ``airflow dags test``), publishes into a local folder store and
prints where the articles landed. Runs from the checkout only: it needs the
repository's ``dags/`` and this development package, neither of which ships
in the wheel.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

#: The wire site's newest day; its feed carries that day's stories.
DEMO_DAY = date(2025, 3, 12)
DEMO_SOURCE = "yonhap_en"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devsite.demo",
        description="Run the Yonhap DAG against the local wire site and print where the articles landed.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--date", type=date.fromisoformat, default=DEMO_DAY, help="day (YYYY-MM-DD)")
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"), help="Airflow home, logs")
    parser.add_argument("--storage", default=None, help="storage URL (default: file://<workdir>/store)")
    return parser


def run(args: argparse.Namespace) -> int:
    from devsite.localsite import local_sources_file
    from devsite.server import WireSite
    from wiredesk.local_airflow import LocalAirflow
    from wiredesk.report import print_partition_summary
    from wiredesk.settings import dag_id_for

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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
