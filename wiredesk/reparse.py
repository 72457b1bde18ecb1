"""Re-parse: rebuild a published day from its archived WARC pages with today's parsers.

Nothing is fetched. For source ``S`` and day ``D`` the day's current manifest
names the WARC files its pages came from (``raw``) and its ledger (one row per
discovered URL, with the final response's ``fetched_url`` and ``status``).
Every URL whose page arrived (published, duplicate or quarantined) is parsed
again from its archived response, exactly as the crawl's pipeline does
(:func:`crawlers.pipelines.parse_one`, the header charset as the hint, the
WARC-Date as the fetch time, the same out-of-interval filter); filtered and
fetch-failed URLs carry over unchanged. The result is a new staged run
(``reparse-<UTC time>-<hex>``) whose ``crawl.json`` lists the original WARC
keys under ``raw`` (it archived nothing of its own), published with
:func:`storage.publish_run`: the newest staged run of the day, so it holds it.

Re-parsing a day twice gives the same records: the second run reads the
first one's manifest, which points at the same WARC files and carries the
same ledger.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["ReparseError", "day_range", "new_reparse_run_id", "reparse_day", "reparse_days"]

#: Ledger outcomes whose page arrived: these are parsed again.
_REPARSED = ("parsed", "published", "duplicate", "quarantined")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


class ReparseError(RuntimeError):
    """A day cannot be re-parsed (no partition, or raw pages missing); nothing was published."""


def new_reparse_run_id(now: datetime | None = None) -> str:
    """``reparse-<UTC yyyymmddThhmmssZ>-<6 hex>``: a run id that says what made it."""
    now = now or datetime.now(UTC)
    return f"reparse-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def day_range(start: date | str, end: date | str) -> list[str]:
    """Every day from ``start`` to ``end``, both included, as ``YYYY-MM-DD``."""
    first = start if isinstance(start, date) else date.fromisoformat(str(start))
    last = end if isinstance(end, date) else date.fromisoformat(str(end))
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class _Response:
    """Where one archived response is: enough to find it again and point a record at it."""

    warc: str
    offset: int
    record_id: str
    url: str
    status: int | None
    date: str | None
    content_type: str | None

    @property
    def pointer(self) -> dict[str, Any]:
        return {"warc": self.warc, "record_id": self.record_id, "offset": self.offset}


def reparse_day(
    store: Any,
    source: str,
    day: date | str,
    *,
    sources_file: str | None = None,
    run_id: str | None = None,
    table: bool = True,
) -> dict[str, Any]:
    """Re-parse ``source``'s published ``day`` from its WARC pages and republish it.

    Returns the day's manifest after the publish: this run's, or that of a
    crawl which finished after the pages re-parsed here (one publishing
    while this runs holds the day over the re-parse). Raises
    :class:`ReparseError` when the day has no partition, when a page that
    was published has no archived response, or when such a crawl replaced
    the day while its files were being read; the day is then left as it was.
    """
    from crawlers.sources import get_source
    from storage import layout
    from storage.counts import Counts
    from storage.errors import ObjectNotFound, PublishError
    from storage.publish import publish_run, ranked_after
    from storage.read import read_manifest
    from storage.staging import ITEMS, LEDGER, QUARANTINE, RunDir, upload_staging

    spec = get_source(source, sources_file)
    day = layout.validate_date(day)
    started = _utc_text(datetime.now(UTC))
    manifest = read_manifest(store, spec.id, day)
    if manifest is None:
        raise ReparseError(f"reparse {spec.id} {day}: the day has no published partition "
                           f"in {store.describe()}: crawl it first (wiredesk run)")
    raw_keys = [key for key in manifest.get("raw") or [] if isinstance(key, str)]
    if not raw_keys:
        raise ReparseError(f"reparse {spec.id} {day}: manifest of run {manifest['run_id']} "
                           "lists no raw WARC files; re-crawl the day instead")
    if not manifest.get("ledger"):
        raise ReparseError(f"reparse {spec.id} {day}: manifest of run {manifest['run_id']} "
                           "has no ledger; re-crawl the day instead")
    try:
        ledger, chosen, results, old_quarantine = _read_day(store, spec, day, manifest, raw_keys)
    except ObjectNotFound as exc:
        now = read_manifest(store, spec.id, day)
        if now is not None and now["run_id"] != manifest["run_id"]:
            # a crawl of the day published meanwhile and removed what run R listed
            raise ReparseError(
                f"reparse {spec.id} {day}: run {now['run_id']} replaced run {manifest['run_id']} "
                "while it was being re-parsed; nothing published; re-parse the day again "
                "(an Airflow retry does)") from None
        raise ReparseError(f"reparse {spec.id} {day}: {exc}; re-crawl the day instead") from None

    run_id = run_id or new_reparse_run_id()
    counts = Counts.crawl()
    with tempfile.TemporaryDirectory(prefix="wiredesk-reparse-") as tmp:
        run_dir = RunDir(Path(tmp) / run_id)
        item_line = 0
        with run_dir.open(ITEMS) as items, run_dir.open(QUARANTINE) as quarantine, \
                run_dir.open(LEDGER) as ledger_out:
            for number, row in enumerate(ledger):
                counts.add("discovered")
                fetch = {"status": row.get("status"), "fetched_url": row.get("fetched_url")}
                outcome, reason, item = row.get("outcome"), row.get("reason"), None
                if number in results:
                    kind, value = results[number]
                    if kind == "record":
                        items.write(json.dumps(value, ensure_ascii=False) + "\n")
                        outcome, reason, item, item_line = "parsed", None, item_line, item_line + 1
                    elif kind == "quarantine":
                        quarantine.write(json.dumps(value, ensure_ascii=False) + "\n")
                        outcome, reason = "quarantined", value["reason"]
                    else:
                        outcome, reason = "filtered", value
                elif outcome == "quarantined":  # no page to parse again: kept as it was
                    for old in old_quarantine.get(row.get("url"), []):
                        quarantine.write(json.dumps(old, ensure_ascii=False) + "\n")
                elif outcome not in ("filtered", "fetch_failed"):
                    raise ReparseError(f"reparse {spec.id} {day}: ledger row for {row.get('url')} "
                                       f"has an unknown outcome {outcome!r}")
                counts.add(outcome, reason)
                ledger_out.write(json.dumps(
                    {"url": row.get("url"), "outcome": outcome, "reason": reason, **fetch,
                     "item": item}, ensure_ascii=False) + "\n")
        counts.check()
        run_dir.write_crawl({
            "run_id": run_id,
            "source": spec.id,
            "date": day,
            "mode": "reparse",
            "reparse_of": manifest["run_id"],
            "started_at": started,
            # as fresh as the pages it parsed: a crawl that finished after them (one
            # publishing while this re-parse runs) holds the day over this run
            "finished_at": ranked_after(manifest),
            "reparsed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "status": "ok",
            "errors": [],
            "counts": counts.to_dict(),
            "raw": raw_keys,  # the archived pages it read: it fetched nothing
            "stats": {"wiredesk/reparse/pages": len(results),
                      "wiredesk/reparse/warc_files": len(raw_keys)},
        })
        upload_staging(store, spec.id, day, run_id, run_dir.path)
    try:
        published = publish_run(store, spec.id, day, run_id, table=table)
    except PublishError:
        # a newer crawl's publish removed this run's staging as older than itself
        published = read_manifest(store, spec.id, day) or {}
        if published.get("run_id") in (None, run_id, manifest["run_id"]):
            raise
    if published.get("run_id") != run_id:
        logger.warning("reparse %s %s: run %s, a crawl newer than the pages re-parsed (run %s), "
                       "holds the day; nothing published", spec.id, day, published.get("run_id"),
                       manifest["run_id"])
        return published
    logger.info("reparse %s %s: run %s replaced run %s (%d page(s) parsed again from %d WARC "
                "file(s), nothing fetched)", spec.id, day, run_id, manifest["run_id"],
                len(results), len(raw_keys))
    return published


def reparse_days(
    store: Any, source: str, start: date | str, end: date | str, *,
    sources_file: str | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Re-parse every day from ``start`` to ``end`` in order; yields ``(day, manifest)``."""
    for day in day_range(start, end):
        yield day, reparse_day(store, source, day, sources_file=sources_file)


