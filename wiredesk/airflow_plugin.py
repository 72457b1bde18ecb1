"""wiredesk's Airflow plugin: registers the news DAGs' timetable.

Airflow rebuilds a serialized DAG's custom timetable only from classes that a
plugin registers; without this, the scheduler and API server refuse the DAGs.
Found through the ``airflow.plugins`` entry point of the installed package, so
no file has to be copied into ``$AIRFLOW_HOME/plugins``.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from wiredesk.timetable import SourceDayTimetable


class WiredeskPlugin(AirflowPlugin):
    name = "wiredesk"
    timetables = [SourceDayTimetable]
