# Build, lint, test and deploy. GNU make; needs only python3 on a fresh clone.
# Tools are called by their venv paths (.venv/bin/..., .venv-sam/bin/sam): no activation needed.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3

VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
VENV_SAM := .venv-sam
SAM_STAMP := $(VENV_SAM)/.installed
VENV_MINISTACK := .venv-ministack
MINISTACK_STAMP := $(VENV_MINISTACK)/.installed
ENVIRONMENTS := $(VENV_STAMP) $(SAM_STAMP) $(MINISTACK_STAMP)
# The local stack (MiniStack + sam build/deploy + seed): tests/support/local_stack.py
LOCAL_STACK := PYTHONPATH=layers/shared:. $(BIN)/python -m tests.support.local_stack

# --no-compile: bytecode is written lazily for the modules actually imported,
# which makes a fresh install markedly faster.
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check --no-compile

RUFF := $(BIN)/ruff
MYPY := $(BIN)/mypy
PYTEST := $(BIN)/pytest
# Parallel test workers (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
CFN_LINT := $(BIN)/cfn-lint

TEMPLATE := template.yaml

# SAM CLI: no telemetry; a region for commands that need one but get none from samconfig.toml.
export SAM_CLI_TELEMETRY := 0
SAM := AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}" $(VENV_SAM)/bin/sam
# samconfig.toml environment for build/deploy: `make deploy SAM_ENV=prod`
SAM_ENV ?= default

# Steps `make test` runs after the unit and integration tests (`make test TEST_EXTRA_TARGETS=` skips them).
TEST_EXTRA_TARGETS ?= e2e

.PHONY: openapi help venv venv-sam venv-ministack browser swagger-ui lint format unit integration e2e test run emails logs \
	invoke admin build build-host deploy clean bench bench-smoke

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-12s %s\n", $$1, $$2}'

# ------------------------------------------------------------------ environments
venv: $(VENV_STAMP) ## Create .venv with the pinned dev tools (requirements-dev.txt)

$(VENV_STAMP): requirements-dev.txt layers/shared/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP_INSTALL) -r requirements-dev.txt
	touch $@

venv-sam: $(SAM_STAMP) ## Create .venv-sam with the SAM CLI (requirements-sam.txt)

$(SAM_STAMP): requirements-sam.txt
	$(PYTHON) -m venv $(VENV_SAM)
	$(VENV_SAM)/bin/python $(PIP_INSTALL) -r requirements-sam.txt
	touch $@

venv-ministack: $(MINISTACK_STAMP) ## Create .venv-ministack with MiniStack, the local AWS (requirements-ministack.txt)

$(MINISTACK_STAMP): requirements-ministack.txt
	$(PYTHON) -m venv $(VENV_MINISTACK)
	$(VENV_MINISTACK)/bin/python $(PIP_INSTALL) -r requirements-ministack.txt
	touch $@

# Debian's Chromium and its driver, for the console's browser tests (tests/e2e/test_console.py). Where
# they cannot be installed (no root, no sudo, no package source), those tests skip and say why.
BROWSER_PACKAGES := chromium chromium-driver
APT_GET := DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo -n ) apt-get -y -q
browser: ## Install Debian's chromium and chromium-driver for the browser tests (apt-get, sudo when not root)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	echo "Installing $(BROWSER_PACKAGES) (apt-get) for the browser tests..."; \
	{ $(APT_GET) install $(BROWSER_PACKAGES) >/dev/null 2>&1 \
		|| { $(APT_GET) update >/dev/null 2>&1 && $(APT_GET) install $(BROWSER_PACKAGES) >/dev/null; }; } \
		|| echo "Could not install $(BROWSER_PACKAGES): the console's browser tests will skip"

# Swagger UI for the API reference (/docs), vendored: its files are committed, so nothing is fetched at
# build or run time. `make swagger-ui` replaces them with SWAGGER_UI_VERSION's (npm pack checks the
# package's integrity); a unit test checks the bundle is that version.
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI_DIR := functions/api_docs/static
swagger-ui: ## Vendor Swagger UI's files (SWAGGER_UI_VERSION) from the npm registry into functions/api_docs/static
	@work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	(cd "$$work" && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null && tar xzf swagger-ui-dist-*.tgz); \
	cp "$$work"/package/{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css} $(SWAGGER_UI_DIR)/; \
	cp "$$work/package/LICENSE" $(SWAGGER_UI_DIR)/swagger-ui.LICENSE.txt; \
	cp "$$work/package/NOTICE" $(SWAGGER_UI_DIR)/swagger-ui.NOTICE.txt

# ------------------------------------------------------------------ local stack
run: $(ENVIRONMENTS) ## The whole stack on this machine (MiniStack, LOCAL_PORT=4566); Ctrl-C stops it
	@$(LOCAL_STACK) run

emails: $(VENV_STAMP) ## The emails the local stack has sent, newest first
	@$(LOCAL_STACK) emails

