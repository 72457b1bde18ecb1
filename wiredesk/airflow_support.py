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


# -- alerts ------------------------------------------------------------------------------

try:  # the DAG file imports this at parse time; Airflow is always there when it does
    from airflow.sdk import BaseNotifier
except ImportError:  # pragma: no cover - a light install without Airflow
    BaseNotifier = object  # type: ignore[assignment,misc]

ALERT_LOGGER = "wiredesk.alert"


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def alert_message(context: Any, kind: str = "failure", source: str | None = None,
                  timezone: str | None = None, hours: float | None = None) -> tuple[str, dict]:
    """One line an operator can act on, and the same as a JSON-able payload."""
    dag_run = _get(context, "dag_run")
    ti = _get(context, "ti") or _get(context, "task_instance")
    params = _get(context, "params") or {}
    dag_id = _get(dag_run, "dag_id") or _get(ti, "dag_id") or _get(_get(context, "dag"), "dag_id")
    run_id = _get(dag_run, "run_id") or _get(ti, "run_id")
    logical = _get(dag_run, "logical_date") or _get(context, "logical_date")
    day = (params.get("date") if hasattr(params, "get") else None) or None
    if day is None and logical is not None and timezone:
        import pendulum

        day = pendulum.instance(logical).in_timezone(timezone).date().isoformat() if not isinstance(
            logical, str) else pendulum.parse(logical).in_timezone(timezone).date().isoformat()
    payload = {"kind": kind, "source": source, "dag_id": dag_id, "run_id": run_id,
               "day": str(day) if day else None, "task_id": _get(ti, "task_id"),
               "try_number": _get(ti, "try_number")}
    who = f"{source or dag_id} {day or '?'} (dag {dag_id}, run {run_id})"
    if kind == "deadline":
        payload["hours"] = hours
        text = (f"wiredesk alert: {who} not published within {hours:g} h of being queued; "
                "check the run in the grid (queued behind another run, a pool without slots, a slow site?)")
    else:
        error = _get(context, "exception")
        first = str(error).strip().splitlines()[0] if error and str(error).strip() else type(error).__name__
        payload["error"] = first if error else None
        text = (f"wiredesk alert: {who} task {payload['task_id']} failed (try {payload['try_number']}): "
                f"{first if error else 'no exception recorded'}; read the task log's last lines, fix, then "
                "clear the task with Downstream")
    payload["message"] = text
    return text, payload


class WiredeskNotifier(BaseNotifier):
    """Failure and deadline alerts: always the log; an SMTP or HTTP connection when configured.

    Used as ``on_failure_callback`` of every task (the line lands in the
    failed task's log) and, awaited by the triggerer, as the callback of the
    DAG's Deadline Alert. Where alerts go besides the log is configuration,
    not code: the Airflow connection named by ``conn_id`` or
    ``$WIREDESK_ALERT_CONN_ID`` — type ``smtp`` (extra ``to``, ``from_email``;
    sent through the smtp provider) or ``http``/``https`` (JSON POSTed to
    ``host``, or ``schema://host:port`` plus extra ``endpoint``).
    """

    template_fields = ()

    def __init__(self, kind: str = "failure", source: str | None = None, timezone: str | None = None,
                 hours: float | None = None, conn_id: str | None = None, context: Any = None):
        super().__init__(context=context)
        self.kind, self.source, self.timezone, self.hours = kind, source, timezone, hours
        self.conn_id = conn_id

    def notify(self, context: Any) -> None:
        from wiredesk.settings import alert_conn_id_from_env

        text, payload = alert_message(context, self.kind, self.source, self.timezone, self.hours)
        logging.getLogger(ALERT_LOGGER).error("%s", text)
        conn_id = self.conn_id or alert_conn_id_from_env()
        if conn_id:
            send_alert(conn_id, text, payload, context)

    async def async_notify(self, context: Any) -> None:
        import asyncio

        await asyncio.to_thread(self.notify, context)


def send_alert(conn_id: str, text: str, payload: dict, context: Any = None) -> None:
    """Deliver one alert through the Airflow connection ``conn_id`` (smtp or http)."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    kind = (conn.conn_type or "").lower()
    extra = conn.extra_dejson or {}
    if kind in ("smtp", "email"):
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        SmtpNotifier(to=extra.get("to") or conn.login, from_email=extra.get("from_email"),
                     subject=text[:150], html_content=f"<pre>{text}</pre>",
                     smtp_conn_id=conn_id).notify(context or {})
    elif kind in ("http", "https") or (conn.host or "").startswith(("http://", "https://")):
        import json
        import urllib.request

        url = conn.host if (conn.host or "").startswith(("http://", "https://")) else (
            f"{conn.schema or kind or 'http'}://{conn.host}{f':{conn.port}' if conn.port else ''}")
        url = url.rstrip("/") + "/" + str(extra.get("endpoint") or "").lstrip("/")
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  **(extra.get("headers") or {})})
        with urllib.request.urlopen(request, timeout=float(extra.get("timeout") or 10)) as response:
            response.read()
    else:
        raise ValueError(f"alert connection {conn_id!r} has type {conn.conn_type!r}; use smtp or http")
    log.info("alert sent through Airflow connection %r (%s)", conn_id, kind)
