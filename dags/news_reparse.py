"""``news_reparse``: re-parse published days of one source from their raw WARC pages.

A manual DAG (no schedule): trigger it with ``{"source": S, "from": D1, "to": D2}``.
``days`` lists the days, then ``reparse`` runs once per day (dynamic task
mapping), so the days spread over the workers. Each mapped task parses the
day's archived pages again with the current parsers and republishes the day
(:func:`wiredesk.reparse.reparse_day`); nothing is fetched. ``report`` logs
one line per day. This file only wires tasks; every import of the crawl,
parse or storage stack happens inside a task.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from crawlers.sources import load_sources
from wiredesk import settings

DAG_ID = "news_reparse"

DAG_DOC = """\
### Re-parse days from their raw pages

Rebuilds the published days **from** … **to** (both included) of one **source**
from the WARC files their crawl archived, with the parsers as they are now, and
republishes each day: use it after a parser fix or a parser version change.
**Nothing is fetched**: no request reaches the site.

- **days** lists the days of the range (fails on a reversed or malformed range).
- **reparse** runs once per day (one mapped task each, named by its day): reads
  the day's manifest, its ledger and its WARC files, parses every fetched page again
  and publishes the result as a new run `reparse-<UTC time>-<hex>`, which replaces
  the day's partition in one step. Filtered and fetch-failed URLs keep their outcome;
  counts still add up: `discovered = filtered + duplicate + fetch_failed + quarantined + published`.
  Fails, publishing nothing, when the day has no partition or its raw pages are missing.
- **report** logs one `reparse S D: run R: discovered=… published=…` line per day.

Safe to repeat: re-parsing a day twice gives the same records. A re-parse ranks just
after the crawl whose pages it parsed: a crawl of the day that finished later (the
source's own DAG), even one publishing while the re-parse runs, holds the day over it
(the task logs `… a crawl newer than the pages re-parsed … holds the day`; if that crawl
removed the files being read, the task fails saying so and its retry re-parses the new
crawl).
Command line: `wiredesk reparse S --from D1 --to D2`. Store: `{storage}`.
"""


def _sources() -> list[str]:
    """Source ids of the registry, with ``$WIREDESK_SOURCES`` applied (cheap: YAML, no Scrapy)."""
    return sorted(load_sources())


@dag(
    dag_id=DAG_ID,
    description="Re-parse a source's published days from their raw WARC pages and republish them",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args=settings.task_defaults(),
    tags=["wiredesk", "reparse"],
    params={
        "source": Param(None, type=["null", "string"], enum=[None, *_sources()],
                        description="Source id whose days to re-parse."),
        "from": Param(None, type=["null", "string"], format="date",
                      description="First day to re-parse, YYYY-MM-DD."),
        "to": Param(None, type=["null", "string"], format="date",
                    description="Last day to re-parse, YYYY-MM-DD (empty: the first day only)."),
    },
    doc_md=DAG_DOC.format(storage=settings.storage_url_from_env()),
)
def news_reparse():
    @task(doc_md="The days of the range, each one `reparse` task.")
    def days() -> list[str]:
        from wiredesk.reparse import day_range

        params = get_current_context()["params"]
        if not params.get("source") or not params.get("from"):
            raise ValueError('news_reparse needs params "source" and "from" (and "to"), e.g. '
                             '{"source": "yonhap_en", "from": "2025-03-11", "to": "2025-03-12"}')
        return day_range(params["from"], params.get("to") or params["from"])

    @task(map_index_template="{{ reparse_day }}",
          doc_md="Re-parse one day from its WARC pages and republish it; nothing is fetched.")
    def reparse(day: str) -> dict:
        from storage import open_store
        from wiredesk.reparse import reparse_day, summary_line
        from wiredesk.run import summarize

        context = get_current_context()
        context["reparse_day"] = day  # the mapped task's name in the grid
        source = context["params"]["source"]
        with open_store(settings.storage_url_from_env(), **_storage_options()) as store:
            manifest = reparse_day(store, source, day, sources_file=settings.sources_file_from_env())
        line = summary_line(source, day, manifest)
        print(line, flush=True)
        return {**summarize(manifest), "line": line}

    @task(doc_md="One line per re-parsed day.")
    def report(results: list) -> list:
        lines = [result["line"] for result in results]
        for line in lines:
            print(line, flush=True)
        return lines

    report(reparse.expand(day=days()))


def _storage_options() -> dict:
    """Object-store credentials from the Airflow connection, if one is configured."""
    from wiredesk.airflow_support import storage_options_from_connection

    return storage_options_from_connection()


news_reparse()
