# Developer and CI entry points.  `make test` works from a fresh clone (as root, with sudo, or
# with the Debian packages below already installed); `make run` starts the app with demo data.
# Both build the front-end assets first (`make assets`: frontend/ -> app/static/dist/).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := test

PORT ?= 5000
PYTEST_ARGS ?=
# Two workers, one per core here; each starts its own PostgreSQL cluster and SQLite template.
PYTEST_WORKERS ?= 2
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app

# Debian packages the test suite needs.  To add one, append it here and, if the package
# name alone is not a good "already there?" probe, define check_<package> below.
#   postgresql: throwaway test cluster (tests/pg_cluster.py)
#   chromium: the browser tests (Playwright drives Debian's Chromium; no `playwright install`)
#   libreoffice-writer-nogui: soffice for the print batch's PDF (docs/print_batch.md);
#   fonts-liberation2: Arial's metrics, so the PDF breaks pages where Word does
DEBIAN_PACKAGES := postgresql chromium libreoffice-writer-nogui fonts-liberation2
# Debian packages `make assets` needs when the machine has no Node.js of its own.
NODE_PACKAGES := nodejs npm

# Shell tests that a package's files are present (default: `dpkg -s <package>`).  Checking
# the files rather than the package name means a machine that already has them
# (e.g. from postgresql-15 alone) installs nothing.
check_postgresql = command -v pg_config >/dev/null 2>&1 && test -x "$$(pg_config --bindir)/initdb"
check_chromium = command -v chromium >/dev/null 2>&1
# Any LibreOffice will do; installing the nogui one would remove a desktop's libreoffice-core.
check_libreoffice-writer-nogui = command -v soffice >/dev/null 2>&1
# Node.js counts as there when npm is (a NodeSource nodejs bundles npm; Debian's does not).
check_nodejs = command -v npm >/dev/null 2>&1
check_npm = command -v npm >/dev/null 2>&1

# Front-end assets (docs/frontend.md): npm packages pinned by frontend/package-lock.json, built
# into app/static/dist/ (git-ignored).  Stamps rebuild only when the lock or the sources change.
NPM := npm --prefix frontend
NODE_STAMP := frontend/node_modules/.installed
ASSETS_STAMP := app/static/dist/.built

.PHONY: test system-deps node-deps assets run bench lint clean venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(VENV)/bin/pip install -e '.[test]'
	touch $@

# Recipe installing those of the Debian packages $(1) that are missing, as root or with sudo.
define install_debian_packages
	@missing=""  # quiet: on a provisioned machine this prints nothing
	$(foreach p,$(1),if ! { $(or $(check_$(p)),dpkg -s $(p) >/dev/null 2>&1); }; then missing="$$missing $(p)"; fi;)
	if [ -z "$$missing" ]; then exit 0; fi
	sudo=""
	if [ "$$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "Missing Debian packages:$$missing" >&2
			echo "Install them as root with: apt-get install -y --no-install-recommends$$missing" >&2
			exit 1
		fi
		sudo=sudo
	fi
	$$sudo apt-get update
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing
endef

system-deps:
	$(call install_debian_packages,$(DEBIAN_PACKAGES))

node-deps:
	$(call install_debian_packages,$(NODE_PACKAGES))

# `npm ci` only when node_modules is missing or package.json / the lock changed.  No install
# scripts: esbuild's binary comes as a package of its own, and sass needs none.
$(NODE_STAMP): frontend/package.json frontend/package-lock.json | node-deps
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

$(ASSETS_STAMP): $(NODE_STAMP) frontend/build.mjs $(shell find frontend/src -type f)
	$(NPM) run --silent build
	touch $@

assets: $(ASSETS_STAMP)

test: system-deps venv assets
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

run: venv assets
	@$(FLASK) init
	$(FLASK) seed-demo
	echo "Casework at http://127.0.0.1:$(PORT)/ (sign in as a demo user above); API at /api/v1 (OpenAPI: /api/v1/openapi.json). Ctrl-C stops the web server, the scheduler and the letter worker."
	$(FLASK) scheduler &
	scheduler_pid=$$!
	$(FLASK) letter-worker &
	worker_pid=$$!
	# Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C alone would
	# leave them running: kill them whenever this shell exits or is interrupted.
	trap 'kill $$scheduler_pid $$worker_pid 2>/dev/null || true' EXIT INT TERM
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

bench: venv
	$(PY) bench/engine_cycle.py
	$(PY) bench/http_completion.py
	$(PY) bench/search.py
	$(PY) bench/inbox.py
	$(PY) bench/print_batch.py
	$(PY) bench/letters.py
	$(PY) bench/timers.py
	$(PY) bench/dp_monitoring.py

lint: venv
	$(VENV)/bin/ruff check app tests bench tools

clean:
	rm -rf $(VENV) instance/ .pgtest/ frontend/node_modules/ app/static/dist/