def summary_line(source: str, day: str, manifest: dict[str, Any]) -> str:
    """``reparse S D: run R: discovered=… published=…`` (counts as :meth:`Counts.format`)."""
    from storage.counts import Counts

    counts = Counts.from_dict(manifest.get("counts") or {})
    return f"reparse {source} {day}: run {manifest.get('run_id')}: {counts.format()}"


# -- the archive ----------------------------------------------------------------


def _index_responses(store: Any, raw_keys: list[str]) -> dict[str, list[_Response]]:
    """Every response record of the WARC files, by target URL, in archive order (headers only)."""
    from warcio.archiveiterator import ArchiveIterator

    found: dict[str, list[_Response]] = {}
    for key in raw_keys:
        with store.open_reader(key) as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response":
                    continue
                headers = record.rec_headers
                url = headers.get_header("WARC-Target-URI")
                http = record.http_headers
                try:
                    status = int(http.get_statuscode()) if http else None
                except (TypeError, ValueError):
                    status = None
                found.setdefault(url, []).append(_Response(
                    warc=key, offset=records.get_record_offset(),
                    record_id=headers.get_header("WARC-Record-ID"), url=url, status=status,
                    date=headers.get_header("WARC-Date"),
                    content_type=http.get_header("Content-Type") if http else None,
                ))
    return found


def _pick(responses: dict[str, list[_Response]], row: dict[str, Any]) -> _Response | None:
    """The response a ledger row's page came from: the last one at its ``fetched_url`` with its status."""
    candidates = responses.get(row.get("fetched_url") or row.get("url") or "") or []
    status = row.get("status")
    same = [r for r in candidates if r.status == status] if status is not None else \
        [r for r in candidates if r.status is not None and 200 <= r.status < 300]
    return same[-1] if same else None


