# Developer and CI entry points.  `make test` works from a fresh clone (as root or with the
# Debian packages below already installed); `make run` starts the app with demo data.
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
DEBIAN_PACKAGES := postgresql

# Shell tests that a package's files are present (default: `dpkg -s <package>`).  Checking
# the files rather than the package name means a machine that already has them
# (e.g. from postgresql-15 alone) installs nothing.
check_postgresql = command -v pg_config >/dev/null 2>&1 && test -x "$$(pg_config --bindir)/initdb"
check_chromium = test -x /usr/bin/chromium

.PHONY: test system-deps run bench lint clean venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(VENV)/bin/pip install -e '.[test]'
	touch $@

system-deps:
	@missing=""  # quiet: on a provisioned machine this target prints nothing
	$(foreach p,$(DEBIAN_PACKAGES),if ! { $(or $(check_$(p)),dpkg -s $(p) >/dev/null 2>&1); }; then missing="$$missing $(p)"; fi;)
	if [ -z "$$missing" ]; then exit 0; fi
	if [ "$$(id -u)" -ne 0 ]; then
		echo "Missing Debian packages:$$missing" >&2
		echo "Install them with: sudo apt-get install -y$$missing" >&2
		exit 1
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing

test: system-deps venv
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

run: venv
	@$(FLASK) init
	$(FLASK) seed-demo
	echo "Casework API at http://127.0.0.1:$(PORT)/api/v1  (OpenAPI: /api/v1/openapi.json; Ctrl-C stops web server and scheduler)"
	$(FLASK) scheduler &
	scheduler_pid=$$!
	# Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C alone would
	# leave the scheduler running: kill it whenever this shell exits or is interrupted.
	trap 'kill $$scheduler_pid 2>/dev/null || true' EXIT INT TERM
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

bench: venv
	$(PY) bench/engine_cycle.py
	$(PY) bench/search.py

lint: venv
	$(VENV)/bin/ruff check app tests bench tools

clean:
	rm -rf $(VENV) instance/ .pgtest/
