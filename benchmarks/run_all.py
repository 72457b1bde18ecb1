"""``make bench``: every benchmark, each against its baseline in the same run.

Each module prints its own table of absolute numbers and ratios; a module
whose prerequisites are missing (e.g. no ``../shared/corpus``) says so and is
skipped, so the command always finishes.  Each runs in a fresh interpreter:
memory high-water marks (``ru_maxrss``) are inherited across ``fork``+``exec``,
so a benchmark started from a process that already holds another benchmark's
data would report that process's peak instead of its own.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    ("parsers", "benchmarks.bench_parsers"),
    ("storage", "benchmarks.bench_storage"),
    ("table", "benchmarks.bench_table"),
    ("crawl", "benchmarks.bench_crawl"),
    ("celery", "benchmarks.bench_celery"),
)


def main(argv: list[str] | None = None) -> int:
    wanted = set(argv if argv is not None else sys.argv[1:])
    failed = []
    for name, module_name in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ({module_name}) ===", flush=True)
        started = time.perf_counter()
        # One broken benchmark must not hide the others' numbers.
        done = subprocess.run([sys.executable, "-c", f"import {module_name} as m; m.main()"], check=False)
        if done.returncode != 0:
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
