# Loa: `make run` for a local instance, `make test` for the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test setup install install-dev messages-compile lint format messages bench clean

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Test-only packages and tools (requirements-dev.txt): tests, ruff, locale_admin/build.py.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

install-dev: $(DEV_STAMP)

# Compiled catalogues are committed too, so a machine without gettext still has them.
messages-compile:
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore='.venv/*' -v 0; fi

setup: install messages-compile
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo

run: setup
	$(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "Loa is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Log in as admin / loa-admin (local only). Ctrl-C stops the web server and the worker."
	@echo ""
	$(PY) -m cms.runlocal --port $(PORT)

# Integration tests use the real servers; the defaults are the ones CI starts.
INTEGRATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
INTEGRATION_BROKER_URL ?= redis://127.0.0.1:6379/15

# Two sessions: unit and browser tests need no servers (SQLite, tasks inline);
# integration tests run on PostgreSQL and Redis with a real worker process.
test: setup install-dev
	$(PY) -m pytest -m "not integration" $(PYTEST_ARGS)
	DATABASE_URL=$(INTEGRATION_DATABASE_URL) CELERY_BROKER_URL=$(INTEGRATION_BROKER_URL) \
	CELERY_TASK_ALWAYS_EAGER=0 $(PY) -m pytest -m integration tests/integration $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l vi -l en --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

bench: install
	$(PY) -m bench

clean:
	rm -rf var/broker var/tmp
