"""Regenerate the expected parser output under ``tests/parsers/expected/``.

    python -m tests.parsers.regenerate            # show diffs, then write
    python -m tests.parsers.regenerate --check    # show diffs, write nothing, exit 1 if any
    python -m tests.parsers.regenerate pages/     # only cases whose name contains "pages/"

Each expected file holds one record per parser version (``{"1.0": {...}}``),
as fundus keeps its test JSON: regenerating replaces the entry of the
current version and keeps older versions' entries, so pages archived under an
old design stay pinned to what the old parser produced.  Review the printed
diff before committing; nobody edits these files by hand.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys

from tests.parsers.cases import Case, all_cases, dump


def _diff(case: Case) -> tuple[str, str | None]:
    record = case.parse()
    old_text = case.expected.read_text() if case.expected.exists() else "{}\n"
    versions = json.loads(old_text)
    versions[record["parser"]["version"]] = record
    new_text = dump(versions)
    if new_text == old_text:
        return new_text, None
    diff = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"{case.expected.name} (stored)",
            tofile=f"{case.expected.name} (parser now)",
        )
    )
    return new_text, diff


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("only", nargs="*", help="substrings of case names to regenerate")
    options.add_argument("--check", action="store_true", help="only show differences")
    args = options.parse_args(argv)
    changed = 0
    for case in all_cases():
        if args.only and not any(part in case.name for part in args.only):
            continue
        new_text, diff = _diff(case)
        if diff is None:
            continue
        changed += 1
        print(f"=== {case.name}")
        print(diff)
        if not args.check:
            case.expected.parent.mkdir(parents=True, exist_ok=True)
            case.expected.write_text(new_text)
    print(f"{changed} expected file(s) {'differ' if args.check else 'written'}", file=sys.stderr)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
