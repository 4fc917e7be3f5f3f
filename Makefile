# EAILI5 task runner: the README's commands and CI both come through here.
#   make run    — install, build the SPA, migrate, serve everything on http://127.0.0.1:8000
#   make test   — install what tests need, run backend + frontend unit + browser end-to-end tests
#   make lint   — ruff, mypy strict, ESLint, tsc, and the generated-code freshness check

SHELL := /bin/bash
PYTHON ?= python3
VENV := backend/.venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install build migrate openapi gen-api check-generated \
        test-backend test-frontend test-e2e test-infra infra-tools bench bench-tutor clean

# --- installation -------------------------------------------------------------------------
$(VENV)/.installed: backend/requirements.lock backend/requirements-dev.lock backend/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "EAILI5 needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r backend/requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e backend
	@touch $@

frontend/node_modules/.installed: frontend/package-lock.json frontend/package.json
	@node -e 'const [major, minor] = process.versions.node.split(".").map(Number); if (major < 20 || (major === 20 && minor < 19)) { console.error("EAILI5 needs Node 20.19 or newer"); process.exit(1) }'
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed frontend/node_modules/.installed

# Infra test tools stay out of the app's lock: checkov + hadolint in one venv, python-hcl2 in another
# (checkov's bc-python-hcl2 installs the same `hcl2` module). Stamps keep the heavy install cached.
INFRA_VENV := infra/.venv
INFRA_HCL2_VENV := infra/.venv-hcl2
$(INFRA_VENV)/.installed: infra/requirements.lock
	$(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(INFRA_VENV)/bin/python -m pip install --quiet -r infra/requirements.lock
	@touch $@

$(INFRA_HCL2_VENV)/.installed: infra/requirements-hcl2.lock
	$(PYTHON) -m venv $(INFRA_HCL2_VENV)
	$(INFRA_HCL2_VENV)/bin/python -m pip install --quiet -r infra/requirements-hcl2.lock
	@touch $@

infra-tools: $(INFRA_VENV)/.installed $(INFRA_HCL2_VENV)/.installed

# --- run ----------------------------------------------------------------------------------
build: frontend/node_modules/.installed
	cd frontend && npm run build

migrate: $(VENV)/.installed
	$(BIN)/eaili5 migrate

run: install build migrate
	$(BIN)/eaili5 serve --host $(HOST) --port $(PORT)

# --- generated code -----------------------------------------------------------------------
openapi: $(VENV)/.installed
	$(BIN)/eaili5 openapi > frontend/openapi.json

gen-api: openapi frontend/node_modules/.installed
	cd frontend && npm run gen:api

# Fails when the committed OpenAPI document or the generated client is stale.
check-generated: install
	@$(BIN)/eaili5 openapi | diff -q - frontend/openapi.json >/dev/null \
	  || { echo "frontend/openapi.json is stale: run 'make gen-api' and commit"; exit 1; }
	@tmp=$$(mktemp -d) && cp -r frontend/src/client "$$tmp/before" \
	  && (cd frontend && npm run --silent gen:api >/dev/null) \
	  && diff -r "$$tmp/before" frontend/src/client >/dev/null \
	  || { echo "frontend/src/client is stale: run 'make gen-api' and commit"; exit 1; }
	@echo "generated code is current"

# --- quality ------------------------------------------------------------------------------
lint: install check-generated
	cd backend && .venv/bin/ruff check src tests migrations
	cd backend && .venv/bin/ruff format --check src tests migrations
	backend/.venv/bin/ruff check bench  # bench/ruff.toml: the backend's rules, for scripts
	cd backend && .venv/bin/mypy
	cd frontend && npm run lint
	cd frontend && npm run typecheck

test: test-backend test-frontend test-e2e test-infra

# Runs on SQLite + in-process always, and also on PostgreSQL + Redis when
# EAILI5_TEST_DATABASE_URL and EAILI5_TEST_REDIS_URL are set.
test-backend: $(VENV)/.installed
	cd backend && .venv/bin/pytest -q -ra --ignore=tests/infra

test-frontend: frontend/node_modules/.installed
	cd frontend && npm run test:unit

test-e2e: install build
	tools/e2e-with-server.sh

# Containers, nginx, Terraform, Cloud Build and backup scripts (backend/tests/infra), offline.
test-infra: install infra-tools build
	cd backend && .venv/bin/pytest tests/infra -q -ra

# Every benchmark on PostgreSQL + Redis, one after another, then bench/REPORT.md (see bench/README.md).
# Not part of `make test`: figures are read, never asserted. BENCH_ARGS: --only/--skip/--quick.
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# 200 concurrent conversations with the offline tutor on one instance (bench/tutor/REPORT.md).
bench-tutor: $(VENV)/.installed
	$(BIN)/python bench/run_all.py --only tutor $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(INFRA_VENV) $(INFRA_HCL2_VENV) frontend/node_modules frontend/dist frontend/test-results .data
