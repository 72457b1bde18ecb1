"""The built wheel, which every Airflow worker installs, holds the product and nothing else.

The local wire site (its invented pages, the fault server with its XML bomb
and 20 MB page), the demo and the tests' expected answers live in the
checkout's development package ``devsite/``; ``tests/`` and ``benchmarks/``
stay in the checkout too, and ``dags/`` goes into Airflow's DAGs folder.

The wheel is built offline, from a copy of the checkout (so that no ``build/``
or stale ``build/lib`` of the working tree takes part), by the project's own
setuptools without build isolation: ``make install`` puts a setuptools that
can build wheels into the venv (``requirements-dev.txt``).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Top-level entries of the wheel: the product packages and the wheel's metadata.
PRODUCT_PACKAGES = {"wiredesk", "crawlers", "parsers", "storage"}
DEVELOPMENT_ONLY = ("devsite/", "tests/", "benchmarks/", "dags/")
MUST_SHIP = (
    "wiredesk/cli.py",
    "storage/publish.py",
    "storage/schemas/article.v1.json",
    "crawlers/settings.py",
    "parsers/__init__.py",
)
NOT_COPIED = (".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
              ".ruff_cache", ".airflow")


class Wheel(NamedTuple):
    names: list[str]
    sources: dict[str, bytes]  # every .py file, by path


def offline_build_missing() -> str | None:
    """Why this interpreter cannot build a wheel without downloading anything, or None if it can."""
    import setuptools

    # setuptools 70.1 and newer carry bdist_wheel; older ones need the `wheel` package.
    if importlib.util.find_spec("setuptools.command.bdist_wheel") or importlib.util.find_spec("wheel"):
        return None
    return (f"setuptools {setuptools.__version__} without the `wheel` package cannot build a wheel offline; "
            "`make install` installs the setuptools pinned in requirements-dev.txt")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Wheel:
    missing = offline_build_missing()
    if missing:
        # CI installs through `make`, so there the tool must be present.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(missing)
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    out = tmp / "dist"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp,
    )
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    wheels = list(out.glob("wiredesk-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as archive:
        names = archive.namelist()
        return Wheel(names, {name: archive.read(name) for name in names if name.endswith(".py")})


def test_wheel_ships_no_development_code(wheel):
    assert not [n for n in wheel.names if n.startswith(DEVELOPMENT_ONLY)]
    assert not [n for n in wheel.names if "wiresite" in n.lower() or "devsite" in n.lower()]
    assert not [n for n in wheel.names if n.endswith(("/localsite.py", "commands/demo.py"))]
    top_level = {n.split("/", 1)[0] for n in wheel.names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == PRODUCT_PACKAGES


def test_wheel_ships_the_product(wheel):
    assert not [path for path in MUST_SHIP if path not in wheel.names]


def test_no_shipped_module_imports_the_development_package(wheel):
    importers = []
    for name, code in wheel.sources.items():
        for node in ast.walk(ast.parse(code, filename=name)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            if any(m == "devsite" or m.startswith("devsite.") for m in modules):
                importers.append(name)
    assert not importers
