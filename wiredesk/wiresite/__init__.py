"""The bundled local wire site: an imitation of en.yna.co.kr for the demo and tests.

``WireSite`` (in :mod:`wiredesk.wiresite.server`) serves the pages that
:mod:`wiredesk.wiresite.build` renders from ``content/`` when it starts;
``python -m wiredesk.wiresite`` runs it in the foreground and
``python -m wiredesk.wiresite.build OUT_DIR`` writes the pages to a folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wiredesk.wiresite.faults import FAULTS
    from wiredesk.wiresite.server import WireSite

__all__ = ["FAULTS", "WireSite"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m wiredesk.wiresite.build`` does not
    # import the build module twice (once via the server, once as __main__).
    if name == "WireSite":
        from wiredesk.wiresite.server import WireSite

        return WireSite
    if name == "FAULTS":
        from wiredesk.wiresite.faults import FAULTS

        return FAULTS
    raise AttributeError(name)
