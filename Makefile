# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: messages run test js-tools test-clocks clock-tools screenshots bench bench-smoke bench-tools install migrate demo lint format check-python clean backup restore

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Journease needs Python 3.11 or newer (set PYTHON=...).")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py seed_demo

## Serve the app on PORT with a Celery worker and beat, on demo data. Ctrl-C stops all three.
run: export DEBUG ?= 1
run: export PORT := $(PORT)
# honcho gives each process its own PORT (web 8000, worker 8100, ...): fix the link address here.
run: export SITE_URL ?= http://localhost:$(PORT)
run: demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

## The Spanish catalogue: every marked string into locale/es/LC_MESSAGES/django.po (GNU gettext's
## xgettext, for whoever edits the translations), then the .mo compiled in pure Python.
messages: install
	$(BIN)/python manage.py makemessages -l es --add-location=file --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore=node_modules --ignore=deploy --ignore=docs
	$(BIN)/python manage.py catalogue_compile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Mozilla's ical.js (Thunderbird's calendar parser), which the calendar tests run with node: from
# tests/js/package.json (an exact version), only when node exists and it is not installed yet.
js-tools:
	@if command -v node > /dev/null && [ ! -d tests/js/node_modules ]; then \
	  echo "Installing ical.js for the calendar tests"; \
	  npm install --no-package-lock --no-audit --no-fund --prefix tests/js > /dev/null; fi

## Lint, then the whole test suite (SQLite unless DATABASE_URL is set).
test: lint js-tools
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run > /dev/null || (echo "Model changes without a migration: run makemigrations." && exit 1)
	$(BIN)/pytest -n auto

# Instants the suite is also run at (UTC): Sunday 22:30 in the clinic (quiet hours, the week's
# end), the hour after the spring-forward jump, and New Year's Eve 23:30 in the clinic (already
# the next year in UTC). CLOCKS="..." runs others.
CLOCKS ?= 2026-12-07T05:30:00Z 2027-03-14T09:30:00Z 2028-01-01T06:30:00Z

# Debian's faketime moves the clock of the whole process tree (Python and SQLite alike).
clock-tools:
	@command -v faketime > /dev/null || { echo "Installing faketime"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq faketime > /dev/null; }

## The suite (browser tests aside) on SQLite with the clock moved to each of CLOCKS: it must pass
## at any hour of any day. Without faketime, time_machine moves Python's clock (--clock).
test-clocks: install clock-tools
	@for at in $(CLOCKS); do \
	  echo "== the suite at $$at"; \
	  if command -v faketime > /dev/null; then \
	    FAKE=(env TZ=UTC FAKETIME_DONT_RESET=1 FAKETIME_SKIP_CMDS=redis-server faketime -f "@$$(date -u -d "$$at" '+%Y-%m-%d %H:%M:%S')"); \
	  else FAKE=(); fi; \
	  env -u DATABASE_URL -u REDIS_URL -u JOURNEASE_REQUIRE_SERVICES JOURNEASE_VAR_DIR=$(abspath var/clocks) \
	    "$${FAKE[@]}" $(BIN)/pytest -n auto -q -m "not e2e" --ignore=tests/e2e --clock="$$at" -p no:cacheprovider || exit 1; \
	done

## Retake the screenshots of the main pages in docs/screenshots/ (demo data, desktop and phone).
screenshots: install
	$(BIN)/pytest -m screenshots tests/e2e/test_screenshots.py

# The load generator comes from the system's packages (Debian: wrk); pgbench comes with PostgreSQL.
bench-tools:
	@command -v wrk > /dev/null || { echo "Installing wrk"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk > /dev/null; }
	@command -v pgbench > /dev/null || { echo "pgbench is missing: it comes with PostgreSQL's server package."; exit 1; }

## Benchmarks on PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL; see README): scales 1
## and 10, a table, and var/bench/results.json. BENCH_ARGS passes options (python -m bench --help).
bench: install bench-tools
	$(BIN)/python -m bench --rounds 3 $(BENCH_ARGS)

## The same benchmark at the smallest scale in under a minute: proves it runs, not how fast (CI).
bench-smoke: install bench-tools
	$(BIN)/python -m bench --smoke

## A PostgreSQL dump and its manifest in JOURNEASE_BACKUP_DIR (default var/backups); copy both off
## the machine, encrypted (README, Operations). Uses the installed environment as it is.
backup:
	@test -x $(BIN)/python || { echo "No $(VENV): run make install first (or set VENV=...)."; exit 1; }
	$(BIN)/python manage.py backup

## Restore a dump into a new or empty database and check it: make restore DUMP=... TARGET=name
restore:
	@test -n "$(DUMP)" -a -n "$(TARGET)" || { echo "Usage: make restore DUMP=path/to/journease-....dump TARGET=new_database_name"; exit 2; }
	@test -x $(BIN)/python || { echo "No $(VENV): run make install first (or set VENV=...)."; exit 1; }
	$(BIN)/python manage.py restore "$(DUMP)" --target "$(TARGET)"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
