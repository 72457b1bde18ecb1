"""Quality gates: what a crawled day must show before it is published.

The ``validate`` task of each DAG runs :func:`check_staged` on the staged run
between ``crawl`` and ``publish``; when a gate fails, the task fails with one
line per failed gate (gate, measured value, limit) and ``publish`` never runs,
so the store keeps whatever it had for the day.

=========================  ==================================================================
gate                       fails when
=========================  ==================================================================
``min_articles``           the crawl parsed fewer records than ``min_articles``
``max_quarantined_share``  quarantined pages / fetched pages is above the limit
``boilerplate``            any record's body contains one of the ``boilerplate`` phrases
``drift``                  the share of records without authors, without ``published_at`` or
                           without a section rose by more than ``max_drift`` over the mean of
                           the last ``drift_days`` published days before D
=========================  ==================================================================

The drift measure is deliberately cheap: for each earlier day, the first
``drift_sample`` records of its partition (in part order), read through the
manifest; for D, every staged record. Each of the three fields is compared on
its own, as an absolute difference of shares (0.10 → 0.45 is a rise of 0.35).
With fewer than ``drift_min_days`` earlier days, or fewer than
``drift_min_records`` records on D, the gate is skipped and says so: a
backfill's first days, or a small day, have no honest baseline.

Limits come from the source's ``gates`` (registry or sources YAML), else from
``wiredesk.settings`` (``WIREDESK_GATE_*``, else its built-in defaults).
The gate functions are pure; only :func:`check_staged` and
:func:`recent_days` read the store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

#: Record fields whose absence the drift gate watches, with how "missing" looks.
DRIFT_FIELDS = ("authors", "published_at", "section")


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict; :meth:`line` is what the task log and the failure say."""

    gate: str
    passed: bool
    measured: str
    limit: str
    skipped: bool = False

    def line(self) -> str:
        verdict = "skipped" if self.skipped else ("passed" if self.passed else "FAILED")
        return f"gate {self.gate} {verdict}: {self.measured} (limit {self.limit})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class GateFailed(RuntimeError):
    """A day failed a quality gate; the first line names source, day, gate, value and limit."""

    def __init__(self, source: str, day: date | str, failed: list[GateResult]):
        lines = [f"validate {source} {day}: {r.line()}; nothing published." for r in failed]
        lines.append("Check the crawl log and the staged records; if the limit is wrong for this "
                     "source, change its gates in the sources YAML, then clear validate.")
        super().__init__("\n".join(lines))
        self.failed = failed


def resolve(gates: Any = None) -> dict[str, Any]:
    """The limits in force: the settings' defaults, with what the source sets on top."""
    from wiredesk.settings import gate_defaults_from_env

    limits = gate_defaults_from_env()
    explicit = gates.model_dump() if hasattr(gates, "model_dump") else dict(gates or {})
    limits.update({k: v for k, v in explicit.items() if v is not None})
    return limits


# -- the gates -----------------------------------------------------------------------


def min_articles(parsed: int, limit: int) -> GateResult:
    return GateResult("min_articles", parsed >= limit, f"{parsed} parsed records", f"at least {limit}")


def max_quarantined_share(quarantined: int, fetched: int, limit: float) -> GateResult:
    share = quarantined / fetched if fetched else 0.0
    return GateResult("max_quarantined_share", share <= limit,
                      f"{share:.2f} ({quarantined} quarantined of {fetched} fetched)", f"at most {limit:.2f}")


def boilerplate(records: Iterable[Mapping[str, Any]], phrases: Iterable[str]) -> GateResult:
    """Fails on the first phrase found; says in how many records and where first."""
    phrases = list(phrases)
    hits: dict[str, list[str]] = {}
    for record in records:
        text = "\n".join(p for p in record.get("body") or [] if isinstance(p, str))
        for phrase in phrases:
            if phrase in text:
                hits.setdefault(phrase, []).append(str(record.get("url")))
    limit = f"none of {len(phrases)} phrases"
    if not hits:
        return GateResult("boilerplate", True, "no phrase found", limit)
    found = "; ".join(f"{phrase!r} in {len(urls)} record(s), first {urls[0]}" for phrase, urls in hits.items())
    return GateResult("boilerplate", False, found, limit)


