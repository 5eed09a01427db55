# Tributary: `make run` serves the demo catalog, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Every package and version a machine installs, with hashes: `make lock` refreshes it.
LOCK := requirements.lock
BENCH_LOCK := requirements-bench.lock
UV_VERSION := 0.13.9
UV := $(VENV)/lock-tool/bin/uv
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet
# `make lock` moves every package to the newest release its pyproject range allows;
# `make lock UPGRADE="--upgrade-package sqlglot"` moves only that one.
UPGRADE ?= --upgrade
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock bench-install run serve test lint format bench clean

$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) .ci/check_lock.py $(LOCK)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# What `bench/sql_lineage.py` compares against (sqllineage), on top of the main lock.
bench-install: install
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(BENCH_LOCK)

lock:
	test -x $(UV) || { $(PYTHON) -m venv $(VENV)/lock-tool && \
	  $(VENV)/lock-tool/bin/pip install --quiet uv==$(UV_VERSION); }
	$(UV) pip compile pyproject.toml build-requirements.in --extra dev $(LOCK_FLAGS) \
	  $(UPGRADE) -o $(LOCK)
	$(UV) pip compile pyproject.toml build-requirements.in --extra dev --extra bench \
	  -c $(LOCK) $(LOCK_FLAGS) $(UPGRADE) -o $(BENCH_LOCK)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_admin
	@echo "Tributary is serving on http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/ingest.py
	$(PY) bench/analysis.py
	$(PY) bench/lineage.py
	$(PY) bench/execution.py

clean:
	rm -rf var/*.sqlite3* var/static
