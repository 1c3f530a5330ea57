# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PY_BOOT := $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1 && echo python3.12 || \
	(ls $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | tail -n1) || echo python3)
PY_BOOT := $(if $(PY_BOOT),$(PY_BOOT),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Every dependency, pinned with hashes (`make lock` writes both files; LOCK_ARGS=--upgrade moves the pins).
# The lock is the whole closure, so pip installs it as it is (--no-deps) and `pip check` proves it complete.
LOCK := requirements-dev.lock
LAYER_LOCK := layers/common/requirements.lock
LOCK_ARGS ?=
# The project installs without build isolation, so its build tools are in the lock too.
BUILD_TOOLS := pip 'setuptools>=69' wheel
# The Lambda runtime ships these: the layer's lock leaves them out.
RUNTIME_PROVIDED := boto3 botocore s3transfer jmespath python-dateutil urllib3 six

.PHONY: install lock run test test-fast lint bench deploy-check clean

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PY_BOOT) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

lock: install
	printf '%s\n' $(BUILD_TOOLS) | $(BIN)/uv pip compile --quiet --generate-hashes --universal \
		--python-version 3.11 --custom-compile-command 'make lock' $(LOCK_ARGS) \
		pyproject.toml --extra dev - -o $(LOCK)
	cd $(dir $(LAYER_LOCK)) && $(CURDIR)/$(BIN)/uv pip compile --quiet --generate-hashes \
		--python-version 3.12 --python-platform x86_64-manylinux2014 --custom-compile-command 'make lock' \
		-c ../../$(LOCK) $(addprefix --no-emit-package ,$(RUNTIME_PROVIDED)) requirements.txt -o requirements.lock

# `make run PORT=9000` (or HOST=0.0.0.0) when 8042 is taken; DEV_ARGS passes any other `42min dev` option.
PORT ?= 8042
HOST ?= 127.0.0.1
DEV_ARGS ?=
run: install
	$(BIN)/42min dev --port $(PORT) --host $(HOST) $(DEV_ARGS)

# The gates run first: a change that fails lint, format, types or complexity fails `make test`.
test: lint
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -n 2 tests/unit tests/integration $(PYTEST_ARGS)

# ruff check includes the complexity limit (C901); mypy reads its scope and overrides from pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict

bench: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench

deploy-check: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.deploy_check

clean:
	rm -rf .aws-sam build dist *.egg-info .pytest_cache
