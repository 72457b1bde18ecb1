# wiredesk: every target sets up what it needs; `make demo` and `make test`
# work on a fresh clone with Python 3.11+ and nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install demo test lint eval bench up down ui-check constraints clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-read.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wiredesk needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# The demo and its local wire site live in devsite/, a development package of
# the checkout that the wheel does not ship; run from here, it is importable.
demo: $(STAMP)
	$(BIN)/python -m devsite.demo

# The local stack: SeaweedFS, the bundled wire site and Airflow's UI, in the background until
# `make down`. `make up FAULTS=all` (or a comma-separated list) serves the site with faults.
PORT ?= 8080
FAULTS ?=
up: $(STAMP)
	$(BIN)/python -m devsite.stack up --port $(PORT) --faults "$(FAULTS)"

down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m devsite.stack down; else echo "no stack (no $(VENV))"; fi

# Starts the stack, triggers a day, checks the grid in headless Chromium, saves screenshots.
ui-check: $(STAMP)
	$(BIN)/python -m devsite.ui_check

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

eval: $(STAMP)
	$(BIN)/python -m benchmarks.eval_parsers

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

# Regenerate the transitive pin set after changing requirements.txt.
constraints:
	rm -rf /tmp/wiredesk-constraints-venv
	$(PYTHON) -m venv /tmp/wiredesk-constraints-venv
	/tmp/wiredesk-constraints-venv/bin/pip install --quiet -r requirements.txt
	/tmp/wiredesk-constraints-venv/bin/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache
