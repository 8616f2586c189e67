# psoasapp: `make run` serves the site with demo content; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

# Django 6 needs Python 3.12+. PYTHON=/path/to/python wins; otherwise the first
# candidate that runs and is new enough (pyenv shims that are not selected
# fail to run, so they are skipped).
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3 python \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)) \
	$(sort $(wildcard /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]))
find_python = $(shell for p in $(if $(PYTHON),$(PYTHON),$(PYTHON_CANDIDATES)); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: help run test lint format migrate seed superuser browser clean bench

help:
	@echo "make run        set up and serve the site with demo content on http://$(HOST):$(PORT)/"
	@echo "make test       set up and run the whole test suite (lint included)"
	@echo "make superuser  create an admin account"
	@echo "make bench      run the benchmarks under bench/"
	@echo "make clean      remove the virtualenv, database, collected static files and media"

$(VENV)/.python:
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
		echo "psoasapp needs Python 3.12 or newer. Install it, or point at one: make PYTHON=/path/to/python3.12 ..." >&2; \
		exit 1; \
	fi; \
	echo "Using $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV) && echo "$$py" > $@

$(VENV)/.installed: $(VENV)/.python requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

var/secret_key:
	@mkdir -p var
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# Plain HTTP on this machine, production behaviour otherwise: real error pages,
# hashed static files, no debug toolbar of tracebacks.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-false} DJANGO_HTTPS=$${DJANGO_HTTPS:-false}

# Hashing and compressing every static file takes seconds, so it only runs
# again when a static file (or a package that ships some) has changed.
staticfiles/staticfiles.json: $(VENV)/.installed $(shell find static -type f)
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@touch $@

run: $(VENV)/.installed var/secret_key staticfiles/staticfiles.json
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: make superuser; Ctrl-C stops)"
	@trap 'kill $$worker $$reaper 2>/dev/null; wait $$worker $$reaper 2>/dev/null' EXIT; \
	$(RUN_ENV) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	$(RUN_ENV) $(PY) manage.py reap_videos --every 60 & reaper=$$!; \
	$(RUN_ENV) $(BIN)/gunicorn -c gunicorn.conf.py psoasapp.wsgi

superuser: $(VENV)/.installed
	$(PY) manage.py createsuperuser

# Browser tests drive Debian's Chromium. Install it when we can (root + apt);
# otherwise say what to run. On CI a missing browser fails the tests loudly.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else \
		echo "Browser tests need Chromium at /usr/bin/chromium: run  sudo apt-get install chromium  (they are skipped until then)." >&2; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The second pass runs the database and cache code against PostgreSQL and Redis,
# as a site run at scale would (see README). Without those services on this
# machine it says so and is skipped; on CI (CI=true) it fails.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/psoasapp
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

test: $(VENV)/.installed-dev browser lint
	$(BIN)/pytest $(PYTEST_ARGS)
	@echo "== again on PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest -m "not browser" -p no:cacheprovider $(PYTEST_ARGS)

# bench/run.py sets up its own site (migrate, collectstatic, demo data) in a temporary
# directory. About 10 minutes; BENCH_SECONDS=1 or BENCH_ARGS="--only pages,queries" for less.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
	find media -mindepth 1 ! -name .gitkeep -delete
