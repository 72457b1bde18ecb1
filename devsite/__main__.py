"""``python -m devsite [--port N] [--faults a,b] [--synthetic N]``."""

from __future__ import annotations

import argparse
import sys
import threading

from devsite.faults import FAULTS
from devsite.server import WireSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devsite",
        description="Serve the local wire site on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument("--faults", default="",
                        help="comma-separated fault names, or 'all': " + ", ".join(FAULTS))
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="add N generated articles dated 2025-03-12")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per response")
    args = parser.parse_args(argv)
    faults = FAULTS if args.faults == "all" else [f for f in args.faults.split(",") if f]
    try:
        site = WireSite(port=args.port, faults=faults, synthetic_articles=args.synthetic,
                        latency=args.latency)
    except ValueError as exc:
        parser.error(str(exc))
    with site:
        # First line: the Yonhap English base URL (what scripts read); then the
        # other imitated sites, one "source-id URL" pair a line.
        print(site.base_url)
        for source, url in site.base_urls.items():
            if source != "yonhap_en":
                print(source, url)
        if faults:
            print("faults:", ", ".join(sorted(faults)))
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
