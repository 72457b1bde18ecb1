"""``make bench``: every benchmark, each against its baseline in the same run.

Each module prints its own table of absolute numbers and ratios; a module
whose prerequisites are missing (e.g. no ``../shared/corpus``) says so and is
skipped, so the command always finishes.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

BENCHMARKS = (
    ("parsers", "benchmarks.bench_parsers"),
    ("storage", "benchmarks.bench_storage"),
    ("crawl", "benchmarks.bench_crawl"),
)


def main(argv: list[str] | None = None) -> int:
    wanted = set(argv if argv is not None else sys.argv[1:])
    failed = []
    for name, module_name in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ({module_name}) ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(module_name).main()
        except Exception:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
