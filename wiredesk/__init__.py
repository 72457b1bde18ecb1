"""wiredesk: the composition root (command line, run-one-source, demo site)."""

__version__ = "0.1.0"
