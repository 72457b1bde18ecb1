"""The news DAGs' schedule: one run per day D of a source, named after the source and D.

Airflow names runs after the moment they were created (``scheduled__2025-03-11T15:00:00+00:00``
for the Seoul day 2025-03-12), which in the grid reads as the wrong day and names no source.
Every way of starting a run (the scheduler, a backfill, the UI's trigger form, ``airflow dags
trigger``) asks the DAG's timetable for the run id, so a timetable is the one place that can
name them all ``<type>__<source>__<D>``. Custom timetables must be registered through a plugin
(:mod:`wiredesk.airflow_plugin`, found through the package's ``airflow.plugins`` entry point)
so that the scheduler, the DAG processor and the API server can rebuild it from the serialized
DAG.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from airflow.timetables.base import DataInterval
from airflow.timetables.interval import CronDataIntervalTimetable

from wiredesk.settings import run_id_for

_DAILY = "0 0 * * *"


class SourceDayTimetable(CronDataIntervalTimetable):
    """Daily data intervals ``[D 00:00, D+1 00:00)`` in the source's zone; run ids name source and D."""

    def __init__(self, source: str, timezone: Any) -> None:
        super().__init__(_DAILY, timezone)
        self.source = source

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> SourceDayTimetable:
        return cls(data["source"], data["timezone"])

    def serialize(self) -> dict[str, Any]:
        return {**super().serialize(), "source": self.source}

    @property
    def expression(self) -> str:
        return self._expression

    @property
    def timezone(self):
        """The source's zone (DAG Details and the grid show the DAG's dates in it)."""
        return self._timezone

    @property
    def summary(self) -> str:
        return f"daily, midnight {self._timezone.name}"

    def day_of(self, run_after: datetime, data_interval: DataInterval | None, scheduled: bool) -> date:
        """The day a run covers, by the rule that :func:`wiredesk.run.resolve_day` applies in the task.

        A scheduled or backfill run covers its data interval's day; a manual run whose logical date
        (``run_after`` when one was given) is a midnight in the source's zone covers that day, and
        any other manual run the last complete day before it (its inferred interval).
        """
        local_after = run_after.astimezone(self._timezone)
        if scheduled and data_interval is not None:
            return data_interval.start.astimezone(self._timezone).date()
        if local_after.time() == datetime.min.time():
            return local_after.date()
        if data_interval is not None:
            return data_interval.start.astimezone(self._timezone).date()
        return local_after.date() - timedelta(days=1)

    def generate_run_id(self, *, run_type, run_after, data_interval, **extra) -> str:
        """``scheduled__<source>__<D>``; other runs add their creation time (several runs of one day)."""
        kind = getattr(run_type, "value", str(run_type))
        scheduled = kind in ("scheduled", "backfill")
        day = self.day_of(run_after, data_interval, scheduled)
        if kind == "scheduled":
            # One scheduled run per interval: the id is the day's, stable across scheduler restarts.
            return f"scheduled__{self.source}__{day.isoformat()}"
        return run_id_for(self.source, day, kind, datetime.now(UTC))
