# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PY_BOOT := $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1 && echo python3.12 || \
	(ls $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | tail -n1) || echo python3)
PY_BOOT := $(if $(PY_BOOT),$(PY_BOOT),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test test-fast lint bench deploy-check clean

install: $(STAMP)

$(STAMP): pyproject.toml layers/common/requirements.txt
	@test -x $(BIN)/python || $(PY_BOOT) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/42min dev

test: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -n 2 tests/unit tests/integration $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

bench: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench

deploy-check: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.deploy_check

clean:
	rm -rf .aws-sam build dist *.egg-info .pytest_cache
