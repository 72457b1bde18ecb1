"""``wiredesk_maintenance``: weekly housekeeping of the store the source DAGs write.

One task, ``vacuum``: deletes the Delta table's Parquet files that no table
version of the retention (a week) uses; re-published days (retries with
changes, backfills, re-parses) leave their replaced files behind, and the
bucket would grow with every rewrite. Safe beside running publishes. This
file only wires the task; the storage stack is imported inside it.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from wiredesk import settings

DAG_ID = "wiredesk_maintenance"

DAG_DOC = """\
### Weekly housekeeping of the store

- **vacuum** deletes the files of the Delta table (`tables/articles_v1/`) that no table
  version of the last **retain_hours** (a week by default) uses: the rows a re-published
  day replaced, and files a publish killed mid-write left. Readers of `changes --since`
  an older version than that must re-read the table whole. **dry_run** lists the files
  and deletes nothing. The log ends with `vacuum: deleted N file(s) …`.

Safe beside running publishes and safe to repeat. Command line: `wiredesk vacuum`.
Store: `{storage}`.
"""


@dag(
    dag_id=DAG_ID,
    description="Weekly: delete the table files that no table version of the last week uses",
    schedule="@weekly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=settings.task_defaults(),
    tags=["wiredesk", "maintenance"],
    params={
        "retain_hours": Param(7 * 24, type="integer", minimum=1,
                              description="Keep the files any table version of this many hours uses."),
        "dry_run": Param(False, type="boolean", description="List the files, delete nothing."),
    },
    doc_md=DAG_DOC.format(storage=settings.storage_url_from_env()),
)
def wiredesk_maintenance():
    @task(doc_md="Delete the table files that no table version of the retention uses.")
    def vacuum() -> dict:
        from storage import open_store
        from storage.table import vacuum as vacuum_table
        from wiredesk.airflow_support import storage_options_from_connection

        params = get_current_context()["params"]
        hours, dry_run = int(params["retain_hours"]), bool(params["dry_run"])
        with open_store(settings.storage_url_from_env(), **storage_options_from_connection()) as store:
            files = vacuum_table(store, hours, dry_run=dry_run)
        for path in files:
            print(path, flush=True)
        verb = "would delete" if dry_run else "deleted"
        print(f"vacuum: {verb} {len(files)} file(s) that no table version of the last {hours} "
              "hour(s) uses", flush=True)
        return {"files": len(files), "dry_run": dry_run, "retain_hours": hours}

    vacuum()


wiredesk_maintenance()
