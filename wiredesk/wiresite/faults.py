"""Named faults for the local wire site (filled in below)."""

from __future__ import annotations

from collections.abc import Iterable

FAULTS: tuple[str, ...] = ()


class FaultState:
    """Per-server memory of which fault URLs were already hit."""


def validate(names: Iterable[str]) -> frozenset[str]:
    names = frozenset(names)
    unknown = names - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    return names


def extra_links(active: frozenset[str]) -> dict[tuple[str, str], list[str]]:
    return {}


def route(site, path: str, raw_path: str):
    return None
