"""Subcommands of ``wiredesk``: each module has ``register(subparsers)``.

``register`` adds one subparser and sets ``func`` to a callable taking the
parsed arguments and returning the process exit code.
"""

from __future__ import annotations

import argparse


def add_storage_option(parser: argparse.ArgumentParser) -> None:
    """``--storage URL``, one wording for every command that reads or writes the store.

    The default is resolved when the command runs (``None`` here), by the same
    rule as the DAGs: ``$WIREDESK_STORAGE_URL``, else ``file://<cwd>/var/store``.
    """
    parser.add_argument(
        "--storage", default=None,
        help="storage URL (default: $WIREDESK_STORAGE_URL, else file://<cwd>/var/store)",
    )
