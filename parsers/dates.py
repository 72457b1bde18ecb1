"""Timestamps as pages write them, read into aware datetimes, and the calendar
words pages print.

One reader for every parser: ISO 8601 in its CMS variants (``Z``, ``+0200``,
nanoseconds, a space for ``T``) through :meth:`datetime.fromisoformat`, and
RFC 822 and slash dates through dateutil, which htmldate already brings.
One table of month and weekday names serves the wire datelines, the printed
dates the generic parser looks for and the byline cleaning.
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


#: Month names and the abbreviations wires and CMSs print, in the languages news
#: pages are most often written in, by month number.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "enero", "ene", "janeiro", "gennaio", "gen",
        "januari"),
    2: ("february", "feb", "februar", "février", "febrero", "fevereiro", "febbraio", "februari"),
    3: ("march", "mar", "märz", "mars", "marzo", "março", "maart"),
    4: ("april", "apr", "avril", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maio", "maggio", "mag", "mei"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "julio", "julho", "luglio", "lug"),
    8: ("august", "aug", "août", "agosto", "ago", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setembro", "set", "settembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "dezember", "dez", "décembre", "diciembre", "dic", "dezembro", "dicembre"),
}
#: Weekday names in the same languages.
WEEKDAY_NAMES: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
)
_MONTH_OF = {name: number for number, names in MONTH_NAMES.items() for name in names}


def month_number(value: str | None) -> int | None:
    """1-12 for "Jan.", "January", "SEPT", "abr", "März" ...; ``None`` if not a month.

    A longer spelling than the table's ("Sept.", "Janv.") is read by its
    first four or three letters.
    """
    if not value:
        return None
    word = value.rstrip(".").lower()
    return _MONTH_OF.get(word) or _MONTH_OF.get(word[:4]) or _MONTH_OF.get(word[:3])
