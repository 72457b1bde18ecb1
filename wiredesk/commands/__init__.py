"""Subcommands of ``wiredesk``: each module has ``register(subparsers)``.

``register`` adds one subparser and sets ``func`` to a callable taking the
parsed arguments and returning the process exit code.
"""
