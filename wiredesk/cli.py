"""The ``wiredesk`` command line.

Each subcommand lives in its own module under :mod:`wiredesk.commands` and
exposes ``register(subparsers)``; this file only assembles them, so a
subcommand can be added without touching the others.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from wiredesk import redact

#: Subcommand modules, in the order ``wiredesk --help`` lists them.
COMMANDS = ("run", "trigger", "crawl", "publish", "reindex", "reparse", "sources", "parse", "ls", "cat",
            "changes", "vacuum", "ddl", "airflow_ui")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wiredesk",
        description="Crawl news sources, parse wire-clean articles, publish them to object storage.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"wiredesk.commands.{name}")
        except ModuleNotFoundError as exc:  # a light install ('wiredesk[read]') lacks the crawler
            _register_missing(subparsers, name, exc.name or str(exc))
            continue
        module.register(subparsers)
    return parser


def _register_missing(subparsers: argparse._SubParsersAction, name: str, missing: str) -> None:
    """A command whose dependencies are not installed: listed, and one line when run."""
    command = name.replace("_", "-")
    parser = subparsers.add_parser(command, help="(needs 'pip install wiredesk[pipeline]')",
                                   add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER)

    def unavailable(args: argparse.Namespace) -> int:
        print(f"error: '{command}' needs the pipeline's packages ({missing} is not installed): "
              "pip install 'wiredesk[pipeline]'", file=sys.stderr)
        return 1

    parser.set_defaults(func=unavailable)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: 0 on success, 1 for an error it explains in one line, 2 for usage.

    Whatever a command raises ends here as ``error: <what is wrong> (<what to do>)``
    on stderr, secrets masked; the traceback only with ``-v``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    redact.install()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place every error becomes one line
        if args.verbose:
            logging.getLogger("wiredesk").exception("%s failed", args.command)
        print(redact.redact(f"error: {explain(exc)}"), file=sys.stderr)
        return 1


def explain(exc: BaseException) -> str:
    """One line: what went wrong and, where we know it, what to do about it."""
    import yaml

    from storage.errors import StorageAuthError, StorageError, StorageUnavailable

    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or exc}: no such file (check the path)"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename}: is a directory, expected a file"
    if isinstance(exc, PermissionError):
        return f"{exc.filename or exc}: permission denied"
    if isinstance(exc, yaml.YAMLError):
        return f"not valid YAML: {' '.join(str(exc).split())}"
    if isinstance(exc, StorageAuthError):
        return f"{exc} (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or a role)"
    if isinstance(exc, StorageUnavailable):
        return f"{exc} (is the store running and WIREDESK_S3_ENDPOINT_URL right?)"
    if isinstance(exc, StorageError):
        return str(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, (ValueError, KeyError)) and first:
        return first.strip("\"'")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
