# serverless-chat — every verb a user needs. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.12
VENV   := .venv
BIN    := $(VENV)/bin
BUILD  := build
PYTHON_SOURCES := lambdas scripts/*.py tests/__init__.py tests/unit

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- Python environments
# `.venv` with what running the stack needs; the test tooling is added by `make test`.
$(BIN)/.local: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[local]'
	@touch $@

$(BIN)/.dev: $(BIN)/.local
	$(BIN)/pip install --quiet -e '.[local,dev]'
	@touch $@

.PHONY: venv
venv: $(BIN)/.dev ## Create or update the development virtual environment

# ---------------------------------------------------------------- Lambda package
.PHONY: package
package: $(BIN)/.local ## Build build/lambdas.zip (deterministic) and print its size and sha256
	$(BIN)/python scripts/build_lambda_zip.py

.PHONY: runtime-lock
runtime-lock: $(BIN)/.local ## Re-pin lambdas/requirements.lock from pyproject.toml's dependencies
	$(BIN)/python scripts/lock_runtime_requirements.py

# ---------------------------------------------------------------- Checks
.PHONY: lint
lint: $(BIN)/.dev ## ruff (format + lint) and mypy --strict on lambdas/
	$(BIN)/ruff format --check $(PYTHON_SOURCES)
	$(BIN)/ruff check $(PYTHON_SOURCES)
	$(BIN)/mypy

.PHONY: test-unit
test-unit: $(BIN)/.dev ## Unit tests of the Lambda package
	$(BIN)/pytest tests/unit

.PHONY: test
test: lint test-frontend test-unit ## Every check the project has

# ---------------------------------------------------------------- Frontend
# npm's own record of what it installed; older than package-lock.json means node_modules is stale.
FRONTEND_INSTALLED := frontend/node_modules/.package-lock.json

$(FRONTEND_INSTALLED): frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

.PHONY: frontend
frontend: $(FRONTEND_INSTALLED) ## Build the chat page into frontend/dist
	cd frontend && npm run --silent build

.PHONY: test-frontend
test-frontend: $(FRONTEND_INSTALLED) ## Typecheck the chat page and run its Vitest tests
	cd frontend && npm run --silent typecheck && npm run --silent test