def missing(record: Mapping[str, Any]) -> dict[str, bool]:
    """Which :data:`DRIFT_FIELDS` a record lacks (empty list, empty string or null)."""
    return {name: not record.get(name) for name in DRIFT_FIELDS}


@dataclass
class FieldShares:
    """How many records lacked each of :data:`DRIFT_FIELDS`, out of ``records``."""

    records: int = 0
    absent: dict[str, int] | None = None

    def add(self, record: Mapping[str, Any]) -> None:
        self.absent = self.absent or dict.fromkeys(DRIFT_FIELDS, 0)
        self.records += 1
        for name, is_missing in missing(record).items():
            self.absent[name] += is_missing

    def share(self, name: str) -> float:
        return (self.absent or {}).get(name, 0) / self.records if self.records else 0.0


def drift(today: FieldShares, history: list[FieldShares], limits: Mapping[str, Any]) -> GateResult:
    """Compare D's missing shares with the mean of the earlier days', field by field."""
    max_drift, days = float(limits["max_drift"]), [h for h in history if h.records]
    limit = f"+{max_drift:.2f} over the mean of the last {limits['drift_days']} published day(s)"
    if len(days) < int(limits["drift_min_days"]):
        return GateResult("drift", True, f"{len(days)} earlier published day(s), "
                          f"{limits['drift_min_days']} needed for a baseline", limit, skipped=True)
    if today.records < int(limits["drift_min_records"]):
        return GateResult("drift", True, f"{today.records} record(s) on the day, "
                          f"{limits['drift_min_records']} needed", limit, skipped=True)
    worst, parts = None, []
    for name in DRIFT_FIELDS:
        mean = sum(h.share(name) for h in days) / len(days)
        rise = today.share(name) - mean
        parts.append(f"no {name} {today.share(name):.2f} vs {mean:.2f}")
        if worst is None or rise > worst[1]:
            worst = (name, rise)
    assert worst is not None
    measured = f"{', '.join(parts)} (mean of {len(days)} day(s)); largest rise {worst[1]:+.2f} ({worst[0]})"
    return GateResult("drift", worst[1] <= max_drift, measured, limit)


# -- reading the store -----------------------------------------------------------------


def recent_days(store: Any, source: str, day: date | str, days: int, sample: int) -> list[FieldShares]:
    """Missing-field shares of the last ``days`` published days before ``day``, from samples."""
    from storage.errors import PartitionChanged
    from storage.read import manifest_keys, read_day

    if days <= 0:
        return []
    day = str(day)
    earlier = sorted({k.date for k in manifest_keys(store, source) if k.date < day}, reverse=True)[:days]
    found = []
    for earlier_day in earlier:
        for _ in range(3):  # a backfill may republish that day meanwhile: sample it afresh
            shares = FieldShares()
            try:
                for record in read_day(store, source, earlier_day):
                    shares.add(record)
                    if shares.records >= sample:
                        break
            except PartitionChanged:
                continue
            found.append(shares)
            break
    return found


def check_staged(store: Any, source: str, day: date | str, run_id: str, gates: Any = None) -> list[GateResult]:
    """Every gate over one staged run (one pass over its records); nothing is raised here."""
    from storage.counts import Counts
    from storage.staging import BadLine, read_staged

    limits = resolve(gates)
    staged = read_staged(store, source, day, run_id)
    counts = Counts.from_dict(staged.crawl.get("counts", {}))
    today = FieldShares()

    def each_record():
        for record in staged.items():
            if isinstance(record, BadLine) or not isinstance(record, Mapping):
                continue  # publish quarantines it with its reason
            today.add(record)
            yield record

    results = [
        min_articles(counts.parsed or 0, int(limits["min_articles"])),
        max_quarantined_share(sum(counts.quarantined.values()), counts.fetched,
                              float(limits["max_quarantined_share"])),
        boilerplate(each_record(), limits["boilerplate"]),
    ]
    history = recent_days(store, source, day, int(limits["drift_days"]), int(limits["drift_sample"]))
    results.append(drift(today, history, limits))
    return results
