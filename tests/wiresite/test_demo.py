"""``make demo`` runs ``python -m devsite.demo`` from the checkout; the product CLI has no demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wiredesk.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_from_the_checkouts_development_package():
    result = subprocess.run([sys.executable, "-m", "devsite.demo", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--workdir" in result.stdout and "--storage" in result.stdout
    assert "$(BIN)/python -m devsite.demo" in (ROOT / "Makefile").read_text()


def test_the_product_cli_has_no_demo():
    assert "demo" not in COMMANDS
