"""``wiredesk airflow-ui``: the Airflow UI on this machine, over this project's DAGs.

Runs ``airflow standalone`` in a project-local home (SQLite, our ``dags/``)
bound to 127.0.0.1, with the checkout's local wire site (``devsite/``, a
development package that the wheel does not ship) standing in for the real
sites unless ``--real-sites`` is given, so that an operator can trigger,
clear and backfill ``news_*`` DAGs and read their logs exactly as in
production. Stops everything it started on Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import ModuleType


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("airflow-ui", help="serve the Airflow UI locally over the news DAGs")
    add_arguments(parser)
    parser.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="UI port on 127.0.0.1 (default 8080)")
    parser.add_argument("--workdir", type=Path, default=Path("var/ui"), help="Airflow home, logs, sources")
    parser.add_argument("--storage", default=None, help="storage URL (default: file://<workdir>/store)")
    parser.add_argument("--real-sites", action="store_true",
                        help="crawl the real sites instead of the checkout's local wire site")


def run(args: argparse.Namespace) -> int:
    import contextlib

    from wiredesk.local_airflow import LocalAirflow, stop_process

    devsite = None
    if not args.real_sites:
        devsite = checkout_devsite()
        if devsite is None:
            print("error: the local wire site (devsite/) exists only in a wiredesk checkout; "
                  "run this from one, or pass --real-sites", file=sys.stderr)
            return 1
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    storage_url = args.storage or (workdir / "store").as_uri()
    overrides = {"WIREDESK_STORAGE_URL": storage_url}
    with contextlib.ExitStack() as stack:
        if devsite is not None:
            site = stack.enter_context(devsite.server.WireSite())
            sources = devsite.localsite.local_sources_file(site.base_urls, workdir / "sources.yaml")
            overrides["WIREDESK_SOURCES"] = str(sources)
            print(f"wire site      {', '.join(f'{k} {v}' for k, v in sorted(site.base_urls.items()))}")
        airflow = LocalAirflow(home=workdir / "airflow", env_overrides=overrides)
        log_file = workdir / "airflow-standalone.log"
        proc = airflow.standalone(args.port, log_file=log_file)
        stack.callback(stop_process, proc)
        print(f"airflow        http://127.0.0.1:{args.port}/  (no login: local only; log {log_file})")
        print(f"storage        {storage_url}")
        print("try           a DAG's Trigger button with date 2025-03-12; Ctrl-C stops everything")
        # SIGTERM (a service manager, `kill`) stops as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while proc.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            print("stopping ...")
            return 0
        print(f"error: airflow standalone exited with {proc.returncode}; see {log_file}")
        return 1
    return 0


def checkout_devsite() -> ModuleType | None:
    """The checkout's development package ``devsite`` (site server, sources helper), or None.

    Imported only here and only when asked for: an installed wheel has no
    ``devsite/`` beside its packages, and the product never needs it.
    """
    import importlib

    from wiredesk.local_airflow import REPO_ROOT

    if not (REPO_ROOT / "devsite" / "__init__.py").is_file():
        return None
    if str(REPO_ROOT) not in sys.path:
        sys.path.append(str(REPO_ROOT))
    importlib.import_module("devsite.server")
    importlib.import_module("devsite.localsite")
    return importlib.import_module("devsite")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


