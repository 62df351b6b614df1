# AbleWork — the two commands a new user needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
MANAGE := $(PYTHON) manage.py
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/ablework_test
DEMO_PERSONS ?= 2000
DEMO_EMPLOYERS ?= 500
PYTEST_ARGS ?=

.PHONY: run install sysdeps assets migrate demo test test-sqlite test-pg check bench clean backup restore load

$(BIN)/activate:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# System packages (Debian/Ubuntu, only when run as root): CJK fonts for PDF reports, Chromium for the
# browser tests.  Skipped silently elsewhere; the browser tests then skip with a clear reason.
sysdeps:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  need=""; \
	  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need="$$need fonts-noto-cjk"; \
	  [ -x /usr/bin/chromium ] || need="$$need chromium"; \
	  if [ -n "$$need" ]; then \
	    echo "Installing system packages:$$need"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  fi; \
	fi

install: $(VENV)/.installed node_modules/.installed sysdeps

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo --persons $(DEMO_PERSONS) --employers $(DEMO_EMPLOYERS) --seed 1 --if-empty
	$(MANAGE) seed_demo_review --seed 1 --if-empty
	$(MANAGE) seed_demo_jobs --seed 1 --if-empty
	$(MANAGE) seed_demo_assisted --seed 1 --if-empty
	$(MANAGE) seed_demo_subsidies --seed 1 --if-empty
	$(MANAGE) seed_demo_exchange --seed 1 --if-empty
	$(MANAGE) seed_demo_reports --seed 1 --if-empty

# Sets everything up and runs the platform with demo data on the embedded SQLite database.
run: demo
	@$(MANAGE) demo_accounts
	@$(MANAGE) resume_tasks --stale-minutes 0  # the only worker starts now: work left running was cut off
	@echo "AbleWork: http://127.0.0.1:8000/  (task worker running; Ctrl-C stops both)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) db_worker --queue-name default --no-reload >var/worker.log 2>&1 & worker=$$!; \
	  $(MANAGE) runserver 127.0.0.1:8000 --noreload

# The whole test suite on SQLite, then again on PostgreSQL when one is reachable.
test: install
	$(MAKE) --no-print-directory test-sqlite
	@if $(PYTHON) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-pg; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): skipped the PostgreSQL run"; fi

test-sqlite:
	@echo "== tests on SQLite =="
	DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-pg:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ablework config
	$(BIN)/lint-imports
	$(MANAGE) makemigrations --check --dry-run --noinput
	$(MANAGE) spectacular --file var/openapi.yaml --validate --fail-on-warn && diff -u docs/openapi.yaml var/openapi.yaml

bench: install
	$(PYTHON) bench/run.py

# Backup of $$DATABASE_URL (pg_dump custom format / SQLite online backup) into var/backups/ with a manifest of
# row counts; restore into TARGET_DATABASE_URL (default DATABASE_URL; a non-empty target needs FORCE=1), then
# row counts and the audit hash chain are verified.  See docs/operations.md.
backup:
	$(PYTHON) scripts/backup.py backup

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/ablework-….pgdump [TARGET_DATABASE_URL=…] [FORCE=1]"; exit 2; }
	$(PYTHON) scripts/backup.py restore "$(FILE)" $(if $(FORCE),--force)

# Load test: 32 users for 10 minutes against gunicorn + PostgreSQL on loopback (bench/load/README.md).
LOAD_SECONDS ?= 600
load: install
	$(PYTHON) bench/load/run.py --seconds $(LOAD_SECONDS)

clean:
	rm -rf var/*.sqlite3* var/static var/uploads
