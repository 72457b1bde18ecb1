"""Secrets never reach a terminal or a log: one masking step for messages and log records.

What is masked: the values of the credential variables in the environment
(``AWS_SECRET_ACCESS_KEY``, session tokens), credentials written into a URL
(``s3://KEY:SECRET@bucket``), and what botocore prints at DEBUG level
(``Authorization: … Credential=<key id>/…, Signature=…``, security-token
headers). Access key ids keep their first four characters, as
:func:`storage.errors.mask_key_id` shows them everywhere else.
"""

from __future__ import annotations

import logging
import os
import re

__all__ = ["SECRET_ENV", "RedactingFilter", "install", "redact"]

#: Variables that hold secrets; the crawl child never gets them (it never talks to S3).
SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
              "AWS_ACCESS_KEY_ID", "AIRFLOW_CONN_WIREDESK_S3")
_MASK = "…(masked)"
_PATTERNS = (
    # Credential=AKIAEXAMPLE/20250312/us-east-1/s3/aws4_request
    (re.compile(r"(Credential=)([A-Za-z0-9]{4})[A-Za-z0-9]*"), rf"\1\2{_MASK}"),
    (re.compile(r"(Signature=)[0-9a-fA-F]+"), rf"\1{_MASK}"),
    (re.compile(r"((?:X-Amz-Security-Token|x-amz-security-token)['\"]?\s*[:=]\s*['\"]?)[^'\",\s]+"),
     rf"\1{_MASK}"),
    (re.compile(r"(aws_secret_access_key['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+", re.IGNORECASE),
     rf"\1{_MASK}"),
    # scheme://user:password@host
    (re.compile(r"([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@", re.IGNORECASE), rf"\1{_MASK}@"),
)


def _secret_values() -> list[str]:
    values = []
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 8:
            values.append(value)
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every secret we know of masked."""
    for value in _secret_values():
        text = text.replace(value, value[:4] + _MASK if value.isalnum() else _MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks each record's formatted message (and traceback) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
