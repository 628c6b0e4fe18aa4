# Developer entry points. `make` alone lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Rebuilt whenever pyproject.toml changes (new or updated dependencies).
INSTALLED := $(VENV)/.installed
PACKAGES := activities config dev domain gateway models rendering security services templates web workflows

.PHONY: help install run test bench lint migrate revision clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml package-lock.json
	python3 -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	npm ci --no-audit --no-fund
	touch $@

install: $(INSTALLED) ## Create .venv and install the project with its dev tools (and axe-core for the browser tests)

run: $(INSTALLED) ## Run everything on this machine: Temporal dev server, worker, web app, SMTP catcher
	$(BIN)/cravelynos dev

test: $(INSTALLED) ## Run the whole test suite (installs Chromium, starts PostgreSQL if needed)
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	@pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	$(BIN)/pytest --durations=20

bench: $(INSTALLED) ## Run the benchmarks
	$(BIN)/python -m bench

lint: $(INSTALLED) ## Lint, check formatting, types (strict for domain/ and workflows/) and the layer rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(PACKAGES) cli.py worker.py bench
	$(BIN)/mypy --strict domain workflows
	$(BIN)/lint-imports

migrate: $(INSTALLED) ## Bring the configured database (CRAVELYNOS_DATABASE_URL) to the latest schema
	$(BIN)/cravelynos migrate

revision: $(INSTALLED) ## New migration from the model changes: make revision MSG="add consent table"
	@test -n "$(MSG)" || (echo 'usage: make revision MSG="what changed"' >&2; exit 2)
	$(BIN)/python -m models.migrate revision -m "$(MSG)"

clean: ## Remove caches and build output (keeps .venv, and .data with the dev keys and database)
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info tests/.artifacts bench/results