def _read_day(
    store: Any, spec: Any, day: str, manifest: dict[str, Any], raw_keys: list[str]
) -> tuple[list[dict[str, Any]], dict[int, _Response], dict[int, tuple[str, Any]],
           dict[str, list[dict[str, Any]]]]:
    """Everything of the published day a re-parse reads: its ledger, the archived response
    of each page-bearing row, those pages parsed again, and the quarantine rows of URLs
    with no page. Raises ``ObjectNotFound`` when an object the manifest lists is gone."""
    ledger = _jsonl(store.get_bytes(manifest["ledger"]))
    responses = _index_responses(store, raw_keys)
    # Which archived response each page-bearing row re-parses.
    chosen: dict[int, _Response] = {}
    missing: list[str] = []
    for number, row in enumerate(ledger):
        if row.get("outcome") not in _REPARSED:
            continue
        response = _pick(responses, row)
        if response is not None:
            chosen[number] = response
        elif row.get("outcome") != "quarantined":
            missing.append(str(row.get("url")))
    if missing:
        raise ReparseError(
            f"reparse {spec.id} {day}: {len(missing)} page(s) have no archived response "
            f"in {', '.join(raw_keys)} (first: {missing[0]}); nothing published"
        )
    results = _parse_chosen(store, chosen, ledger, spec, date.fromisoformat(day))
    old_quarantine = _old_quarantine(store, manifest) if any(
        row.get("outcome") == "quarantined" and n not in chosen for n, row in enumerate(ledger)
    ) else {}
    return ledger, chosen, results, old_quarantine


def _parse_chosen(
    store: Any, chosen: dict[int, _Response], ledger: list[dict[str, Any]], spec: Any, day: date,
) -> dict[int, tuple[str, Any]]:
    """Parse each chosen response (one pass per WARC file); ``{ledger row: (kind, value)}``.

    ``kind`` is ``record`` (a finished record), ``quarantine`` (a quarantine row) or
    ``filtered`` (the reason), as the crawl's pipeline would have ended the page.
    """
    from warcio.archiveiterator import ArchiveIterator

    from crawlers.pipelines import _outside, parse_one

    # By record id: asking the iterator for a record's offset reads the record to its end.
    wanted: dict[tuple[str, str], list[int]] = {}
    for number, response in chosen.items():
        wanted.setdefault((response.warc, response.record_id), []).append(number)
    results: dict[int, tuple[str, Any]] = {}
    for key in sorted({warc for warc, _offset in wanted}):
        with store.open_reader(key) as stream:
            for record in ArchiveIterator(stream):
                numbers = wanted.get((key, record.rec_headers.get_header("WARC-Record-ID")))
                if not numbers or record.rec_type != "response":
                    continue
                body = record.content_stream().read()
                response = chosen[numbers[0]]
                for number in numbers:
                    row = ledger[number]
                    results[number] = _finish(
                        parse_one, _outside, body, response, row, spec, day)
    lost = sorted(set(chosen) - set(results))
    if lost:
        raise ReparseError(f"reparse {spec.id} {day}: {len(lost)} archived response(s) could not "
                           f"be read back (first: {ledger[lost[0]].get('url')})")
    return results


def _finish(
    parse_one: Any, outside: Any, body: bytes, response: _Response, row: dict[str, Any],
    spec: Any, day: date,
) -> tuple[str, Any]:
    """What :class:`crawlers.pipelines.ParsePipeline` makes of one page, from its archived response."""
    url = row["url"]
    fetched_url = row.get("fetched_url") or response.url
    fetched_at = _fetched_at(response.date)
    encoding = _charset(response.content_type)
    kind, value, message = parse_one(body, url, spec.parser_id, spec.id, day, encoding, fetched_at)
    if kind != "record":
        return ("quarantine", {
            "url": url, "fetched_url": fetched_url, "stage": "parse", "reason": value,
            "message": message or "", "status": row.get("status"), "fetched_at": fetched_at,
            "raw": response.pointer,
        })
    record = value
    record["fetched_url"] = fetched_url
    record["fetched_at"] = fetched_at
    record["raw"] = response.pointer
    if outside(record, day, spec.tz):
        return ("filtered", "out_of_interval")
    return ("record", record)


def _old_quarantine(store: Any, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The day's quarantine rows by URL (for quarantined URLs with no page to parse again)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for key in manifest.get("quarantine") or []:
        for row in _jsonl(store.get_bytes(key)):
            rows.setdefault(row.get("url"), []).append(row)
    return rows


# -- helpers --------------------------------------------------------------------


def _jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).splitlines() if line.strip()]


def _charset(content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _fetched_at(warc_date: str | None) -> str:
    """The WARC-Date as the crawl writes ``fetched_at``: UTC, whole seconds, ``Z``."""
    if not warc_date:
        raise ReparseError("an archived response has no WARC-Date")
    moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    return _utc_text(moment)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
