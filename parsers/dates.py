"""Timestamps as pages write them, read into aware datetimes.

One reader for every parser: ISO 8601 in its CMS variants (``Z``, ``+0200``,
nanoseconds, a space for ``T``) through :meth:`datetime.fromisoformat`, and
RFC 822 and slash dates through dateutil, which htmldate already brings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from dateutil import parser as _dateutil


def parse_datetime(value: str | None, default_tz: tzinfo = UTC) -> datetime | None:
    """An ISO-8601-ish timestamp as an aware datetime, or ``None``.

    Offsets the page states are kept as they are.  A naive timestamp gets
    ``default_tz``: UTC unless the site is known to write local time (Yonhap
    writes Seoul time), since UTC with the ``Z`` dropped is the most common
    meaning in CMS output and records must be timezone-aware.  A date alone
    becomes midnight.  Years outside 1990-2100 are template junk, not dates.
    """
    if not value:
        return None
    text = " ".join(value.split())
    text = re.sub(r"(?<=\d)[Zz]$", "+00:00", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0200 -> +02:00
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # nanoseconds
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_loose(text)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


#: "10.12.2022": dotted dates put the day first wherever they are written.
_DOTTED_DATE_RE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b")


def _parse_loose(text: str) -> datetime | None:
    """Non-ISO stamps (``Fri, 03 May 2024 15:47:42 GMT``, ``2024/05/03 15:47``).

    A dotted date ("10.12.2022, 07:00") is day first; dateutil would read it
    month first.
    """
    try:
        return _dateutil.parse(text, fuzzy=False, dayfirst=bool(_DOTTED_DATE_RE.match(text)))
    except (ValueError, OverflowError, TypeError):
        return None
