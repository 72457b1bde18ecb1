"""Development only: the local wire site, its faults, the demo and the tests' expected answers.

Lives at the top of the checkout beside ``benchmarks/`` and is never part of
the built wheel (``tests/test_packaging.py`` checks): the product packages
(``wiredesk``, ``crawlers``, ``parsers``, ``storage``) never import it.

``WireSite`` (in :mod:`devsite.server`) serves the pages that
:mod:`devsite.build` renders from ``content/`` when it starts;
``python -m devsite`` runs it in the foreground,
``python -m devsite.build OUT_DIR`` writes the pages to a folder,
``python -m devsite.demo`` is ``make demo`` and :mod:`devsite.localsite`
writes the sources file that aims the real sources at the site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devsite.faults import FAULTS
    from devsite.server import WireSite

__all__ = ["FAULTS", "WireSite"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m devsite.build`` does not
    # import the build module twice (once via the server, once as __main__).
    if name == "WireSite":
        from devsite.server import WireSite

        return WireSite
    if name == "FAULTS":
        from devsite.faults import FAULTS

        return FAULTS
    raise AttributeError(name)
