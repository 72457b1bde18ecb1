"""The only place outside ``dags/`` that talks to Airflow.

Credentials for the object store come from an Airflow connection (type
``aws``: login = access key id, password = secret key, extra =
``{"endpoint_url", "region_name", "addressing_style", "sse", "sse_kms_key_id"}``),
so they are managed, masked and rotated the way operators already manage
Airflow secrets. Without a connection the standard boto3 credential chain applies.
"""

from __future__ import annotations

import logging
from typing import Any

from wiredesk.settings import s3_conn_id_from_env

log = logging.getLogger(__name__)

_EXTRA_OPTIONS = {
    "endpoint_url": "endpoint_url",
    "region_name": "region",
    "region": "region",
    "addressing_style": "addressing_style",
    "sse": "sse",
    "sse_kms_key_id": "sse_kms_key_id",
}


def storage_options_from_connection(conn_id: str | None = None) -> dict[str, Any]:
    """Map an Airflow connection to :func:`storage.open_store` keyword arguments."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    conn_id = conn_id or s3_conn_id_from_env()
    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        log.info("no Airflow connection %r: using the standard AWS credential chain", conn_id)
        return {}
    options: dict[str, Any] = {}
    if conn.login or conn.password:
        options["credentials"] = {
            "aws_access_key_id": conn.login,
            "aws_secret_access_key": conn.password,
        }
    extra = conn.extra_dejson or {}
    for key, option in _EXTRA_OPTIONS.items():
        if extra.get(key):
            options[option] = extra[key]
    log.info("object-store credentials from Airflow connection %r", conn_id)
    return options
