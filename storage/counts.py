"""The counts of one run: every discovered URL ends in exactly one outcome.

One type for both sides of the hand-over, so the sum is written once:

- a **crawl** ends each discovered URL as ``filtered``, ``fetch_failed``,
  ``quarantined`` (each per reason) or ``parsed``;
- a **publish** settles every ``parsed`` record as ``published``,
  ``duplicate`` or ``quarantined["schema_invalid"]``.

Either way ``discovered`` must equal the sum of the outcomes; :meth:`Counts.check`
says so or raises. The dictionary forms (:meth:`Counts.to_dict`) are the ones in
``crawl.json`` and in the manifest (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CRAWL_OUTCOMES", "Counts", "CountsMismatch", "REASONED"]

#: Outcomes kept per reason.
REASONED = ("filtered", "fetch_failed", "quarantined")
#: How a crawl can end a discovered URL.
CRAWL_OUTCOMES = ("filtered", "fetch_failed", "quarantined", "parsed")
#: The order in which counts are shown to people: what happened to a URL, then why not.
_SHOWN = ("discovered", "fetched", "published", "parsed", "duplicate", "filtered",
          "fetch_failed", "quarantined")


class CountsMismatch(ValueError):
    """``discovered`` is not the sum of the outcomes: a URL was lost or counted twice."""


@dataclass
class Counts:
    """Counts of one run; ``parsed`` for a crawl, ``duplicate``/``published`` once published."""

    discovered: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    fetch_failed: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    parsed: int | None = None
    duplicate: int | None = None
    published: int | None = None

    @classmethod
    def crawl(cls) -> Counts:
        """Empty counts of a crawl that has not started."""
        return cls(parsed=0)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counts:
        """Read ``crawl.json``'s or a manifest's counts; malformed input raises ``CountsMismatch``."""
        if not isinstance(data, Mapping):
            raise CountsMismatch(f"counts must be an object, got {type(data).__name__}")
        try:
            return cls(
                discovered=int(data.get("discovered", 0)),
                **{name: {str(k): int(v) for k, v in dict(data.get(name) or {}).items()}
                   for name in REASONED},
                **{name: int(data[name]) if data.get(name) is not None else None
                   for name in ("parsed", "duplicate", "published")},
            )
        except (TypeError, ValueError) as exc:
            raise CountsMismatch(f"unreadable counts {dict(data)!r}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """The stored form; outcomes a side does not have are left out."""
        out: dict[str, Any] = {"discovered": self.discovered}
        for name in ("filtered", "duplicate", "fetch_failed", "quarantined", "parsed",
                     "published"):
            value = getattr(self, name)
            if value is not None:
                out[name] = dict(value) if isinstance(value, dict) else value
        return out

    def add(self, outcome: str, reason: str | None = None, count: int = 1) -> None:
        """Count ``count`` URLs (or records) ending in ``outcome`` for ``reason``."""
        if outcome in REASONED:
            bucket = getattr(self, outcome)
            key = reason or "unknown"
            bucket[key] = bucket.get(key, 0) + count
        elif outcome in ("parsed", "duplicate", "published"):
            setattr(self, outcome, (getattr(self, outcome) or 0) + count)
        elif outcome == "discovered":
            self.discovered += count
        else:
            raise ValueError(f"unknown outcome {outcome!r}")

    def accounted(self) -> int:
        """The sum of the outcomes: what ``discovered`` must equal."""
        return (sum(sum(getattr(self, name).values()) for name in REASONED)
                + (self.parsed or 0) + (self.duplicate or 0) + (self.published or 0))

    def check(self) -> Counts:
        """Return self if the outcomes add up to ``discovered``, else raise ``CountsMismatch``."""
        accounted = self.accounted()
        if accounted != self.discovered:
            terms = " + ".join(name for name in ("filtered", "duplicate", "fetch_failed",
                                                 "quarantined", "parsed", "published")
                               if getattr(self, name) is not None)
            raise CountsMismatch(f"discovered {self.discovered} != {accounted} accounted for "
                                 f"({terms})")
        return self

    def settled(self, duplicate: int, published: int, schema_invalid: int) -> Counts:
        """The publish's counts of a crawl's: every parsed record settled once."""
        quarantined = dict(self.quarantined)
        if schema_invalid:
            quarantined["schema_invalid"] = quarantined.get("schema_invalid", 0) + schema_invalid
        return Counts(self.discovered, dict(self.filtered), dict(self.fetch_failed),
                      quarantined, None, duplicate, published)

    @property
    def fetched(self) -> int:
        """Pages that arrived: discovered URLs neither filtered out nor failed to fetch.

        Not stored (every URL ends in exactly one outcome); derived because "how
        many pages did we get" is the first question an operator asks of a crawl.
        """
        return self.discovered - sum(self.filtered.values()) - sum(self.fetch_failed.values())

    def totals(self) -> dict[str, int]:
        """Each count as one number, in the order people read them."""
        out = {}
        for name in _SHOWN:
            value = self.fetched if name == "fetched" else getattr(self, name)
            if value is not None:
                out[name] = sum(value.values()) if isinstance(value, dict) else value
        return out

    def reasons(self) -> dict[str, dict[str, int]]:
        """The per-reason outcomes that are not empty."""
        return {name: dict(getattr(self, name)) for name in REASONED if getattr(self, name)}

    def format(self) -> str:
        """``discovered=24 fetched=22 published=20 duplicate=0 filtered=2(video: 2) ...``.

        Counts kept per reason show the reasons in brackets, so the line alone
        says why pages were dropped.
        """
        parts = []
        for name, total in self.totals().items():
            text = f"{name}={total}"
            value = getattr(self, name, None)
            if isinstance(value, dict) and value:
                text += "(" + ", ".join(f"{k}: {v}" for k, v in sorted(value.items())) + ")"
            parts.append(text)
        return " ".join(parts)
