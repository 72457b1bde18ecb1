"""Process-wide defaults read from the environment, in one place.

Environment variables (all optional):

``WIREDESK_STORAGE_URL``  where runs publish: ``file:///abs/path`` or ``s3://bucket/prefix``
                          (default: ``file://<cwd>/var/store``)
``WIREDESK_SOURCES``      a YAML file adding or overriding sources
``WIREDESK_S3_CONN_ID``   Airflow connection holding S3 credentials (default ``wiredesk_s3``)
``WIREDESK_TASK_RETRIES`` retries of each DAG task (default 2; local runs set 0)
"""

from __future__ import annotations

import os
from pathlib import Path

#: DAG ids that differ from ``news_<source id>``: the flagship English Yonhap
#: source keeps the short id that operators know it by.
DAG_IDS = {"yonhap_en": "news_yonhap"}


def dag_id_for(source_id: str) -> str:
    return DAG_IDS.get(source_id, f"news_{source_id}")


def storage_url_from_env() -> str:
    """The same rule as :func:`storage.default_storage_url`, without importing ``storage``.

    DAG files call this at parse time, where loading the storage package (its
    schema validators) would slow every scheduler parse; a test keeps the two equal.
    """
    return os.environ.get("WIREDESK_STORAGE_URL") or (Path.cwd() / "var" / "store").resolve().as_uri()


def sources_file_from_env() -> str | None:
    return os.environ.get("WIREDESK_SOURCES") or None


def s3_conn_id_from_env() -> str:
    return os.environ.get("WIREDESK_S3_CONN_ID") or "wiredesk_s3"


def task_retries_from_env() -> int:
    """Retries of each DAG task; ``airflow dags test`` waits out retry delays, so local runs set 0."""
    return int(os.environ.get("WIREDESK_TASK_RETRIES") or 2)