logs: $(VENV_STAMP) ## The local stack's Lambda logs by invocation (MINUTES=30, FUNCTION=create_ticket, RAW=1)
	@$(LOCAL_STACK) logs $(if $(MINUTES),--minutes $(MINUTES)) $(if $(FUNCTION),--function $(FUNCTION)) $(if $(RAW),--raw)

# sam local invoke without Docker, on the running stack: make invoke FN=create_ticket EVENT=events/create_ticket.json
invoke: $(VENV_STAMP) ## One deployed function with an event file: its response and log lines (FN=create_ticket EVENT=events/...)
	@$(LOCAL_STACK) invoke $(if $(FN),--function $(FN)) $(if $(EVENT),--event $(EVENT))

# ARGS go to the CLI as typed: make admin ARGS='--local create-tenant --id globex --name "Globex" --prefix GLX'
admin: $(VENV_STAMP) ## The admin CLI (tickets.admin): make admin ARGS="--local list-keys --tenant acme"
	@PYTHONPATH=layers/shared $(BIN)/python -m tickets.admin $(ARGS)

# ------------------------------------------------------------------ quality
lint: $(VENV_STAMP) $(SAM_STAMP) ## ruff, ruff format --check, mypy, cfn-lint, sam validate --lint
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(CFN_LINT) $(TEMPLATE)
	$(SAM) validate --lint --template $(TEMPLATE)

format: $(VENV_STAMP) ## Format the code and apply ruff's safe fixes
	$(RUFF) format .
	$(RUFF) check --fix .

openapi: $(VENV_STAMP) ## Write docs/openapi.json from the code (a unit test fails when it is stale)
	PYTHONPATH=layers/shared $(BIN)/python -m tickets.api.openapi > docs/openapi.json

# ------------------------------------------------------------------ tests
unit: $(VENV_STAMP) ## Unit tests (no network)
	$(PYTEST) tests/unit

integration: $(VENV_STAMP) ## Integration tests (handlers in-process against moto)
	$(PYTEST) -n $(PYTEST_WORKERS) tests/integration

e2e: $(ENVIRONMENTS) browser ## End-to-end and browser tests against a fresh local stack (E2E_PORT=4567), stopped after
	@$(LOCAL_STACK) up --profile e2e --fresh
	@trap '$(LOCAL_STACK) down --profile e2e' EXIT; \
		STACK_FILE=.local/e2e/stack.json $(PYTEST) tests/e2e

test: ## Everything CI runs: venvs, lint, unit + integration tests, a bench smoke run, then TEST_EXTRA_TARGETS (e2e)
	$(MAKE) --no-print-directory -j3 venv venv-sam venv-ministack
	$(MAKE) --no-print-directory lint
	$(PYTEST) -n $(PYTEST_WORKERS) tests/unit tests/integration
	$(MAKE) --no-print-directory bench-smoke
ifneq ($(strip $(TEST_EXTRA_TARGETS)),)
	$(MAKE) --no-print-directory $(TEST_EXTRA_TARGETS)
endif

# ------------------------------------------------------------------ benchmarks
# The harness is bench/ (issue 7); it runs the handlers in-process against moto, like the tests.
BENCH := PYTHONPATH=layers/shared:. $(BIN)/python -m bench

bench: $(VENV_STAMP) $(SAM_STAMP) $(MINISTACK_STAMP) ## Benchmarks: round trips, units and cost, list growth, cold start... -> docs/benchmarks.md
	$(BENCH)

bench-smoke: $(VENV_STAMP) ## A quick pass of the benchmark harness (no build, writes nothing): fails if it breaks
	$(BENCH) --smoke > /dev/null

# ------------------------------------------------------------------ build and deploy
# The SharedLayer is built by layers/shared/Makefile; LAYER_TARGET picks its wheels
# and PYTHON the interpreter whose pip installs them.
build: $(VENV_STAMP) $(SAM_STAMP) ## sam build for AWS (layer wheels for python3.13 arm64)
	LAYER_TARGET=lambda PYTHON="$(CURDIR)/$(BIN)/python" $(SAM) build --template $(TEMPLATE) --config-env $(SAM_ENV)

build-host: $(VENV_STAMP) $(SAM_STAMP) ## sam build with layer wheels for this machine's python (local emulator)
	LAYER_TARGET=host PYTHON="$(CURDIR)/$(BIN)/python" $(SAM) build --template $(TEMPLATE) --config-env $(SAM_ENV)

deploy: build ## sam deploy (samconfig.toml [default]; SAM_ENV=prod for [prod])
	$(SAM) deploy --config-env $(SAM_ENV)

clean: ## Remove build output and caches (keeps the venvs)
	rm -rf .aws-sam .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find . -path ./$(VENV) -prune -o -path ./$(VENV_SAM) -prune -o -path ./.git -prune -o \
		-type d -name __pycache__ -exec rm -rf {} +
